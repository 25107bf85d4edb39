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
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { REPO, serverEnv, SPAWN_TEST } from "./_mcp.ts";
import { tempDirWith } from "../helpers/temp_dir.ts";

const MCPB = "@anthropic-ai/mcpb@2.1.2";

type Result = { isError?: boolean; content: { text?: string }[]; structuredContent?: unknown };

/** Runs a command to its end within `ms`; throws with its output when it fails. */
async function run(command: string, args: string[], ms: number): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    cwd: REPO,
    stdin: "null",
    signal: AbortSignal.timeout(ms),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}:\n${decode(out.stdout)}\n${decode(out.stderr)}`);
  }
  return decode(out.stdout);
}

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
    const out = Deno.makeTempDirSync({ prefix: "berth-mcpb-out-" });
    const context = tempDirWith("berth-mcpb-ctx-", { "README": "no Dockerfile here" });
    let client: Client | undefined;
    try {
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

      const transport = new StdioClientTransport({
        command: config.command,
        args,
        env: serverEnv(),
        stderr: "pipe",
      });
      client = new Client({ name: "berth-mcpb-e2e", version: "1.0.0" });
      await client.connect(transport, { timeout: 60_000 });
      const listed = await client.callTool({ name: "docker_list_containers" }) as Result;
      assert.ok(!listed.isError, listed.content[0]?.text);
      const read = await client.callTool({
        name: "docker_build_image",
        arguments: { path: context, tag: "berth-test/mcpb-never:x" },
      }) as Result;
      // Readable: the build stops at the missing Dockerfile, creating nothing.
      const error = (read.structuredContent as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "DKR-004", error.message);
    } finally {
      await client?.close();
      for (const path of [out, context]) Deno.removeSync(path, { recursive: true });
    }
  },
);
