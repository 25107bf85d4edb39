/**
 * Manifest loading: the built-ins are valid, and a bad file is refused with
 * its file, line and field, from the library and from `berth validate`.
 */

import assert from "node:assert/strict";
import {
  BUILTIN_MANIFEST_DIR,
  loadManifests,
  ManifestError,
  type ManifestProblem,
} from "../../src/manifest/mod.ts";
import { FORMATS, LEVELS, TIMEOUT_CLASSES } from "../../src/manifest/types.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** A temp directory holding the given files. */
function manifestDir(files: Record<string, string>): string {
  return tempDirWith("berth-manifest-", files);
}

/** The problems loading a directory reports (fails when it loads). */
async function problemsOf(files: Record<string, string>): Promise<ManifestProblem[]> {
  const dir = manifestDir(files);
  try {
    await loadManifests([dir]);
  } catch (error) {
    assert.ok(error instanceof ManifestError, String(error));
    // Only this directory's problems: a broken built-in has its own test.
    const ours = error.problems.filter((p) => p.file.startsWith(`${dir}/`));
    assert.ok(ours.length > 0, `no problem reported in ${dir}: ${error.message}`);
    return ours.map((p) => ({ ...p, file: p.file.slice(dir.length + 1) }));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assert.fail("the manifest loaded");
}

const GOOD = `name: probe_container_changes
title: Filesystem changes
description: Files changed in a container since it was created.
permission: read
timeout: read
input:
  container_id: { type: string, description: Container name or ID, required: true, format: name_or_id }
request:
  method: GET
  path: /containers/{container_id}/changes
  target: { container: container_id }
response:
  kind: json
  errors: { 404: container_not_found }
output:
  list: changes
  fields:
    path: { type: string, description: Changed path, from: Path }
    kind: { type: integer, description: "0 modified, 1 added, 2 deleted", from: Kind }
  text: "{kind} {path}"
`;

Deno.test("manifests: the built-ins load and are well-formed", async () => {
  const { tools, toolsets } = await loadManifests();
  assert.ok(tools.length > 0);
  const toolsetNames = new Set(toolsets.map((t) => t.name));
  const names = new Set<string>();
  for (const tool of tools) {
    assert.ok(!names.has(tool.name), `${tool.name} twice`);
    names.add(tool.name);
    assert.match(tool.name, /^docker_[a-z0-9_]+$/);
    assert.ok(toolsetNames.has(tool.toolset), `${tool.name}: toolset ${tool.toolset}`);
    assert.ok((LEVELS as readonly string[]).includes(tool.permission));
    assert.ok((TIMEOUT_CLASSES as readonly string[]).includes(tool.timeout));
    assert.ok(tool.source.startsWith(BUILTIN_MANIFEST_DIR.pathname), tool.source);
    // One file per tool, named after it, in its toolset's folder.
    assert.ok(tool.source.endsWith(`/${tool.toolset}/${tool.name}.yaml`), tool.source);
  }
  for (const set of toolsets) assert.ok(set.description.length > 0, set.name);
});

Deno.test("manifests: a valid extra directory adds its tools to the toolset 'custom'", async () => {
  const dir = manifestDir({ "probe.yaml": GOOD });
  try {
    const { tools, toolsets } = await loadManifests([dir]);
    const probe = tools.find((t) => t.name === "probe_container_changes");
    assert.ok(probe);
    assert.equal(probe.toolset, "custom");
    assert.equal(probe.source, `${dir}/probe.yaml`);
    assert.ok(toolsets.some((t) => t.name === "custom"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("manifests: a tool in a later directory replaces the built-in of that name", async () => {
  const builtin = (await loadManifests()).tools[0];
  const override = GOOD.replace("probe_container_changes", builtin.name)
    .replace("Filesystem changes", "Overridden");
  const dir = manifestDir({ "mine/override.yaml": override });
  try {
    const { tools } = await loadManifests([dir]);
    const replaced = tools.filter((t) => t.name === builtin.name);
    assert.equal(replaced.length, 1);
    assert.equal(replaced[0].title, "Overridden");
    assert.equal(replaced[0].toolset, "mine");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("manifests: an unknown key names file, line and key", async () => {
  const text = GOOD.replace("timeout: read\n", "timeout: read\ncolour: blue\n")
    .replace("  kind: json\n", "  kind: json\n  cache: true\n");
  const problems = await problemsOf({ "probe.yaml": text });
  assert.deepEqual(
    problems.map((p) => [p.file, p.line, p.field]).sort((a, b) => +a[1] - +b[1]),
    [["probe.yaml", 6, "colour"], ["probe.yaml", 15, "response.cache"]],
  );
  for (const p of problems) assert.match(p.message, /unknown key/);
});

Deno.test("manifests: a missing description names the property and its line", async () => {
  const text = GOOD.replace(
    "path: { type: string, description: Changed path, from: Path }",
    "path: { type: string, from: Path }",
  ).replace(
    "{ type: string, description: Container name or ID, required: true,",
    "{ type: string, required: true,",
  );
  const problems = await problemsOf({ "probe.yaml": text });
  assert.deepEqual(
    problems.map((p) => [p.line, p.field]),
    [[7, "input.container_id.description"], [18, "output.fields.path.description"]],
  );
  assert.match(problems[0].message, /required/);
});

Deno.test("manifests: an output field's 'from' must be a dot path, not '.'", async () => {
  const text = GOOD.replace(
    "path: { type: string, description: Changed path, from: Path }",
    'path: { type: string, description: Changed path, from: "." }',
  );
  const problems = await problemsOf({ "probe.yaml": text });
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [[18, "output.fields.path.from"]]);
  assert.match(problems[0].message, /dot path .* output\.list/);
});

Deno.test("manifests: a path parameter without a format is refused", async () => {
  const text = GOOD.replace(", required: true, format: name_or_id }", ", required: true }");
  const problems = await problemsOf({ "probe.yaml": text });
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [[7, "input.container_id"]]);
  assert.match(problems[0].message, /format name_or_id or image_ref/);
  const optional = GOOD.replace(", required: true, format: name_or_id }", ", format: name_or_id }");
  assert.match((await problemsOf({ "p.yaml": optional }))[0].message, /must be required/);
});

Deno.test("manifests: a route with '..', a version prefix or a query is refused", async () => {
  const routes: [string, RegExp][] = [
    ["/containers/{container_id}/../info", /'\.' or '\.\.' segments/],
    ["/containers/./json", /'\.' or '\.\.' segments/],
    ["/v1.41/containers/{container_id}/changes", /API version/],
    ["/containers/{container_id}/changes?all=1", /Engine API path/],
  ];
  for (const [route, pattern] of routes) {
    const text = GOOD.replace("/containers/{container_id}/changes", route);
    const problems = await problemsOf({ "probe.yaml": text });
    assert.deepEqual(problems.map((p) => [p.line, p.field]), [[10, "request.path"]], route);
    assert.match(problems[0].message, pattern);
  }
});

Deno.test("manifests: undeclared inputs, bad formats and missing sections", async () => {
  const undeclared = GOOD.replace(
    "target: { container: container_id }",
    "target: { container: id }",
  );
  let problems = await problemsOf({ "a.yaml": undeclared });
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [[11, "request.target.container"]]);

  const badFormat = GOOD.replace("format: name_or_id", "format: hostname");
  problems = await problemsOf({ "a.yaml": badFormat });
  assert.equal(problems[0].field, "input.container_id.format");
  assert.match(problems[0].message, new RegExp(FORMATS[0]));

  const neither = GOOD.slice(0, GOOD.indexOf("request:")) + GOOD.slice(GOOD.indexOf("output:"));
  problems = await problemsOf({ "a.yaml": neither });
  assert.equal(problems[0].field, "request");
  assert.match(problems[0].message, /'request'.*'handler'/);

  const noOutput = GOOD.slice(0, GOOD.indexOf("output:")) + "output: {}\n";
  problems = await problemsOf({ "a.yaml": noOutput });
  assert.equal(problems[0].field, "output");
});

/** GOOD with another route: `method path`. */
function withRoute(method: string, path: string, permission = "read"): string {
  return GOOD.replace("permission: read", `permission: ${permission}`)
    .replace("method: GET", `method: ${method}`)
    .replace("/containers/{container_id}/changes", path);
}

Deno.test("manifests: a read tool whose route changes the engine is refused at its permission line", async () => {
  const writes: [string, string][] = [
    ["DELETE", "/containers/{container_id}"],
    ["POST", "/containers/{container_id}/pause"],
    ["PUT", "/containers/{container_id}/archive"],
  ];
  for (const [method, path] of writes) {
    const problems = await problemsOf({ "probe.yaml": withRoute(method, path) });
    assert.deepEqual(problems.map((p) => [p.line, p.field]), [[4, "permission"]], method);
    assert.ok(problems[0].message.includes(`${method} ${path}`), problems[0].message);
    assert.match(problems[0].message, /declare permission: lifecycle \(or the level that fits\)/);
  }
});

Deno.test("manifests: a read tool naming a handler that writes is refused at its permission line", async () => {
  const routeless = GOOD.slice(0, GOOD.indexOf("request:")) + GOOD.slice(GOOD.indexOf("output:"));
  const problems = await problemsOf({
    "probe.yaml": routeless.replace("output:", "handler: remove_container\noutput:"),
  });
  assert.deepEqual(problems.map((p) => [p.line, p.field]), [[4, "permission"]]);
  assert.match(problems[0].message, /not 'remove_container'; declare the level/);
});

Deno.test("manifests: a read tool may use GET or HEAD; a write route loads at a level above read", async () => {
  const loads = async (text: string) => {
    const dir = manifestDir({ "probe.yaml": text });
    try {
      const { tools } = await loadManifests([dir]);
      return tools.find((t) => t.name === "probe_container_changes");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
  assert.equal(
    (await loads(withRoute("HEAD", "/containers/{container_id}/changes")))?.request
      ?.method,
    "HEAD",
  );
  const pause = await loads(withRoute("POST", "/containers/{container_id}/pause", "lifecycle"));
  assert.equal(pause?.permission, "lifecycle");
});

Deno.test("manifests: YAML syntax errors and duplicate keys name the line", async () => {
  let problems = await problemsOf({
    "a.yaml": GOOD.replace("title: Filesystem changes", "title: ["),
  });
  assert.ok(problems[0].line >= 2, JSON.stringify(problems[0]));
  problems = await problemsOf({
    "a.yaml": GOOD.replace("timeout: read\n", "timeout: read\ntitle: X\n"),
  });
  assert.equal(problems[0].line, 6);
  assert.match(problems[0].message, /[Uu]nique|duplicate/);
});

Deno.test("manifests: every problem of every file is reported at once", async () => {
  const problems = await problemsOf({
    "a.yaml": GOOD.replace("timeout: read\n", "timeout: read\ncolour: blue\n"),
    "sub/b.yaml": GOOD.replace("permission: read", "permission: root"),
  });
  assert.deepEqual(problems.map((p) => [p.file, p.field]), [
    ["a.yaml", "colour"],
    ["sub/b.yaml", "permission"],
  ]);
});

/** Runs the CLI as users do and returns its exit code and output. */
async function berth(permissions: string[], ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "src/main.ts", ...args],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("berth validate: exit 0 for valid directories, 2 with file:line: field otherwise", async () => {
  const good = manifestDir({ "probe.yaml": GOOD });
  const bad = manifestDir({
    "probe.yaml": GOOD.replace("timeout: read\n", "timeout: read\ncolour: x\n"),
  });
  try {
    const builtins = await berth(["-A"], "validate");
    assert.equal(builtins.code, 0, builtins.stderr);
    assert.match(builtins.stdout, /^ok: \d+ tools valid/);

    const ok = await berth(["-A"], "validate", good);
    assert.equal(ok.code, 0, ok.stderr);

    const failed = await berth(["-A"], "validate", good, bad);
    assert.equal(failed.code, 2);
    assert.equal(failed.stdout, "");
    assert.ok(failed.stderr.includes(`${bad}/probe.yaml:6: colour: unknown key`), failed.stderr);
  } finally {
    Deno.removeSync(good, { recursive: true });
    Deno.removeSync(bad, { recursive: true });
  }
});

Deno.test("berth validate: a filter or transform berth does not ship fails naming the file and the name, as start does", async () => {
  const bad = manifestDir({
    "probe.yaml": GOOD.replace('text: "{kind} {path}"', 'text: "{kind | no_such_filter} {path}"'),
  });
  const badTransform = manifestDir({
    "probe.yaml": GOOD.replace("from: Path }", "from: Path, transform: no_such_transform }"),
  });
  try {
    const failed = await berth(["-A"], "validate", bad);
    assert.equal(failed.code, 2, failed.stdout);
    assert.ok(failed.stderr.includes(`${bad}/probe.yaml`), failed.stderr);
    assert.match(failed.stderr, /filter 'no_such_filter'/);
    const failedTransform = await berth(["-A"], "validate", badTransform);
    assert.equal(failedTransform.code, 2, failedTransform.stdout);
    assert.match(failedTransform.stderr, /no_such_transform/);
  } finally {
    Deno.removeSync(bad, { recursive: true });
    Deno.removeSync(badTransform, { recursive: true });
  }
});

Deno.test("berth validate: a read tool with a DELETE route fails with file:line: permission and the fix", async () => {
  const bad = manifestDir({ "probe.yaml": withRoute("DELETE", "/containers/{container_id}") });
  try {
    const failed = await berth(["-A"], "validate", bad);
    assert.equal(failed.code, 2);
    assert.ok(failed.stderr.includes(`${bad}/probe.yaml:4: permission: `), failed.stderr);
    assert.match(
      failed.stderr,
      /DELETE \/containers\/\{container_id\}.*declare permission: lifecycle/,
    );
  } finally {
    Deno.removeSync(bad, { recursive: true });
  }
});

Deno.test("berth validate: a directory the sandbox refuses names the --allow-read to add", async () => {
  const dir = manifestDir({ "probe.yaml": GOOD });
  try {
    const refused = await berth(["-P=berth"], "validate", dir);
    assert.equal(refused.code, 2);
    assert.ok(refused.stderr.includes(`--allow-read=${dir}`), refused.stderr);
    assert.match(refused.stderr, /sandbox/);
    // The flag as given keeps the set's own paths (the built-in manifests), so it just works.
    const flag = /--allow-read=\S+/.exec(refused.stderr)![0];
    const granted = await berth(["-P=berth", flag], "validate", dir);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /^ok: \d+ tools valid/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
