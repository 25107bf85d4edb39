/**
 * Engine JSON read with bounds (src/engine/json.ts): the depth scan that
 * refuses an answer nested too deep before anything walks it.
 */

import { jsonDepth, MAX_ENGINE_JSON_DEPTH, parseEngineJson } from "../../src/engine/json.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { assert, assertEquals, assertThrows } from "../helpers/asserts.ts";

/** The scan as the JSON grammar reads it, one character at a time. */
function depthByChar(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") deepest = Math.max(deepest, ++depth);
    else if (c === "}" || c === "]") depth--;
  }
  return deepest;
}

Deno.test("jsonDepth: brackets inside strings, escaped quotes and backslash runs do not count", () => {
  const cases = [
    "{}",
    '{"a":[1,{"b":[]}]}',
    '["[[[[", "{{"]',
    '["a\\"[[[", ["b"]]',
    '["a\\\\", [["c"]]]',
    '["a\\\\\\"[", {}]',
    '"\\\\\\\\"',
    '["unterminated [[[',
    JSON.stringify({ Config: { Cmd: ["sh", "-c", 'echo "{[}]" \\ x'], Env: ['A="[["'] } }),
  ];
  for (const text of cases) assertEquals(jsonDepth(text), depthByChar(text), text);
});

Deno.test("jsonDepth: the same as a character scan over generated JSON-like text", () => {
  const pieces = ["{", "}", "[", "]", '"', "\\", "\\\\", '\\"', "a", ",", ":", " "];
  let seed = 5;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 5_000; i++) {
    const text = Array.from(
      { length: 1 + Math.floor(next() * 40) },
      () => pieces[Math.floor(next() * pieces.length)],
    ).join("");
    assertEquals(jsonDepth(text, 1_000), depthByChar(text), JSON.stringify(text));
  }
});

Deno.test("parseEngineJson: an answer nested deeper than the bound is refused as an engine fault", () => {
  const deep = "[".repeat(MAX_ENGINE_JSON_DEPTH + 1) + "]".repeat(MAX_ENGINE_JSON_DEPTH + 1);
  const error = assertThrows(() => parseEngineJson(deep, "GET /x"), BerthError);
  assert(error.message.includes("nests deeper"));
  const fine = "[".repeat(MAX_ENGINE_JSON_DEPTH) + "]".repeat(MAX_ENGINE_JSON_DEPTH);
  assert(Array.isArray(parseEngineJson(fine, "GET /x")));
});
