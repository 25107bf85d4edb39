/**
 * The Claude Desktop bundle: `packaging/mcpb/build.sh` builds it with the
 * real `mcpb` (validate, pack), `mcpb unpack` opens it, and the server is
 * started as Claude Desktop starts it: the manifest's mcp_config with
 * ${__dirname} and the user's configuration filled in (a directory list
 * expands into separate arguments). An MCP client lists containers, and a
 * directory chosen in the user configuration is readable to berth.
 *
 * Slow (zips the pinned deno binary, about 90 MB), so every step is bounded.
 *
 * Suite label: `pkg-mcpb` (it creates no engine objects).
 */

import assert from "node:assert/strict";
import { callExpectingSuccess, callTool, codeOf, runOk, SPAWN_TEST, spawnClient } from "./_mcp.ts";
import { tempDir } from "../helpers/temp_dir.ts";

const MCPB = "@anthropic-ai/mcpb@2.1.2";

/** Runs a command to its end within `ms`; throws with its output when it fails. */
const run = (command: string, args: string[], ms: number) => runOk(command, args, { ms });

/** The mcp_config args as Claude Desktop fills them: ${…} replaced, lists spread. */
function fill(args: string[], values: Record<string, string | string[]>): string[] {
  return args.flatMap((arg) => {
    const whole = /^\$\{([^}]+)\}$/.exec(arg);
    if (whole && Array.isArray(values[whole[1]])) return values[whole[1]] as string[];
    return [arg.replace(/\$\{([^}]+)\}/g, (_, key: string) => String(values[key]))];
  });
}

Deno.test(
  "mcpb: the bundle validates, packs, unpacks and serves as Claude Desktop starts it",
  SPAWN_TEST,
  async () => {
    using outDir = tempDir("berth-mcpb-out-");
    using contextDir = tempDir("berth-mcpb-ctx-", { "README": "no Dockerfile here" });
    const [out, context] = [outDir.path, contextDir.path];
    const validated = await run(
      "npx",
      ["-y", MCPB, "validate", "packaging/mcpb/manifest.json"],
      120_000,
    );
    assert.match(validated, /passes/);
    const bundle = (await run("bash", ["packaging/mcpb/build.sh", out], 300_000)).trim();
    assert.ok(bundle.endsWith(".mcpb"), bundle);
    const dir = `${out}/unpacked`;
    await run("npx", ["-y", MCPB, "unpack", bundle, dir], 120_000);

    const manifest = JSON.parse(Deno.readTextFileSync(`${dir}/manifest.json`));
    const config = manifest.server.mcp_config;
    const defaults = Object.fromEntries(
      Object.entries(manifest.user_config as Record<string, { default: string | string[] }>)
        .map(([key, option]) => [`user_config.${key}`, option.default]),
    );
    const args = fill(config.args, {
      ...defaults,
      "__dirname": dir,
      "user_config.allow": "images",
      "user_config.read_dirs": [context],
    });
    assert.deepEqual(args.slice(1, 4), ["--read", context, "serve"]);

    await using client = await spawnClient(config.command, args, {
      name: "berth-mcpb-e2e",
      timeout: 60_000,
    });
    await callExpectingSuccess(client, "docker_list_containers");
    const read = await callTool(client, "docker_build_image", {
      path: context,
      tag: "berth-test/mcpb-never:x",
    });
    // Readable: the build stops at the missing Dockerfile, creating nothing.
    assert.equal(codeOf(read), "DKR-004", read.content[0]?.text);
  },
);
