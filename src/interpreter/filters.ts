/**
 * The filters of the manifest language (docs/manifests.md): small, pure and
 * total functions that an expression passes a value through
 * (`Labels | pairs | join ' '`). A value of the wrong kind gives null (or an
 * empty list), never an exception. The named transforms of output fields
 * (src/docker/transforms.ts) are filters too.
 *
 * @module
 */

import type { Template } from "../manifest/expr.ts";
import { kindOf, type VersionAnswer } from "../engine/identity.ts";
import { bareName } from "../docker/visible_container.ts";
import { redactOutput } from "../policy/redact.ts";
import { counted, formatBytes, formatMemory } from "../guard/formats.ts";
import { TRANSFORMS } from "../docker/transforms.ts";

/** What a filter may see besides its value: the current object and the named templates. */
export interface FilterScope {
  /** The object the expression reads from (an engine item, or the shaped output). */
  current: unknown;
  /** `$args`, `$answer`, `$item` … */
  vars: Record<string, unknown>;
  /** The manifest's `output.templates`, for `each`. */
  templates: Record<string, Template>;
  /** Renders a template against a value (given by shape.ts, which owns rendering). */
  render: (template: Template, current: unknown) => string | undefined;
}

/** A filter: the value, its literal arguments, the scope. */
export type Filter = (value: unknown, args: unknown[], scope: FilterScope) => unknown;

/** Null, undefined, "" and [] are empty: a template shows "-" for them. */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" ||
    (Array.isArray(value) && value.length === 0);
}

