/**
 * Secret redaction: environment values whose key looks like a secret are
 * replaced before any output leaves berth (tool results, text, audit log).
 *
 * The rule lives here alone so that every path (inspect, exec, compose,
 * diagnose) redacts the same way and the list of markers grows in one place.
 *
 * @module
 */

import { MAY_HOLD_SECRET, redactArgv, redactCommandLines } from "./argv_secrets.ts";
import { redactLineBlocks, redactShapes, TOKEN_HINT } from "./secret_shapes.ts";

/** What a redacted value becomes. */
export const REDACTED = "***REDACTED***";

/** Key fragments that mark a secret, matched case-insensitively anywhere in the key. */
export const SECRET_KEY_MARKERS: readonly string[] = [
  "PASSWORD",
  "SECRET",
  "TOKEN",
  "KEY",
  "CREDENTIAL",
  "AUTH",
];

/** Any of {@link SECRET_KEY_MARKERS}, as one pattern over an upper-cased key. */
const SECRET_KEY_MARKER = new RegExp(SECRET_KEY_MARKERS.join("|"));

/** True when an environment variable of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_MARKER.test(key.toUpperCase());
}

/**
 * Redacts a `["KEY=value", …]` list (the engine's `Config.Env`). Entries
 * without `=` are kept: they carry no value. Null and non-arrays pass through,
 * since the engine sends `null` for "no environment".
 */
export function redactEnv<T>(list: T): T {
  if (!Array.isArray(list)) return list;
  return list.map((entry) => {
    if (typeof entry !== "string") return entry;
    const eq = entry.indexOf("=");
    if (eq < 0) return entry;
    return isSecretKey(entry.slice(0, eq)) ? `${entry.slice(0, eq + 1)}${REDACTED}` : entry;
  }) as T;
}

/** Redacts a `{KEY: value}` map (compose environment, exec environment, labels of env style). */
export function redactEnvObject<T>(env: T): T {
  if (!env || typeof env !== "object" || Array.isArray(env)) return env;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env as Record<string, unknown>)) {
    out[key] = isSecretKey(key) && value !== null && value !== undefined ? REDACTED : value;
  }
  return out as T;
}

// ---------------------------------------------------------------------------
// Central redaction (security engineer): every tool result, error, audit record
// and log line passes through these before it leaves berth.

/** Keys that hold credentials whatever their parent (registry auth, passwords). */
const CREDENTIAL_KEYS =
  /^(auth|auths|authconfig|auth_config|x-registry-auth|x-registry-config|password|passwd|identitytoken|registrytoken|registry_auth)$/i;

/** Engine fields whose names contain a marker but never hold a secret. */
const HARMLESS_KEYS = new Set(["author", "sandboxkey"]);

/**
 * Parents whose entries are environment-style `{KEY: value}` maps: also a log
 * driver's options (`HostConfig.LogConfig.Config`: `splunk-token`,
 * `awslogs-credentials-endpoint` …) and an event's `Actor.Attributes` (labels).
 */
const ENV_PARENTS =
  /^(env|environment|build_?args|labels?|driver_?opts|options|config|log_?opts|log_?options|attributes)$/i;

// KEY=value, KEY: value and "KEY": "value", the forms secrets take in text:
// the key and separator first, then (for a secret key) its value. JSON quoted
// inside a quoted string (a command line shown as `sh -c "echo '{\"password\":
// \"x\"}'"`) escapes its quotes: `\"KEY\": \"value\"` is the same form.
const KEY_SEP =
  /(?<![A-Za-z0-9_.-])(\\?["']?)(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)\1([ \t]*[=:][ \t]*)/g;
const VALUE = /\\"[^"\n]*?\\"|"[^"\n]*"|'[^'\n]*'|[^\s"'\\,;&}\0]+/y;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

function secretKey(key: string): boolean {
  return isSecretKey(key) && !HARMLESS_KEYS.has(key.toLowerCase());
}

// Free text (log lines, engine messages) is full of words that merely contain
// a marker ("turkey: 3", "tokens: 1532", "Unauthorized: authentication
// required"), so there a key counts only when one of its words is a marker.

/** Words of a key that mark a secret in free text (the contract's markers, and common spellings). */
const TEXT_SECRET_WORDS: ReadonlySet<string> = new Set([
  ...SECRET_KEY_MARKERS,
  "PASSWD",
  "APIKEY",
  "CREDENTIALS",
]);

