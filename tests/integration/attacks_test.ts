/**
 * Attacks on the name lists, against the real engine (suite `attacks`).
 *
 * A container hidden by the lists must be absent from every list and answer
 * exactly like a missing container (DKR-002, same message, hint and context,
 * "No such container: <what the caller typed>") whether it is named by name,
 * full ID or ID prefix, in any tool; and its existence must never change how
 * another reference resolves. Every hostile path parameter is refused before
 * a URL is built.
 *
 * Sibling files: attacks_guards_test.ts (create/exec/copy/build/compose/image
 * guards), attacks_leaks_test.ts (redaction, audit, registry auth,
 * confirmation, manifests). Counts are in ATTACK_CASES of each file.
 */

import { containers } from "../../src/engine/ops/mod.ts";
import assert from "node:assert/strict";
import type { App } from "../../src/app/mod.ts";
import type { ToolResult } from "../../src/interpreter/mod.ts";
import {
  call,
  callOk,
  cleanup,
  docker,
  errorCode,
  runContainer,
  TEST_IMAGE,
  testApp,
  uniqueName,
} from "../helpers/mod.ts";
import { settle } from "../helpers/asserts.ts";

const SUITE = "attacks";
await cleanup(SUITE);

const P = uniqueName("berth-atk");
const WEB = `${P}-web`;
const VAULT = `${P}-vault`; // hidden by --deny-containers '*-vault'
const VAULT_CASE = `${P}-Vault`; // hidden too: deny globs ignore case
const MISSING = `${P}-missing`;

await runContainer(SUITE, { name: WEB, args: ["--label", `com.docker.compose.project=${P}`] });
await runContainer(SUITE, {
  name: VAULT,
  args: [
    "--label",
    `com.docker.compose.project=${P}`,
    "--label",
    "com.docker.compose.service=vault",
    "--network",
    "bridge",
  ],
});
await runContainer(SUITE, { name: VAULT_CASE });
const WEB_ID = await docker("inspect", "--format", "{{.Id}}", WEB);
const VAULT_ID = await docker("inspect", "--format", "{{.Id}}", VAULT);
const VAULT_CASE_ID = await docker("inspect", "--format", "{{.Id}}", VAULT_CASE);

const open = await testApp({ allow: "all" });
const deny = await testApp({ allow: "all", denyContainers: ["*-vault"] });
const allowWeb = await testApp({ allow: "all", allowContainers: [`${WEB}*`] });

/** Every way of naming the hidden container, and the missing spelling it must look like. */
const HIDDEN_REFS: [string, string][] = [
  [VAULT, MISSING],
  [VAULT_ID, "f".repeat(64)],
  [VAULT_ID.slice(0, 12), "f".repeat(12)],
  [VAULT_CASE, `${MISSING}-2`],
  [VAULT_CASE_ID.slice(0, 16), "e".repeat(16)],
];

/** Tools that take a container, with the other arguments they need. */
const CONTAINER_TOOLS: [string, Record<string, unknown>][] = [
  ["docker_inspect_container", {}],
  ["docker_container_logs", {}],
  ["docker_container_stats", {}],
  ["docker_container_top", {}],
  ["docker_start_container", {}],
  ["docker_stop_container", { timeout: 1 }],
  ["docker_restart_container", { timeout: 1 }],
  ["docker_pause_container", {}],
  ["docker_unpause_container", {}],
  ["docker_kill_container", {}],
  ["docker_wait_container", { timeout: 1 }],
  ["docker_remove_container", { force: true }],
  ["docker_exec_command", { command: ["true"] }],
  ["docker_copy_from_container", { path: "/etc/hostname" }],
  ["docker_copy_to_container", { path: "/tmp", files: [{ name: "x", content: "x" }] }],
  ["docker_connect_container", { network: "bridge" }],
  ["docker_disconnect_container", { network: "bridge" }],
  ["docker_diagnose", {}],
];

/** The error answer with the caller's reference replaced, to compare two answers. */
function shape(result: ToolResult, ref: string): unknown {
  assert.ok(result.isError, `expected an error, got ${result.text.slice(0, 200)}`);
  return JSON.parse(JSON.stringify(result).replaceAll(ref, "<ref>"));
}

/** Fails when a result shows the hidden containers (other than the reference the caller typed). */
function assertNoTrace(result: ToolResult, what: string, typed?: string): void {
  const all = typed ? JSON.stringify(result).replaceAll(typed, "<typed>") : JSON.stringify(result);
  for (const secret of [VAULT, VAULT_CASE, VAULT_ID.slice(0, 12), VAULT_CASE_ID.slice(0, 12)]) {
    assert.ok(!all.includes(secret), `${what} shows the hidden container (${secret})`);
  }
}

function tools(app: App): [string, Record<string, unknown>][] {
  return CONTAINER_TOOLS.filter(([tool]) => app.interpreter.has(tool));
}

/** Number of attack cases this file runs (reported by the security engineer). */
export let ATTACK_CASES = 0;

