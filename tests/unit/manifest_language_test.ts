/**
 * The manifest language (docs/manifests.md): templates, expressions, filters,
 * text lines and error hints, as a user's manifest writes them; mistakes are
 * load errors naming file, line and field.
 */

import assert from "node:assert/strict";
import { loadManifests, ManifestError, parseTemplate } from "../../src/manifest/mod.ts";
import type { OutputSpec, ToolSpec } from "../../src/manifest/types.ts";
import { renderTemplate, shapeDeclarative } from "../../src/interpreter/shape.ts";
import { unknownFilters, withHints } from "../../src/interpreter/route_output.ts";
import { BerthError } from "../../src/errors/mod.ts";

function text(output: OutputSpec, data: unknown, vars = {}): string {
  return shapeDeclarative(output, data, vars).text;
}

Deno.test("templates: '-' for empty, ?? for a fallback, {?x} drops its line", () => {
  assert.equal(renderTemplate("{a} {b} {c}", { a: "x", b: null, c: [] }), "x - -");
  assert.equal(renderTemplate("{b ?? none}/{b ??}/{a.0}", { a: ["p", "q"], b: "" }), "none//p");
  assert.equal(renderTemplate('{"json": 1} { a }', {}), '{"json": 1} { a }');
  const output: OutputSpec = {
    text: ["name: {name}", "labels: {?labels | pairs | join ' '}", "env: {?env | join ' '}"],
  };
  assert.equal(
    text(output, { name: "v", labels: { a: "1", b: "2" }, env: [] }),
    "name: v\nlabels: a=1 b=2",
  );
});

Deno.test("expressions: alternatives, variables, filters with arguments", () => {
  const output: OutputSpec = {
    fields: {
      ip: { type: "string", description: "IP", value: "IPv4Address || IPv6Address | before /" },
      who: { type: "string", description: "Who", value: "$args.name | prefix 'to ' | or nobody" },
      n: { type: "integer", description: "N", value: "Ids | count" },
      ids: { type: "array", description: "IDs", value: ". | pluck Id" },
    },
    text: "{ip} {who} {n} {$answer.Extra.0 | cut 3} {$api_version}",
  };
  const data = { IPv4Address: "", IPv6Address: "fd00::2/64", Ids: [1, 2], Extra: ["abcdef"] };
  const shaped = shapeDeclarative(output, data, { args: { name: "me" }, api_version: "1.41" });
  assert.deepEqual(shaped.structured, { ip: "fd00::2", who: "to me", n: 2, ids: [] });
  assert.equal(shaped.text, "fd00::2 to me 2 abc… 1.41");
  // `.` is the whole answer, here a list.
  const listed = shapeDeclarative(output, [{ Id: "a" }, {}, { Id: "b" }], { args: {} });
  assert.deepEqual(listed.structured.ids, ["a", "b"]);
});

Deno.test("text lines: when, parts with a separator, each over a template, tables", () => {
  const output: OutputSpec = {
    fields: {
      gone: { type: "array", description: "Gone", value: ". | pluck Deleted" },
      tags: { type: "array", description: "Tags", value: ". | pluck Untagged" },
    },
    text: [{
      text: "Removed: {$parts ?? nothing to do}",
      sep: "; ",
      parts: ["untagged {?tags | join ', '}", { when: "gone", text: "{gone | count} deleted" }],
    }],
  };
  assert.equal(
    text(output, [{ Untagged: "a:1" }, { Deleted: "sha" }]),
    "Removed: untagged a:1; 1 deleted",
  );
  assert.equal(text(output, []), "Removed: nothing to do");
  const table: OutputSpec = {
    templates: { member: "{Name}@{Ip}" },
    text: [
      "members: {Members | values | each member | join '; '}",
      { when: "Rows", table: { header: "Titles", rows: "Rows" } },
      { when: "Rows | not", text: "No rows" },
    ],
  };
  const data = {
    Members: { x: { Name: "web", Ip: "10.0.0.2" } },
    Titles: ["PID", "CMD"],
    Rows: [["1", "sleep 9"], ["12345", "sh"]],
  };
  assert.equal(text(table, data), "members: web@10.0.0.2\nPID   CMD\n1     sleep 9\n12345 sh");
  assert.equal(text(table, { Members: {}, Rows: [] }), "members: -\nNo rows");
});