/** Markers that keep their meaning glued to a prefix (`dbpassword`, `accesstoken`); `KEY` does not (`monkey`). */
const TEXT_SECRET_SUFFIXES = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"];

/** Words before a bare `key:` that make it a secret rather than a phrase like "primary key:". */
const SECRET_KEY_QUALIFIERS =
  /^(api|access|secret|private|signing|encryption|master|ssh|license|auth|session|client)$/i;

/** The words of a key: split on `_ - .` and camelCase boundaries (`AWSSecretKey` → AWS, SECRET, KEY). */
function keyWords(key: string): string[] {
  return key
    .split(/[_.-]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
    .filter(Boolean)
    .map((word) => word.toUpperCase());
}

/**
 * True when a key found in free text (`KEY=value`, `key: value`) names a
 * secret: one of its words is a marker, or ends with one that cannot be a
 * harmless word's tail. Env lists and maps keep the contract's wider
 * {@link isSecretKey}.
 */
export function isSecretTextKey(key: string): boolean {
  if (HARMLESS_KEYS.has(key.toLowerCase())) return false;
  return keyWords(key).some((word) =>
    TEXT_SECRET_WORDS.has(word) || TEXT_SECRET_SUFFIXES.some((marker) => word.endsWith(marker))
  );
}

/**
 * "primary key: user_id", "sort key: name": a bare `key` after another word
 * and before a colon is prose, unless that word says which secret it is
 * ("API key:", "private key:").
 */
function isKeyPhrase(text: string, match: RegExpExecArray): boolean {
  const [, quote, key, separator] = match;
  if (quote || key.toUpperCase() !== "KEY" || !separator.includes(":")) return false;
  const before = /([A-Za-z]+)[ \t]+$/.exec(text.slice(Math.max(0, match.index - 40), match.index));
  return before !== null && !SECRET_KEY_QUALIFIERS.test(before[1]);
}

/** `$NAME` or `${NAME}`, bare or quoted: the name of a variable, not its value. */
const VARIABLE_REFERENCE = /^(["']?)\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})\1$/;

/**
 * True when a value found after a secret key only names a variable
 * (`echo API_TOKEN=$API_TOKEN` in a command): it holds nothing to hide, and
 * showing it tells what the command does. A value the shell expanded is
 * scrubbed where berth knows it ({@link scrubValues}).
 */
function isVariableReference(text: string, start: number, value: string): boolean {
  // VALUE stops before `}` (JSON's end): `${NAME}` is matched as `${NAME`.
  const closed = value.startsWith("${") && text[start + value.length] === "}";
  return VARIABLE_REFERENCE.test(closed ? `${value}}` : value);
}

/** Replaces the values of secret-looking assignments, in one pass over the text. */
function redactAssignments(text: string): string {
  // KEY_SEP and VALUE are shared: nothing below calls back in here, and
  // lastIndex is set before every use.
  const keys = KEY_SEP;
  const values = VALUE;
  keys.lastIndex = 0;
  let out = "";
  let last = 0;
  for (let m = keys.exec(text); m; m = keys.exec(text)) {
    // Scanning goes on right after the separator.
    if (!isSecretTextKey(m[2]) || isKeyPhrase(text, m)) continue;
    const valueStart = m.index + m[0].length;
    values.lastIndex = valueStart;
    const value = values.exec(text)?.[0];
    // `Authorization: Bearer <token>`: the token itself was redacted before.
    if (!value || value.includes(REDACTED) || /^(Bearer|Basic|Token)$/i.test(value)) continue;
    if (isVariableReference(text, valueStart, value)) continue;
    const vq = /^\\?["']/.exec(value)?.[0] ?? "";
    out += `${text.slice(last, valueStart)}${vq}${REDACTED}${vq}`;
    last = valueStart + value.length;
    keys.lastIndex = last;
  }
  return out + text.slice(last);
}

/**
 * What each rule of {@link redactTextRules} needs to find before it can change
 * a text: a quote (an argv quoted as JSON) or `@` (URL userinfo); the
 * separator of an assignment (`=`, `:`) together with a word that makes its
 * key secret; a private key or the start of a token shape; a bearer scheme, a
 * secret flag or a program with password flags (case-insensitive, as those
 * rules are). Most strings of an answer (IDs, names, image references,
 * states, many log lines) have none of them, and a few quick scans replace the
 * rules' half-dozen. tests/unit/redact_first_look_test.ts holds the two to the
 * same results.
 */
const TEXT_MAY_HOLD_SECRET: readonly RegExp[] = [
  /["@]/,
  new RegExp(`PRIVATE KEY|${TOKEN_HINT.source}`),
  new RegExp(`${BEARER.source}|${MAY_HOLD_SECRET.source}`, "i"),
];

/**
 * A word that makes a key secret in free text ({@link isSecretTextKey}),
 * looked for in the upper-cased text: the key's words are upper-cased one by
 * one, and upper-casing maps each character on its own, so each of them is
 * part of the upper-cased text.
 */
const TEXT_SECRET_MARKER = new RegExp([...TEXT_SECRET_WORDS, ...TEXT_SECRET_SUFFIXES].join("|"));

/** True when some rule of {@link redactTextRules} may change `text`. */
function mayHoldSecret(text: string): boolean {
  if (TEXT_MAY_HOLD_SECRET.some((hint) => hint.test(text))) return true;
  // An assignment is redacted only under a secret key.
  return /[=:]/.test(text) && TEXT_SECRET_MARKER.test(text.toUpperCase());
}

/**
 * Redacts secret-looking assignments ({@link isSecretTextKey}), bearer tokens,
 * URL passwords, secrets of known shapes (secret_shapes.ts: private keys,
 * JWTs, cloud and forge tokens) and secret command-line arguments
 * (argv_secrets.ts: `--password X`, `mysql -pX`) in free text. A value that is only a variable reference
 * (`TOKEN=$TOKEN`) is left: it names the secret, it does not hold it.
 */
export function redactText(text: string): string {
  if (!text || CLEAN_TEXTS.has(text)) return text;
  if (mayHoldSecret(text)) return redactTextRules(text);
  if (text.length <= MAX_CLEAN_LENGTH) remember(CLEAN_TEXTS, text, MAX_CLEAN_TEXTS);
  return text;
}

/**
 * Short texts {@link mayHoldSecret} found nothing in, to answer the same text
 * at once next time: answers repeat their strings (a 50-container list has
 * about 950, 160 of them distinct: states, images, label values) and calls
 * repeat their answers, and one hash lookup costs less than the first look's
 * scans. Only texts that are passed unchanged are kept, so the cache holds
 * nothing a rule would redact, and it never changes an answer.
 */
const CLEAN_TEXTS = new Set<string>();
const MAX_CLEAN_TEXTS = 4096;
const MAX_CLEAN_LENGTH = 256;

/** Adds to a bounded cache; a full cache starts again empty (no LRU bookkeeping per hit). */
function remember<T>(cache: Set<T>, value: T, max: number): void {
  if (cache.size >= max) cache.clear();
  cache.add(value);
}

/**
 * The rules of {@link redactText} without its first look: exported for the
 * test that holds the two to the same results.
 */
export function redactTextRules(text: string): string {
  if (!text) return text;
  const shapes = redactShapes(text);
  const bearer = shapes.replace(BEARER, (_, scheme: string) => `${scheme} ${REDACTED}`);
  return redactCommandLines(redactQuotedArgv(redactAssignments(bearer)));
}

/**
 * Where a JSON list of strings that starts at `at` (a `[`) ends: the index
 * after its `]`, or minus the index where it stopped being one, from which
 * the next search starts, so a text is scanned once whatever it holds.
 */
function quotedListEnd(text: string, at: number): number {
  const blank = (j: number) => {
    while (j < text.length && /\s/.test(text[j])) j++;
    return j;
  };
  let j = blank(at + 1);
  while (text[j] === '"') {
    for (j++; j < text.length && text[j] !== '"'; j++) if (text[j] === "\\") j++;
    if (j >= text.length) return -text.length;
    j = blank(j + 1);
    if (text[j] === "]") return j + 1;
    if (text[j] !== ",") return -j;
    j = blank(j + 1);
  }
  return -Math.max(j, at + 1);
}

/**
 * An argv quoted as JSON in text (`args ["sh","-c","x","--password","y"]`) is
 * read as the argv it is: split on blanks, `"--password","y"` is one word and
 * its value would pass.
 */
function redactQuotedArgv(text: string): string {
  if (!text.includes('"')) return text;
  let out = "";
  let last = 0;
  for (let at = text.indexOf("["); at >= 0;) {
    const end = quotedListEnd(text, at);
    if (end < 0) {
      at = text.indexOf("[", -end);
      continue;
    }
    const quoted = text.slice(at, end);
    let words: unknown;
    try {
      words = JSON.parse(quoted);
    } catch {
      words = undefined;
    }
    if (Array.isArray(words)) {
      // Each word may be a command line of its own (`sh -c "mysql -pX"`).
      const redacted = redactArgv(words as string[]).map((w) =>
        typeof w === "string" ? redactCommandLines(w) : w
      );
      if (redacted.some((w, i) => w !== words[i])) {
        out += text.slice(last, at) + JSON.stringify(redacted);
        last = end;
      }
    }
    at = text.indexOf("[", end);
  }
  return out + text.slice(last);
}

/**
 * Redacts a tool result's structured content: every string is passed through
 * {@link redactText}; values of secret keys (the contract's {@link isSecretKey})
 * inside environment-style maps and `KEY=value` lists (`Env`, `environment`,
 * `labels`, `buildargs` …) and of credential keys anywhere become
 * {@link REDACTED}. Types are kept, so output schemas hold.
 */
export function redactOutput<T>(value: T, parent = ""): T {
  return redactNode(value, parent, ENV_PARENTS.test(parent)) as T;
}

/**
 * {@link redactOutput} of one value under its parent key; `envParent` is
 * whether that key names an environment-style map or list, decided once per
 * key rather than once per element of a list. Copy on write: a value in which
 * nothing is redacted comes back as itself, so the caller can tell that
 * nothing was (an object other than a plain one is always copied, as before).
 */
function redactNode(value: unknown, parent: string, envParent: boolean): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) {
    // `["KEY=value"]` lists keep the contract's rule, wider than free text's;
    // any list of words may be an argv (`["--password", "x"]`).
    const list = envParent ? redactEnv(value) : redactLineBlocks(redactArgv(value));
    return sameItems(value, redactItems(list, parent, envParent));
  }
  if (!value || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let out: Record<string, unknown> | undefined = plain(object) ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = object[key];
    const redacted = redactEntry(object, key, v, envParent);
    if (out === undefined) {
      if (redacted === v) continue;
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = object[keys[j]];
    }
    out[key] = redacted;
  }
  return out ?? object;
}

/** One entry of an object, redacted by its key and its parent's kind. */
function redactEntry(
  object: Record<string, unknown>,
  key: string,
  v: unknown,
  envParent: boolean,
): unknown {
  const kind = keyKind(key);
  const credential = (kind & CREDENTIAL) !== 0;
  const hide = credential || (envParent && (kind & SECRET) !== 0);
  if (hide && (typeof v === "string" || typeof v === "number")) return REDACTED;
  if (typeof v !== "object" || v === null) return redactNode(v, key, false);
  if (hide && credential) return REDACTED;
  if (Array.isArray(v) && (kind & ARGS) !== 0) {
    return sameItems(
      v,
      redactNode(withProgram(object, v), key, (kind & ENV_PARENT) !== 0) as unknown[],
    );
  }
  return redactNode(v, key, (kind & ENV_PARENT) !== 0);
}

// What a key is, as bits: the tests redactEntry makes of every key of every
// object, made once per key name (an answer repeats its few dozen key names
// in each of its objects).
const CREDENTIAL = 1;
const SECRET = 2;
const ENV_PARENT = 4;
const ARGS = 8;
const KEY_KINDS = new Map<string, number>();
const MAX_KEY_KINDS = 2048;

function keyKind(key: string): number {
  let kind = KEY_KINDS.get(key);
  if (kind !== undefined) return kind;
  kind = (CREDENTIAL_KEYS.test(key) ? CREDENTIAL : 0) | (secretKey(key) ? SECRET : 0) |
    (ENV_PARENTS.test(key) ? ENV_PARENT : 0) | (ARGS_KEYS.test(key) ? ARGS : 0);
  if (KEY_KINDS.size >= MAX_KEY_KINDS) KEY_KINDS.clear();
  if (key.length <= MAX_CLEAN_LENGTH) KEY_KINDS.set(key, kind);
  return kind;
}

/** The items of a list, each redacted. */
function redactItems(list: unknown[], parent: string, envParent: boolean): unknown[] {
  return list.map((item) => redactNode(item, parent, envParent));
}

/** `before` itself when `after` holds the same items (nothing was redacted), else `after`. */
function sameItems(before: unknown[], after: unknown[]): unknown[] {
  if (after.length !== before.length) return after;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) return after;
  return before;
}

/** An object of JSON's kind (its prototype Object's or none): the kind copied on write only. */
function plain(object: object): boolean {
  const proto = Object.getPrototypeOf(object);
  return proto === Object.prototype || proto === null;
}

/** Keys of an argv whose program is a sibling (`Path` + `Args` of an inspect, an exec's). */
const ARGS_KEYS = /^(args|arguments)$/i;
const PROGRAM_KEYS = ["Path", "path", "entrypoint"];

/** `Args` read with its program in front (`mysql` + `["-pX"]`), then without it again. */
function withProgram(object: Record<string, unknown>, args: unknown[]): unknown[] {
  const program = PROGRAM_KEYS.map((k) => object[k]).find((p) => typeof p === "string");
  return program === undefined ? args : redactArgv([program, ...args]).slice(1);
}

/** Longest string kept in an audit record (file contents and compose files are cut). */
export const MAX_AUDIT_STRING = 2000;

/**
 * Redacts call arguments for the audit log and confirmation prompts: any
 * value under a secret-looking key (`auth`, `password`, `DB_TOKEN` …) is
 * dropped whole, strings are redacted as text and cut at {@link MAX_AUDIT_STRING}.
 */
export function redactArguments<T>(value: T): T {
  if (typeof value === "string") {
    const text = redactText(value);
    return (text.length > MAX_AUDIT_STRING
      ? `${text.slice(0, MAX_AUDIT_STRING)}…[${text.length} characters]`
      : text) as T;
  }
  if (Array.isArray(value)) return redactArgv(value).map((v) => redactArguments(v)) as T;
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = secretKey(key) && v !== null && v !== undefined ? REDACTED : redactArguments(v);
  }
  return out as T;
}

/** Shortest secret value scrubbed by value (shorter ones would blank ordinary words). */
export const MIN_SCRUB_LENGTH = 6;

/**
 * The values of secret-looking entries of an environment (`["K=v"]` or
 * `{K: v}`), to scrub wherever they appear without their key (`echo $DB_PASSWORD`).
 */
export function secretValues(env: unknown): string[] {
  const pairs: [string, unknown][] = Array.isArray(env)
    ? env.filter((e): e is string => typeof e === "string" && e.includes("="))
      .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])
    : env && typeof env === "object"
    ? Object.entries(env)
    : [];
  return pairs
    .filter(([key, value]) => secretKey(key) && typeof value === "string")
    .map(([, value]) => value as string)
    .filter((value) => value.length >= MIN_SCRUB_LENGTH && !value.includes(REDACTED));
}

