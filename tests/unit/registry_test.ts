/**
 * The MCP registry entry (server.json) against the constraints of the
 * registry's published schema (packaging/registry/server.schema.json), and
 * every place that names berth's packages agreeing on names and versions:
 * server.json, the npm package, the image, the Desktop bundle and berth setup.
 */

import assert from "node:assert/strict";
import { schemaErrors } from "../e2e/_mcp.ts";
import { NPM_PACKAGE, RELEASE_IMAGE } from "../../src/setup/mod.ts";
import denoConfig from "../../deno.json" with { type: "json" };

const read = (path: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../../${path}`, import.meta.url)));

const SCHEMA = read("packaging/registry/server.schema.json");
const SERVER = read("server.json");

Deno.test("registry: server.json satisfies the registry's server.json schema", () => {
  assert.equal(SERVER.$schema, SCHEMA.$id, "server.json names the schema it is checked against");
  assert.equal(schemaErrors(SCHEMA, SERVER), undefined);
});

Deno.test("registry: the schema refuses what the registry refuses", () => {
  const latest = structuredClone(SERVER);
  latest.packages[0].version = "latest";
  assert.ok(schemaErrors(SCHEMA, latest), "a package version 'latest'");
  const long = { ...SERVER, description: "x".repeat(101) };
  assert.ok(schemaErrors(SCHEMA, long), "a description over 100 characters");
  const twoSlashes = { ...SERVER, name: "io.github.a/b/c" };
  assert.ok(schemaErrors(SCHEMA, twoSlashes), "a name with two slashes");
});

Deno.test("registry: server.json, the npm package, the image and the bundle name one release", () => {
  const version = denoConfig.version;
  const pkg = read("packaging/npm/package.json");
  const bundle = read("packaging/mcpb/manifest.json");
  assert.equal(SERVER.version, version);
  assert.equal(SERVER.name, pkg.mcpName, "the registry checks mcpName against the name");
  const npm = SERVER.packages.find((p: { registryType: string }) => p.registryType === "npm");
  assert.deepEqual([npm.identifier, npm.version], [NPM_PACKAGE, version]);
  const oci = SERVER.packages.find((p: { registryType: string }) => p.registryType === "oci");
  assert.equal(oci.identifier, `${RELEASE_IMAGE}:${version}`);
  assert.equal(bundle.version, version);
  const dockerfile = Deno.readTextFileSync(new URL("../../Dockerfile", import.meta.url));
  assert.match(dockerfile, new RegExp(`ARG BERTH_IMAGE=${RELEASE_IMAGE}:${version}\\n`));
  // The registry ties an image to a server by this label, a package by mcpName.
  assert.ok(
    dockerfile.includes(`LABEL io.modelcontextprotocol.server.name="${SERVER.name}"`),
    "the image's io.modelcontextprotocol.server.name label",
  );
});