Deno.test("attacks: a hidden container answers exactly like a missing one, in every container tool", async () => {
  for (const [tool, extra] of tools(deny)) {
    for (const [hidden, missing] of HIDDEN_REFS) {
      ATTACK_CASES++;
      const a = await call(deny, tool, { container_id: hidden, ...extra });
      const b = await call(deny, tool, { container_id: missing, ...extra });
      assert.equal(errorCode(a), "DKR-002", `${tool} ${hidden}: ${a.text}`);
      assert.equal(
        (a.structured.error as { message: string }).message,
        `No such container: ${hidden}`,
      );
      assert.deepEqual(shape(a, hidden), shape(b, missing), `${tool}: hidden vs missing`);
      assertNoTrace(a, tool, hidden);
    }
  }
  // Nothing happened to it: still running, not renamed, not removed.
  assert.equal(await docker("inspect", "--format", "{{.State.Running}}", VAULT), "true");
});

Deno.test("attacks: hidden containers are absent from every list", async () => {
  const lists: [string, Record<string, unknown>][] = [
    ["docker_list_containers", { all: true }],
    ["docker_list_containers", { all: true, filters: { name: [VAULT] } }],
    ["docker_list_containers", { all: true, filters: { id: [VAULT_ID] } }],
    ["docker_list_containers", { all: true, limit: 1 }],
    ["docker_container_stats", {}],
    ["docker_events", { since: "10m" }],
    ["docker_events", { since: "10m", filters: { container: [VAULT] } }],
    ["docker_inspect_network", { network_id: "bridge" }],
    ["docker_list_networks", {}],
    ["docker_system_df", {}],
    ["docker_compose_ps", { project_name: P }],
    ["docker_compose_ps", {}],
  ];
  for (const [tool, args] of lists) {
    if (!deny.interpreter.has(tool)) continue;
    ATTACK_CASES++;
    const result = await callOk(deny, tool, args);
    assertNoTrace(result, `${tool} ${JSON.stringify(args)}`);
  }
  // The visible one is still listed, and the open app still sees the hidden one.
  const listed = await callOk(deny, "docker_list_containers", { all: true });
  assert.ok(JSON.stringify(listed).includes(WEB));
  const limited = await callOk(deny, "docker_list_containers", {
    all: true,
    limit: 1,
    filters: { label: [`com.docker.compose.project=${P}`] },
  });
  assert.equal(limited.structured.count, 1, "limit counts visible containers only");
  assert.ok(JSON.stringify(limited).includes(WEB));
  const unfiltered = await callOk(open, "docker_list_containers", { all: true });
  assert.ok(JSON.stringify(unfiltered).includes(VAULT));
});

Deno.test("attacks: a hidden container never changes how another reference resolves", async () => {
  // A hidden container named like the visible one's ID prefix: the engine prefers the name.
  const prefix = WEB_ID.slice(0, 12);
  await runContainer(SUITE, { name: prefix });
  ATTACK_CASES++;
  let result = await callOk(allowWeb, "docker_inspect_container", { container_id: prefix });
  assert.equal(JSON.stringify(result).includes(WEB_ID), true, "resolved among visible ones");
  // Hidden containers sharing the visible one's first ID character: the engine finds the
  // prefix ambiguous, berth resolves it among the visible ones only.
  let shared = "";
  for (let i = 0; i < 64 && !shared; i++) {
    const id = await docker(
      "create",
      "--label",
      `berth.test=${SUITE}`,
      "--name",
      `${P}-h${i}`,
      TEST_IMAGE,
    );
    if (id[0] === WEB_ID[0]) shared = id;
  }
  assert.ok(shared, "made a hidden container sharing the first ID character");
  ATTACK_CASES++;
  const ambiguous = await call(open, "docker_inspect_container", { container_id: WEB_ID[0] });
  assert.ok(ambiguous.isError, "the open app sees the ambiguity");
  result = await callOk(allowWeb, "docker_inspect_container", { container_id: WEB_ID[0] });
  assert.ok(JSON.stringify(result).includes(WEB_ID));
  ATTACK_CASES++;
  result = await call(allowWeb, "docker_container_top", { container_id: shared.slice(0, 12) });
  assert.equal(errorCode(result), "DKR-002", "the hidden one by its own prefix");
});