Deno.test("lists: from, sort, title and $item", () => {
  const output: OutputSpec = {
    from: "Volumes",
    list: "volumes",
    sort: "name",
    fields: { name: { type: "string", description: "Name", from: "Name" } },
    title: "{$count | counted volumes} by name",
    text: "{name} {$item.Size | bytes}",
  };
  const shaped = shapeDeclarative(output, { Volumes: [{ Name: "b", Size: 2048 }, { Name: "a" }] });
  assert.deepEqual(shaped.structured, { volumes: [{ name: "a" }, { name: "b" }], count: 2 });
  assert.equal(shaped.text, "2 volumes by name\na ?\nb 2.05 kB");
});

Deno.test("hints: the status's hint, or the first whose text the message contains", async () => {
  const spec = {
    response: {
      kind: "json",
      hints: { 409: [{ contains: "running", hint: "Stop it" }, { hint: "Remove users" }] },
    },
  } as unknown as ToolSpec;
  const fail = (message: string, status: number) =>
    withHints(spec, Promise.reject(new BerthError("conflict", message, { status, context: "c" })));
  await assert.rejects(
    fail("used by running container", 409),
    (e: BerthError) => e.hint === "Stop it" && e.context === "c",
  );
  await assert.rejects(fail("in use", 409), (e: BerthError) => e.hint === "Remove users");
  await assert.rejects(fail("in use", 500), (e: BerthError) => e.hint !== "Remove users");
  // A hint may retype the error (the engine answers 403 for conflicts); texts match in any case.
  const retyping = {
    response: {
      kind: "empty",
      hints: {
        403: [{ contains: ["active endpoints", "in use"], type: "conflict", hint: "Free it" }],
      },
    },
  } as unknown as ToolSpec;
  const refused = (message: string) =>
    withHints(
      retyping,
      Promise.reject(new BerthError("permission_denied", message, { status: 403 })),
    );
  await assert.rejects(
    refused("Network x has Active Endpoints"),
    (e: BerthError) =>
      e.type === "conflict" && e.code === "DKR-010" && e.hint === "Free it" && e.status === 403,
  );
  await assert.rejects(refused("forbidden"), (e: BerthError) => e.type === "permission_denied");
});

Deno.test("mistakes: a bad template is a load error with line and field; unknown filters are found", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tool = (text: string) =>
      [
        "name: my_tool",
        "title: Mine",
        "description: Mine.",
        "permission: read",
        "timeout: read",
        "request: { method: GET, path: /info }",
        "response: { kind: json }",
        "output:",
        "  fields: { name: { type: string, description: Name, from: Name } }",
        `  text: ${JSON.stringify(text)}`,
      ].join("\n");
    await Deno.writeTextFile(`${dir}/my_tool.yaml`, tool("{name | join 'x}"));
    const error = await loadManifests([dir]).then(() => undefined, (e) => e);
    assert.ok(error instanceof ManifestError);
    assert.equal(error.problems[0].line, 10);
    assert.equal(error.problems[0].field, "output.text");
    assert.match(error.problems[0].message, /template has a '\{' without its '\}'/);
    await Deno.writeTextFile(`${dir}/my_tool.yaml`, tool("{name | shout} {name | each nothing}"));
    const again = await loadManifests([dir]).then(() => undefined, (e) => e);
    assert.match(String(again?.message), /'each nothing' names no template/);
    await Deno.writeTextFile(`${dir}/my_tool.yaml`, tool("{name | shout | upper}"));
    const { tools } = await loadManifests([dir]);
    const mine = tools.find((t) => t.name === "my_tool")!;
    assert.deepEqual(unknownFilters(mine.output), ["shout", "upper"]);
    assert.deepEqual(parseTemplate("a{?b ?? c}"), [
      "a",
      { expression: { paths: [{ keys: ["b"] }], filters: [] }, optional: true, fallback: "c" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
