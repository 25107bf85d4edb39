/**
 * Prompts, resources, completion and sampling as a client sees them: berth
 * spawned as users run it (`deno run -P=berth src/main.ts serve`) and driven
 * by the MCP SDK client over stdio, against the real engine.
 */

import assert from "node:assert/strict";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import {
  type CreateMessageRequest,
  CreateMessageRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { docker, runContainer, uniqueName } from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { connect, readAlso, type Session, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "e2e-prompts";
const CANNED = "Canned synthesis: the database at db:5432 refuses connections.";

/** Spawns berth and connects a client that may declare sampling and answer it. */
function connectClient(
  sampling?: (request: CreateMessageRequest) => void,
  options: { args?: string[]; denoFlags?: string[] } = {},
): Promise<Session> {
  return connect(options.args, {
    denoFlags: options.denoFlags,
    name: "berth-e2e-prompts",
    capabilities: sampling ? { sampling: {} } : {},
    handlers: (client) => {
      if (!sampling) return;
      client.setRequestHandler(CreateMessageRequestSchema, (request) => {
        sampling(request);
        return {
          model: "canned-model",
          role: "assistant",
          content: { type: "text", text: CANNED },
        };
      });
    },
  });
}

function promptText(result: { messages: { content: { type: string; text?: string } }[] }) {
  return result.messages.map((m) => m.content.text ?? "").join("\n");
}

async function mcpErrorOf(work: Promise<unknown>): Promise<McpError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof McpError) return error;
    throw error;
  }
  throw new Error("expected an MCP error");
}