Deno.test("attacks: case tricks and slashes never reach a hidden container", async () => {
  const refs = [
    VAULT.toUpperCase(),
    `/${VAULT}`,
    `${VAULT} `,
    `${VAULT}\n`,
    VAULT_ID.toUpperCase(),
  ];
  for (const ref of refs) {
    ATTACK_CASES++;
    const result = await call(deny, "docker_inspect_container", { container_id: ref });
    assert.ok(
      ["DKR-002", "DKR-004"].includes(errorCode(result)!),
      `${JSON.stringify(ref)}: ${result.text}`,
    );
    // One leading '/' is read off (inspect prints names so): the answer names
    // what the caller typed without it, exactly as for a container that never existed.
    assertNoTrace(result, JSON.stringify(ref), ref.trim().replace(/^\//, ""));
  }
  ATTACK_CASES++;
  const hidden = await call(deny, "docker_inspect_container", { container_id: `/${VAULT}` });
  const missing = await call(deny, "docker_inspect_container", { container_id: `/${MISSING}` });
  assert.deepEqual(shape(hidden, VAULT), shape(missing, MISSING), "'/hidden' vs '/missing'");
});

Deno.test("attacks: a hidden container named like an engine route (json) stays hidden", async () => {
  if (await docker("ps", "-a", "-q", "--filter", "name=^/json$")) return; // not ours to touch
  await docker("create", "--label", `berth.test=${SUITE}`, "--name", "json", TEST_IMAGE);
  for (
    const tool of ["docker_inspect_container", "docker_container_top", "docker_container_logs"]
  ) {
    ATTACK_CASES++;
    const result = await call(allowWeb, tool, { container_id: "json" });
    assert.equal(errorCode(result), "DKR-002", `${tool} json: ${result.text}`);
  }
  ATTACK_CASES++;
  const listed = await callOk(allowWeb, "docker_list_containers", { all: true });
  assert.ok(!listed.text.includes(" json "), "the list does not show it");
});

Deno.test("attacks: creating or renaming into a hidden name is refused", async () => {
  ATTACK_CASES++;
  let result = await call(deny, "docker_create_container", {
    image: TEST_IMAGE,
    name: `${P}-x-vault`,
  });
  assert.equal(errorCode(result), "DKR-007", result.text);
  ATTACK_CASES++;
  result = await call(deny, "docker_create_container", { image: TEST_IMAGE, name: VAULT });
  assert.equal(errorCode(result), "DKR-007", "no 'name in use' conflict that would reveal it");
  assertNoTrace(result, "create with the hidden name", VAULT);
  ATTACK_CASES++;
  result = await call(allowWeb, "docker_create_container", { image: TEST_IMAGE });
  assert.equal(errorCode(result), "DKR-007", "an allow list needs a name");
  ATTACK_CASES++;
  const via = await (async () => {
    try {
      await deny.engine.json(containers.rename(WEB, `${P}-renamed-vault`));
      return "renamed";
    } catch (error) {
      return (error as { code?: string }).code;
    }
  })();
  assert.equal(via, "DKR-007", "rename into a hidden name, even straight through the engine");
});

Deno.test("attacks: prune never reaches hidden containers", async () => {
  const label = ["--label", `berth.attacks.prune=${P}`];
  const hidden = await runContainer(SUITE, {
    name: `${P}-old-vault`,
    args: label,
    command: ["true"],
  });
  const visible = await runContainer(SUITE, {
    name: `${P}-old-web`,
    args: label,
    command: ["true"],
  });
  await docker("wait", hidden, visible);
  ATTACK_CASES++;
  const result = await callOk(deny, "docker_prune_containers", {
    filters: { label: [`berth.attacks.prune=${P}`] },
  });
  assertNoTrace(result, "prune");
  assert.equal(await docker("inspect", "--format", "{{.Name}}", hidden), `/${hidden}`);
  assert.match(
    await docker("ps", "-a", "--filter", `name=${visible}`, "--format", "{{.Names}}"),
    /^$/,
    "the visible stopped container was pruned",
  );
});

/** A valid value for a parameter, so that only the hostile one can fail. */
function validValue(p: { type: string | string[]; format?: string; enum?: string[] }): unknown {
  const type = Array.isArray(p.type) ? p.type[0] : p.type;
  if (p.enum) return p.enum[0];
  if (type === "string") return p.format === "image_ref" ? TEST_IMAGE : "x";
  return { integer: 1, number: 1, boolean: false, array: [], object: {} }[type];
}

Deno.test("attacks: hostile ids into every path parameter are refused before any URL is built", async () => {
  const hostileNames = [
    "../images",
    "..",
    ".",
    "%2e%2e",
    "a/../../images",
    "web?all=1",
    "web#x",
    "web\ttab",
    "prod-\ndb",
    "a b",
    "",
    "x".repeat(300),
  ];
  const hostileImages = ["../x", "x/../../y", "..", "nginx?x=1", "nginx#x", " nginx", "NGINX/../x"];
  for (const spec of open.allTools) {
    for (const [param, p] of Object.entries(spec.input)) {
      if (!p.required || (p.format !== "name_or_id" && p.format !== "image_ref")) continue;
      const others = Object.fromEntries(
        Object.entries(spec.input).filter(([k, q]) => k !== param && q.required)
          .map(([k, q]) => [k, validValue(q)]),
      );
      for (const value of p.format === "image_ref" ? hostileImages : hostileNames) {
        ATTACK_CASES++;
        const result = await call(open, spec.name, { ...others, [param]: value });
        const where = `${spec.name}.${param}=${JSON.stringify(value)}`;
        assert.equal(errorCode(result), "DKR-004", `${where}: ${result.text}`);
        assert.match(result.text, new RegExp(`'${param}`), where);
      }
    }
  }
});

Deno.test("attacks: cleanup", async () => {
  await settle(() => cleanup(SUITE));
  console.log(`attacks: ${ATTACK_CASES} attack cases in attacks_test.ts`);
});
