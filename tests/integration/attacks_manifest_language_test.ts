/**
 * A user's YAML tool (`--manifest DIR`) as a hostile author writes it, against
 * the manifest language's templates and filters (suite `atk-mlang`):
 *
 * - Filters reshape what they read, so a secret the result's redaction would
 *   catch whole leaked in pieces (`slice`): the engine's answers are redacted
 *   before the output language sees them, and before `request.before`'s
 *   `sets` puts one into the next route (whose "No such container: <value>"
 *   carried a label or argv secret out).
 * - Shaping runs on the event loop, where no deadline can stop it: `each`
 *   nested through named templates multiplied the work (60 items, six levels:
 *   hours of a frozen server), a template that renders itself through `each`
 *   overflowed the stack, and `pad` allocated what it was told. Each answers
 *   DKR-004 naming the manifest, or stays small; the call never throws.
 */

import assert from "node:assert/strict";
import { call, cleanup, defer, errorCode, runContainer, testApp } from "../helpers/mod.ts";

const SUITE = "atk-mlang";
const SECRET = "hunter2-Qx7vLm9pZ";

function tool(name: string, input: string, path: string, output: string): string {
  return `name: ${name}
title: ${name}
description: A user tool of the attack suite
permission: read
timeout: read
input: ${input}
request:
  method: GET
  path: ${path}
response: { kind: json }
output:
  fields:
    args: { type: object, description: The arguments, value: $args }
${output}`;
}

const BIG =
  "{ big: { type: array, description: Items, items: { type: string, description: One } } }";
const dir = await Deno.makeTempDir({ prefix: "berth-atk-mlang-" });
const write = (name: string, yaml: string) => Deno.writeTextFileSync(`${dir}/${name}.yaml`, yaml);
write(
  "atk_slice",
  tool(
    "atk_slice",
    "{ c: { type: string, description: A container, required: true, format: name_or_id } }",
    "/containers/{c}/json",
    `    head: { type: string, description: Piece, value: "Config.Env | where 0 x | join" }
  text:
    - "{$answer.Config.Env | join ' ' | slice 9 14}"
    - "{$answer.Config.Env | join ' ' | slice 14 40}"
    - "{$answer.Config.Env | first 1 | join | eq 'PASSWORD=${SECRET}'}"
    - "{$answer.Config.Env | join | map {\\"PASSWORD=${SECRET}\\": \\"oracle\\"}}"`,
  ),
);
const levels = "abcdef".split("");
write(
  "atk_nest",
  tool(
    "atk_nest",
    BIG,
    "/version",
    `  templates:
${
      levels.map((l, i) => `    ${l}: "${i < 5 ? `{$args.big | each ${levels[i + 1]}}` : "x"}"`)
        .join("\n")
    }
  text: "{$args.big | each a}"`,
  ),
);
write(
  "atk_self",
  tool(
    "atk_self",
    BIG,
    "/version",
    `  templates:
    a: "{$args.big | each a}"
  text: "{$args.big | each a}"`,
  ),
);
write(
  "atk_quad",
  tool(
    "atk_quad",
    BIG,
    "/version",
    `  templates:
    q: "{$args.big | join | slice 0 1}"
  text: "{$args.big | each q | count}"`,
  ),
);
write(
  "atk_pad",
  tool("atk_pad", "{}", "/version", `  text: "{$answer.Version | pad 600000000}"`),
);

// request.before's `sets` puts what it read into the next route's path: a secret there came
// back in the engine's "No such container: <secret>".
const LABEL_SECRET = "Zt8kQw3nVb6";
const ARGV_SECRET = "Rp5mXc2dLs9";
/** A read tool whose route's container is set by `before` from what it read of another. */
const setsTool = (name: string, step: string, from: string) =>
  `name: ${name}
title: ${name}
description: A user tool of the attack suite
permission: read
timeout: read
input:
  c: { type: string, description: A container, required: true, format: name_or_id }
  t: { type: string, description: Set by before, required: true, format: name_or_id }
request:
  method: GET
  path: /containers/{t}/json
  before:
    ${step}: { path: "/containers/{c}/json", sets: { t: ${from} } }
response: { kind: json }
output:
  fields:
    id: { type: string, description: Id, from: Id }
`;
write("atk_sets", setsTool("atk_sets", "label", "Config.Labels.api_token"));
write("atk_sets_argv", setsTool("atk_sets_argv", "argv", "Config.Cmd.4"));

const app = await testApp({ allow: "read", manifest: [dir] });

Deno.test("manifest language attack: a secret sliced by filters is still redacted", async () => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const name = await runContainer(SUITE, { args: ["-e", `PASSWORD=${SECRET}`] });
  const result = await call(app, "atk_slice", { c: name });
  assert.equal(result.isError, false, result.text);
  const shown = `${result.text}\n${JSON.stringify(result.structured)}`;
  for (let i = 0; i + 4 <= SECRET.length; i++) {
    assert.ok(!shown.includes(SECRET.slice(i, i + 4)), `'${SECRET.slice(i, i + 4)}' in ${shown}`);
  }
  assert.doesNotMatch(result.text, /oracle|true/);
});

Deno.test("manifest language attack: nested each is refused, not run for hours", async () => {
  const result = await call(app, "atk_nest", { big: Array(60).fill("x") });
  assert.equal(errorCode(result), "DKR-004", result.text);
  assert.match(result.text, /atk_nest\.yaml/);
  // The same tool on a small list still renders: the bound is on work, not on the syntax.
  const small = await call(app, "atk_nest", { big: ["x", "y"] });
  assert.equal(small.isError, false, small.text);
  assert.equal(small.text, Array(2 ** 6).fill("x").join(","));
});

Deno.test("manifest language attack: work per item over a long list is bounded too", async () => {
  // Few evaluations, each over the whole list: 200,000 joins of 200,000 items.
  const result = await call(app, "atk_quad", { big: Array(200_000).fill("x") });
  assert.equal(errorCode(result), "DKR-004", result.text);
  assert.match(result.text, /atk_quad\.yaml/);
  const small = await call(app, "atk_quad", { big: Array(100).fill("x") });
  assert.equal(small.text, "100");
});

Deno.test("manifest language attack: a template that renders itself answers DKR-004", async () => {
  const result = await call(app, "atk_self", { big: ["x", "y"] });
  assert.equal(errorCode(result), "DKR-004", result.text);
  assert.match(result.text, /atk_self\.yaml/);
});

Deno.test("manifest language attack: pad allocates a column, not what it is told", async () => {
  const result = await call(app, "atk_pad", {});
  assert.equal(result.isError, false, result.text);
  assert.ok(result.text.length < 10_000, `${result.text.length} characters`);
});

Deno.test("manifest language attack: request.before's sets does not carry a secret into an error", async () => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const name = await runContainer(SUITE, {
    args: ["--label", `api_token=${LABEL_SECRET}`],
    command: ["sh", "-c", "sleep 3600", "x", "--password", ARGV_SECRET],
  });
  for (
    const [tool, secret] of [["atk_sets", LABEL_SECRET], ["atk_sets_argv", ARGV_SECRET]]
  ) {
    const result = await call(app, tool, { c: name, t: "placeholder" });
    assert.equal(result.isError, true, result.text);
    assert.ok(!JSON.stringify(result).includes(secret), `${tool}: ${result.text}`);
  }
});