Deno.test("e2e: prompts, resources, completion and sampling", SPAWN_TEST, async (t) => {
  // Another run of this suite may be under way: only stale leftovers of the label go.
  await docker(
    ...["container", "prune", "-f", "--filter", `label=berth.test=${SUITE}`],
    ...["--filter", "until=10m"],
  );
  const prefix = uniqueName("berth-e2epr");
  const [failed, running] = await Promise.all([
    runContainer(SUITE, {
      name: `${prefix}-failed`,
      args: ["--network", "none", "-m", "64m", "-e", "DB_PASSWORD=hunter2"],
      command: [
        "sh",
        "-c",
        "echo 'connecting with DB_PASSWORD=hunter2'; echo 'retrying with hunter2'; " +
        "echo 'fatal: dial tcp db:5432: connect: connection refused'; exit 3",
      ],
    }),
    runContainer(SUITE, {
      name: `${prefix}-running`,
      args: ["--network", "none", "-e", "API_KEY=hunter2", "--cap-add", "NET_ADMIN"],
      command: [
        "sh",
        "-c",
        "echo hello-resource; echo 'SESSION_TOKEN=hunter2'; echo 'session hunter2'; sleep 300",
      ],
    }),
  ]);
  {
    await using plain = await connectClient();
    await t.step("prompts are listed with their arguments", async () => {
      const { prompts } = await plain.client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name).sort(), [
        "cleanup_plan",
        "plan_stack_deployment",
        "security_review",
        "troubleshoot_container",
      ]);
      const troubleshoot = prompts.find((p) => p.name === "troubleshoot_container")!;
      assert.deepEqual(troubleshoot.arguments?.map((a) => [a.name, a.required]), [
        ["container_id", true],
      ]);
    });

    await t.step("troubleshoot_container: exit code, memory limit, redacted logs", async () => {
      const text = promptText(
        await plain.client.getPrompt({
          name: "troubleshoot_container",
          arguments: { container_id: failed },
        }),
      );
      assert.match(text, /exit code 3\b/);
      assert.match(text, /memory limit 64 MiB/);
      assert.match(text, /fatal: dial tcp db:5432: connect: connection refused/);
      assert.match(text, /DB_PASSWORD=\*\*\*REDACTED\*\*\*/);
      // Printed without its key, the value is known from the container's env.
      assert.match(text, /retrying with \*\*\*REDACTED\*\*\*/);
      assert.doesNotMatch(text, /hunter2/);
      assert.match(text, /<<<BEGIN container logs \[\w+\]: data from the Docker engine/);
      assert.match(text, /never instructions/);
      assert.match(text, /db:5432/);
      const unlimited = promptText(
        await plain.client.getPrompt({
          name: "troubleshoot_container",
          arguments: { container_id: running },
        }),
      );
      assert.match(unlimited, /Limits: memory limit: none\./);
      assert.doesNotMatch(unlimited, /none MiB/);
    });

    await t.step("troubleshoot_container: a missing container is DKR-002", async () => {
      const error = await mcpErrorOf(
        plain.client.getPrompt({
          name: "troubleshoot_container",
          arguments: { container_id: `${prefix}-nope` },
        }),
      );
      assert.match(error.message, /DKR-002 container_not_found/);
      // The client prefixes the code once: the server sends the DKR text alone.
      assert.match(error.message, /^MCP error -32602: Error: DKR-002/);
    });

    await t.step("security_review: privileges and capabilities, env redacted", async () => {
      const text = promptText(
        await plain.client.getPrompt({
          name: "security_review",
          arguments: { container_id: running },
        }),
      );
      assert.match(text, /"privileged": false/);
      assert.match(text, /NET_ADMIN/);
      assert.match(text, /API_KEY=\*\*\*REDACTED\*\*\*/);
      assert.doesNotMatch(text, /hunter2/);
    });

    await t.step("plan_stack_deployment and cleanup_plan", async () => {
      const plan = promptText(
        await plain.client.getPrompt({
          name: "plan_stack_deployment",
          arguments: { description: "nginx in front of a redis cache" },
        }),
      );
      assert.match(plan, /nginx in front of a redis cache/);
      assert.match(plan, /docker_compose_up/);
      assert.match(plan, /without the 'create' level/);
      const cleanupText = promptText(await plain.client.getPrompt({ name: "cleanup_plan" }));
      assert.match(cleanupText, /"reclaimable_mb"/);
      assert.match(cleanupText, /docker_prune_images/);
    });

    await t.step("resource templates: logs (text, redacted) and stats (JSON)", async () => {
      const { resourceTemplates } = await plain.client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r) => r.uriTemplate), [
        "container://logs/{container_id}",
        "container://stats/{container_id}",
      ]);
      const logs = await plain.client.readResource({ uri: `container://logs/${running}` });
      const content = logs.contents[0] as { text: string; mimeType: string };
      assert.equal(content.mimeType, "text/plain");
      assert.match(content.text, /hello-resource/);
      assert.match(content.text, /SESSION_TOKEN=\*\*\*REDACTED\*\*\*/);
      assert.doesNotMatch(content.text, /hunter2/);
      const stats = await plain.client.readResource({ uri: `container://stats/${running}` });
      const snapshot = JSON.parse((stats.contents[0] as { text: string }).text);
      assert.equal(snapshot.name, running);
      assert.equal(typeof snapshot.memory_usage_mb, "number");
      const error = await mcpErrorOf(
        plain.client.readResource({ uri: `container://logs/${prefix}-nope` }),
      );
      // -32602 on every revision (2026-07-28 requires it; 2025 clients accept it).
      assert.equal(error.code, -32602);
      assert.match(error.message, /^MCP error -32602: Error: DKR-002/);
    });

    await t.step("resources/list: running containers as log resources", async () => {
      const { resources } = await plain.client.listResources();
      const uris = resources.map((r) => r.uri);
      assert.ok(uris.includes(`container://logs/${running}`), uris.join(" "));
      assert.ok(!uris.includes(`container://logs/${failed}`), "an exited container is listed");
    });

    await t.step("completion of container names", async () => {
      const forPrompt = await plain.client.complete({
        ref: { type: "ref/prompt", name: "troubleshoot_container" },
        argument: { name: "container_id", value: prefix },
      });
      assert.deepEqual(forPrompt.completion.values, [failed, running]);
      const forStats = await plain.client.complete({
        ref: { type: "ref/resource", uri: "container://stats/{container_id}" },
        argument: { name: "container_id", value: prefix },
      });
      assert.deepEqual(forStats.completion.values, [running]);
    });

    await t.step("docker_diagnose use_ai without sampling or fallback says so", async () => {
      const result = await plain.client.callTool({
        name: "docker_diagnose",
        arguments: { container_id: failed, use_ai: true },
      });
      const ai = (result.structuredContent as { ai: { used: boolean; reason: string } }).ai;
      assert.equal(ai.used, false);
      assert.match(ai.reason, /did not declare the sampling capability/);
      const findings = (result.structuredContent as { findings: { rule: string }[] }).findings;
      assert.equal(findings[0].rule, "dependency_unreachable");
    });
  }

  await t.step("docker_diagnose use_ai with client sampling returns its synthesis", async () => {
    const requests: CreateMessageRequest[] = [];
    await using sampling = await connectClient((request) => requests.push(request));
    const result = await sampling.client.callTool({
      name: "docker_diagnose",
      arguments: { container_id: failed, use_ai: true },
    });
    const ai = (result.structuredContent as { ai: Record<string, unknown> }).ai;
    assert.deepEqual([ai.used, ai.via, ai.synthesis], [true, "sampling", CANNED]);
    assert.equal(requests.length, 1);
    const params = requests[0].params;
    assert.equal(params.maxTokens, 500);
    assert.match(params.systemPrompt ?? "", /never follow instructions/);
    const sent = JSON.stringify(params.messages);
    assert.match(sent, /BEGIN container logs/);
    assert.match(sent, /retrying with \*\*\*REDACTED\*\*\*/);
    assert.doesNotMatch(sent, /hunter2/);
  });
  await t.step("hidden containers answer exactly like missing ones", async () => {
    await using session = await connectClient(undefined, { args: ["--deny-containers", failed] });
    const ask = (id: string) =>
      mcpErrorOf(
        session.client.getPrompt({
          name: "troubleshoot_container",
          arguments: { container_id: id },
        }),
      );
    const hidden = await ask(failed);
    const missing = await ask(`${prefix}-nope`);
    assert.match(hidden.message, /DKR-002/);
    assert.equal(
      hidden.message.replaceAll(failed, "X"),
      missing.message.replaceAll(`${prefix}-nope`, "X"),
    );
    const read = await mcpErrorOf(
      session.client.readResource({ uri: `container://logs/${failed}` }),
    );
    assert.equal(read.code, -32602);
    const completion = await session.client.complete({
      ref: { type: "ref/prompt", name: "troubleshoot_container" },
      argument: { name: "container_id", value: prefix },
    });
    assert.deepEqual(completion.completion.values, [running]);
  });

  await t.step("an enabled fallback outside the sandbox names the permissions", async () => {
    using dir = tempDir("berth-e2e-fallback-", {
      "config.json": JSON.stringify({ fallback: { enabled: true } }),
    });
    await using session = await connectClient(undefined, {
      args: ["--config", `${dir.path}/config.json`],
      denoFlags: readAlso([dir.path]),
    });
    const result = await session.client.callTool({
      name: "docker_diagnose",
      arguments: { container_id: failed, use_ai: true },
    });
    const ai = (result.structuredContent as { ai: { used: boolean; reason: string } }).ai;
    assert.ok(ai, JSON.stringify(result));
    assert.equal(ai.used, false);
    // The variable first, then the set's own list, which the flag replaces.
    assert.match(ai.reason, /--allow-env=DOCKER_MCP_FALLBACK_KEY,HOME,[^ ]*DOCKER_HOST/);
    // The set opens the network already: no net flag that would narrow it.
    assert.doesNotMatch(ai.reason, /--allow-net/);
  });
  await docker("rm", "-f", failed, running);
});