/** Replaces every occurrence of the given secret values, longest first. */
export function scrubValues<T>(value: T, secrets: readonly string[]): T {
  if (!secrets.length) return value;
  const sorted = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  const scrub = (text: string) => sorted.reduce((t, s) => t.replaceAll(s, REDACTED), text);
  // Copy on write, like redactOutput: what holds no secret value comes back as itself.
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (Array.isArray(v)) return sameItems(v, v.map(walk));
    if (!v || typeof v !== "object") return v;
    const entries = Object.entries(v).map(([k, x]) => [k, walk(x)] as const);
    const same = plain(v) && entries.every(([k, x]) => x === (v as Record<string, unknown>)[k]);
    return same ? v : Object.fromEntries(entries);
  };
  return walk(value) as T;
}

/** Credential fields of registry auth payloads (`X-Registry-Auth`, `X-Registry-Config`). */
const CREDENTIAL_VALUE_KEYS = /^(password|identitytoken|registrytoken|auth)$/i;

/**
 * The credentials inside a registry auth payload, at any depth
 * (`X-Registry-Config` maps each registry to its own credentials), to scrub
 * wherever the engine or a registry quotes them.
 */
export function credentialValues(payload: unknown): string[] {
  if (!payload || typeof payload !== "object") return [];
  return Object.entries(payload).flatMap(([key, value]) =>
    typeof value === "string"
      ? CREDENTIAL_VALUE_KEYS.test(key) && value.length >= MIN_SCRUB_LENGTH ? [value] : []
      : credentialValues(value)
  );
}

/**
 * Redacts whatever leaves berth by both rules: first the known secret values
 * of the call ({@link scrubValues}) wherever they appear, then secret keys and
 * patterns ({@link redactOutput}; a string is free text). Types are kept.
 */
export function redactWith<T>(value: T, secrets: readonly string[]): T {
  return redactOutput(scrubValues(value, secrets));
}