/** What `when:` tests: JavaScript's truth, with empty lists and objects false. */
export function isTrue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function entries(value: unknown): [string, unknown][] {
  return value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function number(arg: unknown, fallback = 0): number {
  return typeof arg === "number" ? arg : fallback;
}

/** True when an item's KEY is `x` (or one of `x`'s, for a list). */
function matches(item: unknown, key: unknown, x: unknown): boolean {
  const value = (item as Record<string, unknown> | null)?.[String(key)];
  return Array.isArray(x) ? x.includes(value) : value === x;
}

interface NetworkEndpoint {
  NetworkID?: string;
}

interface EngineContainer {
  Names?: string[];
  NetworkSettings?: { Networks?: Record<string, NetworkEndpoint> | null };
}

/** Text for a command line: each word as is, or JSON-quoted when it holds a blank. */
function argv(value: unknown): string {
  return list(value).map((a) => (/\s/.test(String(a)) ? JSON.stringify(a) : a)).join(" ");
}

/** The widest column `pad` makes: a manifest's number must not allocate what it says. */
const MAX_PAD = 1000;

const OWN: Record<string, Filter> = {
  /** `slice A B`: characters A to B of a text, items A to B of a list. */
  slice: (v, [a, b]) =>
    Array.isArray(v)
      ? v.slice(number(a), b === undefined ? undefined : number(b))
      : text(v)?.slice(number(a), b === undefined ? undefined : number(b)) ?? null,
  /** `first N`: the first N items of a list. */
  first: (v, [n]) => list(v).slice(0, number(n)),
  /** `join SEP`: a list's items joined ("," without SEP); "" for no list. */
  join: (v, [sep]) => list(v).join(typeof sep === "string" ? sep : ","),
  /** Items of a list, keys of an object; null otherwise. */
  count: (v) =>
    Array.isArray(v) ? v.length : v && typeof v === "object" ? Object.keys(v).length : null,
  /** `counted NOUN`: "1 layer", "3 layers" (NOUN is the plural). */
  counted: (v, [noun]) => (typeof v === "number" ? counted(v, String(noun)) : null),
  /** `over N`: how far a number is above N, or null when it is not. */
  over: (v, [n]) => (typeof v === "number" && v > number(n) ? v - number(n) : null),
  /** An object's values, in order. */
  values: (v) => entries(v).map(([, value]) => value),
  /** An object as `key=value` texts, in order. */
  pairs: (v) => entries(v).map(([k, value]) => `${k}=${value}`),
  /** `each NAME`: renders the template `output.templates.NAME` for every item. */
  each: (v, [name], scope) => {
    const template = scope.templates[String(name)];
    return list(v).map((item) => scope.render(template, item) ?? "");
  },
  /** `pluck KEY`: that key of every item, the empty ones left out. */
  pluck: (v, [key]) =>
    list(v).map((item) => (item as Record<string, unknown>)?.[String(key)]).filter((x) =>
      !isEmpty(x)
    ),
  /** A size in bytes in the docker CLI's units ("1.98 MB"); "?" for no number. */
  bytes: (v) => (typeof v === "number" ? formatBytes(v) : "?"),
  /** Memory in binary units ("7.65 GiB"); "?" for no number. */
  memory: (v) => (typeof v === "number" ? formatMemory(v) : "?"),
  /** A command line (a list of words) as text, words with blanks quoted. */
  argv,
  /** Blanks collapsed to one space, trimmed. */
  squash: (v) => (text(v) ?? "").replace(/\s+/g, " ").trim(),
  /** `cut N`: text cut to N characters, with "…" when it was longer. */
  cut: (v, [n]) => {
    const s = text(v);
    return s !== null && s.length > number(n) ? `${s.slice(0, number(n))}…` : s;
  },
  /** `pad N`: text padded with spaces to N characters (a column, so at most {@link MAX_PAD}). */
  pad: (v, [n]) => (text(v) ?? "").padEnd(Math.min(number(n), MAX_PAD)),
  /** `before TEXT`: the text before the first TEXT (all of it when absent). */
  before: (v, [sep]) => text(v)?.split(String(sep))[0] ?? null,
  /** `prefix TEXT`: TEXT in front of a value that is not empty; empty stays empty. */
  prefix: (v, [p]) => (isEmpty(v) ? null : `${p}${v}`),
  /** `suffix TEXT`: TEXT after a value that is not empty. */
  suffix: (v, [s]) => (isEmpty(v) ? null : `${v}${s}`),
  /** `wrap A B`: A before and B after a value that is not empty. */
  wrap: (v, [a, b]) => (isEmpty(v) ? null : `${a}${v}${b}`),
  /** `eq VALUE`: true when the value is exactly VALUE. */
  eq: (v, [x]) => v === x,
  /** True for what `when:` takes as false. */
  not: (v) => !isTrue(v),
  /** `or VALUE`: VALUE instead of an empty value. */
  or: (v, [x]) => (isEmpty(v) ? x : v),
  /** `defaults {JSON}`: an object with each missing or null key of the JSON object filled in. */
  defaults: (v, [d]) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const out = { ...(v as Record<string, unknown>) };
    for (const [k, x] of entries(d)) if (out[k] === null || out[k] === undefined) out[k] = x;
    return out;
  },
  /** A list, or an empty list for anything else. */
  list,
  /** `where KEY VALUE`: the items whose KEY is VALUE (or one of VALUE's, for a list); null for no list. */
  where: (v, [key, x]) => (Array.isArray(v) ? v.filter((i) => matches(i, key, x)) : null),
  /** `except KEY VALUE`: the items whose KEY is not VALUE (nor one of VALUE's). */
  except: (v, [key, x]) => (Array.isArray(v) ? v.filter((i) => !matches(i, key, x)) : null),
  /** `map {JSON}`: the JSON object's value for this value (as text); the value itself when absent. */
  map: (v, [table]) => {
    const hit = entries(table).find(([k]) => k === String(v));
    return hit ? hit[1] : v;
  },
  /** `divide N`: a number divided by N; null for no number. */
  divide: (v, [n]) => (typeof v === "number" ? v / number(n, 1) : null),
  /** A number rounded to a whole one. */
  round: (v) => (typeof v === "number" ? Math.round(v) : null),
  /** `attached_to NETWORK_ID`: the names of the containers of a container list on that network, sorted. */
  attached_to: (v, [id]) =>
    list(v).filter((c) =>
      Object.values(
        ((c as EngineContainer)?.NetworkSettings?.Networks ?? {}) as Record<
          string,
          NetworkEndpoint
        >,
      ).some((e) => e?.NetworkID && e.NetworkID === id)
    ).map((c) => bareName((c as EngineContainer).Names?.[0])).sort(),
  /** "podman" or "docker", from an engine's `GET /version` answer. */
  engine_kind: (v) => kindOf((v ?? {}) as VersionAnswer),
  /** berth's output redaction applied now (secret env values, credentials), so text shows it too. */
  redact: (v) => redactOutput(v),
};

/** Every filter, by name: berth's own and the field transforms. */
export const FILTERS: Record<string, Filter> = {
  ...Object.fromEntries(
    Object.entries(TRANSFORMS).map((
      [name, transform],
    ) => [
      name,
      (v: unknown, _: unknown[], scope: FilterScope) =>
        transform(v, (scope.current ?? {}) as Record<string, unknown>),
    ]),
  ),
  ...OWN,
};
