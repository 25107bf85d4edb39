/**
 * Name lists: allow and deny globs for container names and image references.
 *
 * Rules (configuration contract): deny always wins; `*` matches any run of
 * characters (including `/` and `:`); an empty allow list allows every name.
 * Container names are compared without the engine's leading `/`.
 *
 * Case: Docker names are case-sensitive (`db` and `DB` are two containers),
 * so allow globs match case-sensitively, but deny globs match ignoring case:
 * a name that differs from a denied one only by case is still denied. Both
 * choices err towards hiding.
 *
 * @module
 */

/** Allow and deny globs for one kind of name. */
export interface NameGlobs {
  allow: readonly string[];
  deny: readonly string[];
}

/** Compiles a glob where only `*` is special. */
export function globToRegExp(glob: string, ignoreCase = false): RegExp {
  const source = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s");
}

/** The list that refuses a name. */
export type RefusingList = "allow" | "deny";

/** A compiled pair of allow and deny lists. */
export class NameList {
  readonly #allow: RegExp[];
  readonly #deny: RegExp[];
  readonly #allowGlobs: readonly string[];

  constructor(globs: NameGlobs) {
    this.#allowGlobs = globs.allow;
    this.#allow = globs.allow.map((g) => globToRegExp(g));
    this.#deny = globs.deny.map((g) => globToRegExp(g, true));
  }

  /** True when any glob is configured (names must then be checked). */
  get active(): boolean {
    return this.#allow.length > 0 || this.#deny.length > 0;
  }

  /** True when an allow list restricts names (an unnamed object is then not allowed). */
  get restrictive(): boolean {
    return this.#allow.length > 0;
  }

  /** The allow globs, for hints (deny globs are never shown). */
  get allowGlobs(): readonly string[] {
    return this.#allowGlobs;
  }

  /**
   * True when one object, known by any of these spellings, is allowed: no
   * spelling matches a deny glob, and (with an allow list) one matches an allow glob.
   */
  allows(spellings: readonly string[]): boolean {
    if (this.#matches(this.#deny, spellings)) return false;
    return this.#allow.length === 0 || this.#matches(this.#allow, spellings);
  }

  /** True when a deny glob matches one of these spellings. */
  denies(spellings: readonly string[]): boolean {
    return this.#matches(this.#deny, spellings);
  }

  /**
   * Which list refuses one object known by these spellings, as a refusal
   * names it: `allow` when an allow list exists and no spelling matches it
   * (even if a deny glob matches too), else `deny` when a deny glob matches;
   * undefined when the object is allowed.
   */
  refusedBy(spellings: readonly string[]): RefusingList | undefined {
    if (this.#allow.length > 0 && !this.#matches(this.#allow, spellings)) return "allow";
    return this.#matches(this.#deny, spellings) ? "deny" : undefined;
  }

  #matches(globs: readonly RegExp[], spellings: readonly string[]): boolean {
    return spellings.some((s) => globs.some((re) => re.test(s)));
  }
}

/** A container name as lists see it: without the engine's leading `/`. */
export function bareContainerName(name: string): string {
  return name.replace(/^\/+/, "");
}

/**
 * The service of a swarm task's container name (`web.1.<task id>`, or
 * `web.<node id>.<task id>` for a global service): task IDs are 25 characters
 * of [a-z0-9]. Undefined for other names.
 */
export function swarmServiceOfContainer(name: string): string | undefined {
  return /^(.+)\.[a-z0-9]+\.[a-z0-9]{25}$/.exec(name)?.[1];
}

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host, normalised (`docker.io` for Docker Hub). */
  domain: string;
  /** Repository path, with `library/` for official Docker Hub images. */
  path: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID = /^(?:sha256:)?[0-9a-f]{12,64}$/;

/** True when a reference is an image ID (`sha256:…` or a hex prefix), not a name. */
export function isImageId(reference: string): boolean {
  return IMAGE_ID.test(reference) && (reference.startsWith("sha256:") || reference.length >= 12);
}

/**
 * Parses `[domain/]path[:tag][@digest]` as the engine does (distribution's
 * normalisation): the first component is a registry when it has a `.` or `:`
 * or is `localhost`; Docker Hub is `docker.io`, its one-component names live
 * under `library/`, and a reference without tag or digest means `:latest`.
 * Answers undefined for image IDs and malformed input.
 */
export function parseImageReference(reference: string): ImageReference | undefined {
  let rest = reference.trim();
  if (!rest || isImageId(rest) || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tag) return undefined;
  }
  const slash = rest.indexOf("/");
  let domain = "docker.io";
  let path = rest;
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) {
    domain = first.toLowerCase();
    path = rest.slice(slash + 1);
  }
  if (domain === "index.docker.io" || domain === "registry-1.docker.io") domain = "docker.io";
  if (!path) return undefined;
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (!tag && !digest) tag = "latest";
  return { domain, path, tag, digest };
}

/** The reference in the short form `docker` prints (`nginx:latest`, `myorg/app:1`). */
export function familiarImageName(ref: ImageReference): string {
  if (ref.domain !== "docker.io") return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith("library/") ? ref.path.slice("library/".length) : ref.path;
}

/**
 * Every spelling of one image that a glob might be written against, so that
 * `docker.io/library/nginx:latest`, `nginx` and `nginx:latest` are one image.
 * Names alone (`nginx`) are included, so a glob without a tag covers every tag;
 * a digest-only reference also counts as `name:<digest>`, so `nginx:*` covers
 * `nginx@sha256:…`. An image ID is only itself.
 */
export function imageSpellings(reference: string): string[] {
  const ref = parseImageReference(reference);
  if (!ref) return [reference.trim(), reference.trim().replace(/^sha256:/, "")];
  const names = new Set<string>([familiarImageName(ref), `${ref.domain}/${ref.path}`]);
  if (ref.domain === "docker.io") {
    names.add(`docker.io/${familiarImageName(ref)}`);
    names.add(ref.path);
  }
  const suffixes = [""];
  if (ref.tag) suffixes.push(`:${ref.tag}`);
  if (ref.digest) suffixes.push(`@${ref.digest}`, ref.tag ? `:${ref.tag}@${ref.digest}` : "");
  if (ref.digest && !ref.tag) suffixes.push(`:${ref.digest}`);
  const out = new Set<string>();
  for (const name of names) for (const suffix of suffixes) out.add(name + suffix);
  return [...out];
}

/** The reference a pull (`fromImage` + `tag`) or push (`name` + `tag`) means. */
export function joinImageTag(image: string, tag?: string): string {
  if (!tag) return image;
  return DIGEST.test(tag) ? `${image}@${tag}` : `${image}:${tag}`;
}
