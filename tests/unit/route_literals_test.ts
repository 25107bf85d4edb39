/**
 * Engine routes are written in one place, src/engine/ops/: everything else
 * builds typed operations, so the policy checks what an operation is, never a
 * URL read back (docs/architecture.md). This test reads every other source
 * file's string literals (comments may name routes) and fails on one that
 * starts like an Engine API route; and every operation of the table has its
 * check (the type of CHECKS requires it; this holds at run time too). A
 * container name's leading `/` is stripped in one place, bareName.
 */

import { ROUTES } from "../../src/engine/ops/mod.ts";
import { CHECKS } from "../../src/policy/enforce/checks.ts";
import { assert, assertEquals } from "../helpers/asserts.ts";

const SRC = new URL("../../src/", import.meta.url);
const OPS = "engine/ops/";

/** Literals that look like a route and are not one, with why. */
const NOT_ROUTES: Record<string, string[]> = {
  // A sensitive directory of the host (the host path rules), not an engine route.
  "policy/host_paths.ts": ["/system"],
};

/** The first segments of the Engine API's routes. */
const ROUTE = new RegExp(
  "^/(containers|images|networks|volumes|exec|build|commit|system|events|info|version|_ping|" +
    "swarm|services|tasks|nodes|secrets|configs|plugins|distribution|auth|session|grpc)" +
    "(/|$|\\?|\\$\\{)",
);

/** Characters after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+"]);

/** The string literals of a TypeScript source (quotes and templates), comments skipped. */
export function stringLiterals(source: string): string[] {
  const out: string[] = [];
  let last = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "/" && source[i + 1] === "/") {
      i = source.indexOf("\n", i);
      if (i < 0) break;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      i = source.indexOf("*/", i + 2) + 1;
      if (i <= 0) break;
      continue;
    }
    if (c === "/" && BEFORE_REGEX.has(last)) {
      let inClass = false;
      for (i++; i < source.length && (source[i] !== "/" || inClass); i++) {
        if (source[i] === "\\") i++;
        else if (source[i] === "[") inClass = true;
        else if (source[i] === "]") inClass = false;
      }
      last = "/";
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let text = "";
      for (i++; i < source.length && source[i] !== c; i++) {
        if (source[i] === "\\") text += source[++i];
        else text += source[i];
      }
      out.push(text);
      last = c;
      continue;
    }
    if (!/\s/.test(c)) last = c;
  }
  return out;
}

async function* sources(dir: URL, prefix = ""): AsyncGenerator<[string, string]> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* sources(new URL(`${entry.name}/`, dir), `${path}/`);
    else if (entry.name.endsWith(".ts")) {
      yield [path, await Deno.readTextFile(new URL(entry.name, dir))];
    }
  }
}

Deno.test("route literals: the lexer finds strings and skips comments and regular expressions", () => {
  const code = [
    "// GET /containers/json in a comment",
    "/** `/images/{ref}/json` in a doc comment */",
    'const a = x.replace(/^\\//, "");',
    "const b = /[\"'`]/.test(a) ? `/containers/${id}/json` : '/info';",
    'const c = 6 / 2; const d = "/events";',
  ].join("\n");
  assertEquals(stringLiterals(code), ["", "/containers/${id}/json", "/info", "/events"]);
});

Deno.test("route literals: no Engine API route is written outside src/engine/ops/", async () => {
  const found: string[] = [];
  let files = 0;
  for await (const [path, text] of sources(SRC)) {
    if (path.startsWith(OPS)) continue;
    files++;
    for (const literal of stringLiterals(text)) {
      if (!ROUTE.test(literal) || NOT_ROUTES[path]?.includes(literal)) continue;
      found.push(`src/${path}: "${literal}"`);
    }
  }
  assert(files > 100, `read ${files} files`);
  assertEquals(found, [], "build an operation of src/engine/ops/ instead");
});

Deno.test("route literals: every operation of the table has its check", () => {
  const missing = Object.keys(ROUTES).filter((name) => !(name in CHECKS));
  assertEquals(missing, []);
  assertEquals(Object.keys(CHECKS).length, Object.keys(ROUTES).length);
});

Deno.test("bare names: the engine's leading '/' of a name is stripped by bareName alone", async () => {
  const found: string[] = [];
  for await (const [path, text] of sources(SRC)) {
    if (path === "guard/formats.ts") continue; // bareName itself
    if (text.includes("replace(/^\\//")) found.push(`src/${path}`);
  }
  assertEquals(found, [], "use bareName (src/guard/formats.ts)");
});
