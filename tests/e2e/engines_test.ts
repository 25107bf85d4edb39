/**
 * Several engines as an MCP client sees them: berth spawned as users run it
 * (`deno run -P=berth … serve --config`) with the test engine and the test
 * bed's Podman service: the `engine` parameter in tools/list, docker_list_engines,
 * prompts with an `engine` argument, and completion of engine names and of
 * the containers of the engine a prompt names.
 */

import assert from "node:assert/strict";
import { defer, docker, uniqueName } from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import {
  callExpectingSuccess,
  callTool,
  connect,
  readAlso,
  runBerth,
  SPAWN_TEST,
  spawnClient,
} from "./_mcp.ts";

const SUITE = "e2e-engines";

async function podman(...args: string[]): Promise<string> {
  const out = await new Deno.Command("podman", { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name:
    "e2e engines: tools take an engine parameter, docker_list_engines lists both, prompts and completion follow the engine",
  ...SPAWN_TEST,
  async fn() {
    using dir = tempDir("berth-e2e-engines-", {
      "config.yaml": `engines:\n  dock: { host: "unix:///var/run/docker.sock" }\n` +
        `  pod: { host: "unix:///run/podman/podman.sock" }\ndefault_engine: dock\n`,
    });
    const name = uniqueName("berth-e2e-pod");
    await podman(
      "run",
      "-d",
      "--name",
      name,
      "--label",
      `berth.test=${SUITE}`,
      "berth-test/busybox:latest",
      "sleep",
      "300",
    );
    await using _cleanup = defer(async () => {
      await podman("rm", "-f", name);
      // Nothing of this suite reaches docker; make sure.
      assert.equal(await docker("ps", "-aq", "--filter", `label=berth.test=${SUITE}`), "");
    });
    await using session = await connect(["--config", `${dir.path}/config.yaml`], {
      denoFlags: readAlso([dir.path]),
    });
    assert.match(
      session.client.getInstructions() ?? "",
      /every tool takes an optional engine parameter.*\(default dock\)/,
    );
    const { tools } = await session.client.listTools();
    assert.ok(tools.some((t) => t.name === "docker_list_engines"));
    for (const tool of tools) {
      if (tool.name === "docker_list_engines") continue;
      const engine = (tool.inputSchema.properties as Record<string, { enum?: string[] }>)
        ?.engine;
      assert.deepEqual(engine?.enum, ["dock", "pod"], tool.name);
    }

    const listing = await callTool(session, "docker_list_engines");
    const rows = listing.structuredContent?.engines as { name: string; kind: string }[];
    assert.deepEqual(rows.map((r) => [r.name, r.kind]), [["dock", "docker"], ["pod", "podman"]]);
    const onPod = await callTool(session, "docker_list_containers", { engine: "pod" });
    assert.match(onPod.content[0].text ?? "", new RegExp(name));
    const onDock = await callTool(session, "docker_list_containers", {});
    assert.doesNotMatch(onDock.content[0].text ?? "", new RegExp(name));

    const { prompts } = await session.client.listPrompts();
    const troubleshoot = prompts.find((p) => p.name === "troubleshoot_container")!;
    assert.ok(troubleshoot.arguments?.some((a) => a.name === "engine" && !a.required));
    const engines = await session.client.complete({
      ref: { type: "ref/prompt", name: "troubleshoot_container" },
      argument: { name: "engine", value: "p" },
    });
    assert.deepEqual(engines.completion.values, ["pod"]);
    const containers = await session.client.complete({
      ref: { type: "ref/prompt", name: "troubleshoot_container" },
      argument: { name: "container_id", value: "berth-e2e-pod" },
      context: { arguments: { engine: "pod" } },
    });
    assert.ok(containers.completion.values.includes(name), JSON.stringify(containers));
    const prompt = await session.client.getPrompt({
      name: "troubleshoot_container",
      arguments: { container_id: name, engine: "pod" },
    });
    const text = (prompt.messages[0].content as { text: string }).text;
    assert.match(text, new RegExp(name));
  },
});

Deno.test({
  name:
    "e2e engines: berth setup --config (berth-setup set) grants an engine socket outside the set; the printed server reaches it",
  ...SPAWN_TEST,
  async fn() {
    // The swarm test bed's dockerd: a socket the berth set does not list.
    const socket = "/run/berth-swarm/docker.sock";
    using dir = tempDir("berth-e2e-engines-setup-", {
      "config.yaml": `engines:\n  dock: { host: "unix:///var/run/docker.sock" }\n` +
        `  other: { host: "unix://${socket}", permissions: { read: true } }\n` +
        `default_engine: dock\n`,
    });
    // As `deno task setup` and the npm launcher run it: the berth-setup set.
    const out = await runBerth(
      ["setup", "generic", "--via", "checkout", "--config", `${dir.path}/config.yaml`],
      { set: "berth-setup" },
    );
    const printed = out.stdout;
    assert.ok(out.success, out.stderr);
    const { args } = JSON.parse(printed).mcpServers.berth as { args: string[] };
    assert.ok(args.some((a) => a.startsWith("--allow-read=") && a.includes(socket)), printed);
    assert.ok(args.some((a) => a.startsWith("--allow-write=") && a.includes(socket)), printed);
    // The printed command runs deno through npx; run the same deno arguments directly.
    await using session = await spawnClient(Deno.execPath(), args.slice(args.indexOf("run")), {
      cwd: dir.path,
      name: "berth-e2e-engines-setup",
    });
    await callExpectingSuccess(session, "docker_list_containers", {
      engine: "other",
      all: true,
    });
  },
});
