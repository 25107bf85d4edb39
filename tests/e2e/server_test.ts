/**
 * berth as users run it: `deno run -P=berth src/main.ts serve`, driven by the
 * MCP SDK client over stdio against the real engine. Outputs are validated
 * against their outputSchema by the SDK client and again explicitly.
 */

import assert from "node:assert/strict";
import { VERSION } from "../../src/app/mod.ts";
import { cleanup, defer, docker, runContainer, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { builtinApp } from "../tools/catalog.ts";
import {
  callExpectingError,
  callTool,
  codeOf,
  connect,
  RawServer,
  schemaErrors,
  SPAWN_TEST,
} from "./_mcp.ts";

const SUITE = "e2e-server";

/** Tools as the built-in manifests declare them, for the expected listings. */
const everything = await builtinApp({ allow: "all" });
const readOnly = await builtinApp({});
everything.engine.close();
readOnly.engine.close();
const writeTools = everything.allTools.filter((t) => t.permission !== "read");

/**
 * Valid values for required parameters, by parameter name, pointing at real
 * objects made below. A read tool whose required parameter is missing here
 * fails the test: add a fixture for it.
 */
async function fixtures(): Promise<Record<string, unknown>> {
  await cleanup(SUITE);
  // No network: the fixtures need none, and the default bridge is shared state.
  const container = await runContainer(SUITE, {
    args: ["--network", "none"],
    command: ["sh", "-c", "echo hello from e2e; echo oops >&2; touch /tmp/changed; sleep 3600"],
  });
  const project = uniqueName("berth-e2e-proj");
  await runContainer(SUITE, {
    name: `${project}-web-1`,
    args: [
      "--network",
      "none",
      "--label",
      `com.docker.compose.project=${project}`,
      "--label",
      "com.docker.compose.service=web",
      "--label",
      "com.docker.compose.container-number=1",
      "--label",
      "com.docker.compose.oneoff=False",
    ],
  });
  const volume = uniqueName("berth-e2e-vol");
  await docker("volume", "create", "--label", `berth.test=${SUITE}`, volume);
  return {
    container_id: container,
    image: TEST_IMAGE,
    image_id: TEST_IMAGE,
    network_id: "bridge",
    network: "bridge",
    volume_name: volume,
    project_name: project,
    operation_id: "op-none-on-a-read-only-server",
    // Swarm objects: the shared engine is not in swarm mode (EXPECTED_ERRORS).
    service_id: "berth-e2e-no-service",
    node_id: "berth-e2e-no-node",
    stack_name: "berth-e2e-no-stack",
    name: "berth-e2e-no-secret",
  };
}

/** Optional parameters a tool needs one of (a container or a service to diagnose). */
const ONE_OF: Record<string, string[]> = { docker_diagnose: ["container_id"] };

/**
 * Read tools no fixture can satisfy on a read-only server, and the error they
 * must answer instead: operations only come from long tools of other levels.
 */
const EXPECTED_ERRORS: Record<string, string> = {
  docker_operation_status: "DKR-011",
  // The shared engine is not a swarm manager: each swarm read says so (503, DKR-012 with the fix).
  ...Object.fromEntries(
    [
      "docker_list_nodes",
      "docker_inspect_node",
      "docker_list_services",
      "docker_inspect_service",
      "docker_service_logs",
      "docker_list_tasks",
      "docker_stack_list",
      "docker_stack_ps",
      "docker_list_secrets",
      "docker_inspect_secret",
      "docker_list_configs",
      "docker_inspect_config",
    ].map((name) => [name, "DKR-012"]),
  ),
};

/** The SDK client's compiled outputSchema validators, filled by listTools. */
interface ValidatorCache {
  getToolOutputValidator(name: string): ((value: unknown) => { valid: boolean }) | undefined;
}

/** Required parameters of a tool, from its inputSchema. */
function requiredOf(tool: { inputSchema: { required?: string[] } }): string[] {
  return tool.inputSchema.required ?? [];
}

Deno.test("e2e: the default server (read only)", SPAWN_TEST, async (t) => {
  await using _cleanup = defer(() => cleanup(SUITE));
  const values = await fixtures();
  // --output-schemas: the SDK client then checks every structured result on the way.
  await using s = await connect(["--output-schemas"]);

  await t.step("initialize reports the server as berth", () => {
    const server = s.client.getServerVersion();
    assert.equal(server?.name, "berth");
    assert.equal(server?.version, VERSION);
    assert.ok(s.client.getServerCapabilities()?.tools, "tools capability");
    assert.match(s.client.getInstructions() ?? "", /docker_/);
  });

  const { tools } = await s.client.listTools();

  await t.step("tools/list has exactly the read tools, in catalogue order", () => {
    assert.deepEqual(tools.map((x) => x.name), readOnly.tools.map((x) => x.name));
    for (const tool of tools) {
      // The other hints weigh side effects: a read-only tool sends none.
      assert.deepEqual(tool.annotations, { readOnlyHint: true }, tool.name);
      assert.equal(tool.inputSchema.additionalProperties, false, tool.name);
    }
    const listed = new Set(tools.map((x) => x.name));
    for (const w of writeTools) assert.ok(!listed.has(w.name), `${w.name} is listed`);
  });

  await t.step("an unknown tool is a protocol error, its prefix said once", async () => {
    await assert.rejects(
      s.client.callTool({ name: "docker_nope", arguments: {} }),
      (error: Error) => {
        assert.equal(error.message, "MCP error -32602: Unknown tool 'docker_nope'");
        return true;
      },
    );
    await assert.rejects(
      s.client.callTool({ name: "docker_top_container", arguments: {} }),
      /Unknown tool 'docker_top_container'; did you mean 'docker_container_top'\?/,
    );
  });

  await t.step("the client validates outputs: every tool has a compiled outputSchema", () => {
    for (const tool of tools) {
      assert.ok(tool.outputSchema, `${tool.name} has no outputSchema`);
      // The SDK's own cache, which callTool consults (private in its types).
      const validate = (s.client as unknown as ValidatorCache).getToolOutputValidator(tool.name);
      assert.ok(validate, `${tool.name}: the SDK client compiled no validator`);
      if ((tool.outputSchema.required ?? []).length) {
        assert.equal(validate({}).valid, false, `${tool.name}: {} passes its outputSchema`);
      }
    }
  });

  await t.step(
    "every read tool answers real fixtures with output matching its schema",
    async () => {
      const unfixed: string[] = [];
      for (const tool of tools) {
        const args: Record<string, unknown> = {};
        for (const name of requiredOf(tool)) {
          if (values[name] === undefined) unfixed.push(`${tool.name}.${name}`);
          args[name] = values[name];
        }
        for (const name of ONE_OF[tool.name] ?? []) args[name] = values[name];
        if (requiredOf(tool).some((name) => values[name] === undefined)) continue;
        const expected = EXPECTED_ERRORS[tool.name];
        if (expected) {
          const result = await callExpectingError(s, tool.name, args);
          assert.equal(codeOf(result), expected, `${tool.name}: ${result.content[0]?.text}`);
          continue;
        }
        // callTool throws when structuredContent does not match the outputSchema, and
        // (SDK 1.32.2) on error results too: then ask again for the error's text.
        let result;
        try {
          result = await callTool(s, tool.name, args);
        } catch (error) {
          const again = await callExpectingError(s, tool.name, args);
          assert.fail(`${tool.name} ${JSON.stringify(args)}: ${again.content[0]?.text ?? error}`);
        }
        assert.ok(
          !result.isError,
          `${tool.name} ${JSON.stringify(args)}: ${result.content[0]?.text}`,
        );
        assert.ok(result.structuredContent, `${tool.name}: no structuredContent`);
        const invalid = schemaErrors(tool.outputSchema!, result.structuredContent);
        assert.equal(invalid, undefined, `${tool.name}: ${invalid}`);
        assert.equal(result.content.length, 1, tool.name);
        assert.equal(result.content[0].type, "text", tool.name);
        assert.ok(result.content[0].text?.length, `${tool.name}: empty text`);
      }
      assert.deepEqual(unfixed, [], "add fixtures for these required parameters");
    },
  );

  await t.step("calling a tool whose level is not granted answers DKR-007", async () => {
    // With no write tool built in yet, manifest_dir_test covers this with a user tool.
    for (const w of writeTools) {
      const result = await callExpectingError(s, w.name, {});
      assert.equal(result.isError, true, w.name);
      assert.equal(codeOf(result), "DKR-007", `${w.name}: ${result.content[0]?.text}`);
      assert.match(result.content[0]?.text ?? "", /^Error: DKR-007 denied_by_policy: .*--allow/);
    }
  });

  await t.step(
    "docker_list_engines with one engine says so, not that a toolset is off",
    async () => {
      const result = await callExpectingError(s, "docker_list_engines", {});
      assert.equal(codeOf(result), "DKR-004", result.content[0]?.text);
      assert.match(result.content[0]?.text ?? "", /one engine/);
    },
  );

  await t.step("a missing container answers DKR-002", async () => {
    const result = await callExpectingError(s, "docker_container_top", {
      container_id: "berth-e2e-does-not-exist",
    });
    assert.equal(codeOf(result), "DKR-002", result.content[0]?.text);
    assert.match(result.content[0]?.text ?? "", /^Error: DKR-002 container_not_found: /);
    const error = result.structuredContent?.error as Record<string, string>;
    assert.deepEqual(Object.keys(error).filter((k) => k !== "context").sort(), [
      "code",
      "hint",
      "message",
      "type",
    ]);
    assert.equal(error.type, "container_not_found");
  });

  await t.step("a hostile id answers DKR-004 naming the field", async () => {
    for (const id of ["../images/json", "%2e%2e", "a?all=1", "a\nb"]) {
      const result = await callExpectingError(s, "docker_container_top", { container_id: id });
      assert.equal(
        codeOf(result),
        "DKR-004",
        `${JSON.stringify(id)}: ${result.content[0]?.text}`,
      );
      assert.match(result.content[0]?.text ?? "", /'container_id'/);
    }
  });

  await t.step("bad arguments are tool errors; an unknown tool is a protocol error", async () => {
    const result = await callExpectingError(s, "docker_list_containers", { limit: "many" });
    assert.equal(codeOf(result), "DKR-004");
    assert.match(result.content[0]?.text ?? "", /'limit'/);
    await assert.rejects(() => callTool(s, "docker_no_such_tool", {}), /docker_no_such_tool/);
  });

  await t.step("nothing but JSON-RPC reached the client", () => {
    assert.deepEqual(s.errors.map(String), []);
  });
});

Deno.test(
  "e2e: --allow all lists every tool, without titles or output schemas",
  SPAWN_TEST,
  async () => {
    await using session = await connect(["--allow", "all"]);
    const { tools } = await session.client.listTools();
    assert.deepEqual(tools.map((x) => x.name), everything.tools.map((x) => x.name));
    // Every loaded tool but docker_list_engines, which only several engines list.
    assert.equal(tools.length, everything.allTools.length - 1);
    for (const tool of tools) {
      assert.deepEqual(
        Object.keys(tool).sort(),
        ["annotations", "description", "inputSchema", "name"],
        tool.name,
      );
    }
    // Without an outputSchema the client has nothing to check, yet results keep their shape.
    const result = await callTool(session, "docker_version");
    const definition = everything.interpreter.definition("docker_version")!;
    assert.equal(schemaErrors(definition.outputSchema, result.structuredContent), undefined);
  },
);

Deno.test("e2e: stdout carries only MCP JSON-RPC messages", SPAWN_TEST, async () => {
  const server = new RawServer(["--log-level", "debug"]);
  const messages = [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
    {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "docker_list_containers", arguments: { limit: 1 } },
    },
    {
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "docker_container_top", arguments: { container_id: "../x" } },
    },
  ];
  for (const message of messages) await server.send(message);
  // Every request answered, then stdin closed and stdout drained.
  for (const id of [1, 2, 3, 4]) await server.answers(id);
  const status = await server.close();

  const ids: number[] = [];
  for (const line of server.lines.filter((l) => l.trim())) {
    let parsed: { jsonrpc?: string; id?: number };
    try {
      parsed = JSON.parse(line);
    } catch {
      assert.fail(`stdout line is not JSON: ${line.slice(0, 200)}`);
    }
    assert.equal(parsed.jsonrpc, "2.0", line.slice(0, 200));
    if (parsed.id !== undefined) ids.push(parsed.id);
  }
  assert.deepEqual(ids.sort(), [1, 2, 3, 4]);
  const errors = server.stderr;
  assert.equal(status.code, 0, `berth exited ${status.code} when stdin closed; stderr:\n${errors}`);
  assert.match(errors, /berth: info: /, "logs go to stderr");
  assert.match(errors, /berth: info: engine API version \S+ \(negotiated\)/);
  // debug: one line per call with its tool, duration and outcome, never its arguments.
  assert.match(errors, /^berth: debug: call docker_list_containers \d+ms ok$/m);
  assert.match(errors, /^berth: debug: call docker_container_top \d+ms DKR-004$/m);
  assert.doesNotMatch(errors, /\.\.\/x/, "arguments are not logged");
});
