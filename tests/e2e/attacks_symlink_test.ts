/**
 * The planted-symlink escape under the real permission set (`deno run
 * -P=berth`, suite `attacks-symlink`): run 1 binds DIR:/w and plants
 * `ln -sfn / /w/escape`; run 2 binds DIR/escape:/host:ro to read the host's
 * /etc/shadow. Under the default set berth cannot resolve DIR, and used to
 * skip the check: now it refuses (DKR-005) naming the grant; with the grant it
 * resolves DIR/escape to `/` and refuses that (DKR-007). The docker CLI
 * confirms that no run-2 container exists.
 */

import assert from "node:assert/strict";
import { cleanup, defer, docker, TEST_IMAGE, uniqueName } from "../helpers/mod.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { type CallResult, callTool, connect, readAlso, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "attacks-symlink";

function code(result: CallResult): string | undefined {
  const error = result.structuredContent?.error as { code?: string } | undefined;
  return error?.code ?? /DKR-\d{3}/.exec(result.content?.[0]?.text ?? "")?.[0];
}

async function containerExists(name: string): Promise<boolean> {
  return (await docker("ps", "-a", "-q", "--filter", `name=^/${name}$`)) !== "";
}

function run(name: string, volumes: string[], command: string) {
  return {
    image: TEST_IMAGE,
    name,
    volumes,
    command: ["sh", "-c", command],
    labels: { "berth.test": SUITE },
    wait: true,
  };
}

Deno.test({
  name: "attacks: symlink: a bind source berth cannot resolve is refused, a planted link to / too",
  ...SPAWN_TEST,
  async fn() {
    await cleanup(SUITE);
    using tmp = tempDir("berth-esc-");
    const dir = tmp.path;
    await using _cleanup = defer(async () => {
      await cleanup(SUITE);
      await docker("run", "--rm", "-v", `${dir}:/w`, TEST_IMAGE, "rm", "-f", "/w/escape");
    });
    await using plain = await connect(["--allow", "create,exec"]);
    await using granted = await connect(["--allow", "create,exec"], { denoFlags: readAlso([dir]) });
    const reader = uniqueName("berth-esc-read");
    // Default set: berth cannot see DIR, so run 1 is refused too, with the grant named.
    const first = await callTool(
      plain,
      "docker_run_container",
      run(
        uniqueName("berth-esc-plant"),
        [`${dir}:/w`],
        "ln -sfn / /w/escape",
      ),
    );
    assert.equal(code(first), "DKR-005", JSON.stringify(first));
    const text = JSON.stringify(first);
    assert.match(text, /cannot be checked: Deno's sandbox does not let berth resolve it/);
    assert.match(text, /berth setup/);
    assert.ok(text.includes(`--allow-read=${dir}`) || text.includes(`--read ${dir}`), text);

    // Run 1 with the grant: DIR is an ordinary directory, the plant succeeds.
    const planter = uniqueName("berth-esc-plant");
    const planted = await callTool(
      granted,
      "docker_run_container",
      run(
        planter,
        [`${dir}:/w`],
        "ln -sfn / /w/escape",
      ),
    );
    assert.equal(planted.isError, undefined, JSON.stringify(planted));
    assert.equal(await Deno.readLink(`${dir}/escape`), "/");

    // Run 2, both ways: refused; no container reads the host's shadow file.
    for (const [session, expected] of [[plain, "DKR-005"], [granted, "DKR-007"]] as const) {
      const second = await callTool(
        session,
        "docker_run_container",
        run(
          reader,
          [`${dir}/escape:/host:ro`],
          "cat /host/etc/shadow",
        ),
      );
      assert.equal(code(second), expected, JSON.stringify(second));
      assert.equal(await containerExists(reader), false);
    }
    // A file copied from behind the link, and a volume device through it, likewise.
    const copy = await callTool(granted, "docker_copy_to_container", {
      container_id: planter,
      path: "/tmp",
      source_path: `${dir}/escape/etc/hostname`,
    });
    assert.equal(code(copy), "DKR-007", JSON.stringify(copy));
  },
});
