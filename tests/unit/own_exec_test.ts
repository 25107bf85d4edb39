/**
 * berth's own execs (src/policy/own_exec.ts): trusted by object, never by
 * text, frozen, and made only by the exec kill helper; the policy engine
 * skips the exec guard for that body alone. That a timed-out exec is then
 * ended under a guard blocking `kill` and `sh` is proven against the real
 * engine in tests/integration/exec_timeout_test.ts.
 */

import { containers } from "../../src/engine/ops/mod.ts";
import { EngineClient, requestOf } from "../../src/engine/client.ts";
import type { AnyOperation } from "../../src/engine/ops/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { PolicyEngine } from "../../src/policy/enforce/policy_engine.ts";
import { ConfigPolicy } from "../../src/policy/mod.ts";
import { isOwnExecBody, ownExecBody } from "../../src/policy/own_exec.ts";
import { assert, assertEquals, assertFalse, assertThrows } from "../helpers/asserts.ts";

const SRC = new URL("../../src/", import.meta.url);

Deno.test("own exec: only the very body ownExecBody made is berth's own, not a copy of it", () => {
  const body = ownExecBody(["sh", "-c", "kill -KILL 12", "berth-helper"], "0");
  assert(isOwnExecBody(body));
  assertEquals(body.Cmd, ["sh", "-c", "kill -KILL 12", "berth-helper"]);
  for (const copy of [structuredClone(body), JSON.parse(JSON.stringify(body)), { ...body }]) {
    assertFalse(isOwnExecBody(copy), JSON.stringify(copy));
  }
  for (const other of [undefined, null, "sh", body.Cmd]) assertFalse(isOwnExecBody(other));
});

Deno.test("own exec: the body and its argv cannot be changed once trusted", () => {
  const cmd = ["sh", "-c", "true"];
  const body = ownExecBody(cmd, "0");
  cmd[2] = "rm -rf /";
  assertEquals(body.Cmd[2], "true", "the argv is copied");
  assertThrows(() => (body.Cmd as string[]).push("x"), TypeError);
  assertThrows(() => (body as unknown as Record<string, unknown>).Cmd = ["rm"], TypeError);
  assertThrows(() => (body as unknown as Record<string, unknown>).Privileged = true, TypeError);
});

/** Every .ts file under src/, as a path relative to it. */
function sources(dir = SRC, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) =>
    entry.isDirectory
      ? sources(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)
      : entry.name.endsWith(".ts")
      ? [`${prefix}${entry.name}`]
      : []
  );
}

Deno.test("own exec: only the exec kill helper makes berth's own exec bodies", () => {
  const makers = sources().filter((path) =>
    path !== "policy/own_exec.ts" &&
    /\bownExecBody\b/.test(Deno.readTextFileSync(new URL(path, SRC)))
  );
  assertEquals(makers, ["docker/exec_kill.ts"]);
});

/** An engine underneath that answers every request with an ID and records the paths. */
class RecordingEngine extends EngineClient {
  readonly paths: string[] = [];
  constructor() {
    super({ endpoint: { kind: "unix", socketPath: "/nonexistent.sock" } });
  }
  override json<T>(sent: AnyOperation): Promise<T> {
    this.paths.push(requestOf(sent).path);
    return Promise.resolve({ Id: "e".repeat(64) } as T);
  }
}

Deno.test("own exec: the policy engine skips the exec guard for berth's own body only", async () => {
  const base = new RecordingEngine();
  const policy = new ConfigPolicy({ levels: ["exec"], blockedCommands: ["kill", "sh"] });
  const engine = new PolicyEngine(base, policy).scoped();
  const exec = async (body: unknown) => {
    try {
      await engine.json(containers.exec("web", body as object));
      return "ok";
    } catch (error) {
      return error instanceof BerthError ? error.code : String(error);
    }
  };
  const own = ownExecBody(["sh", "-c", "kill -KILL 12", "berth-helper"], "0");
  assertEquals(await exec(own), "ok");
  assertEquals(await exec({ ...own }), "DKR-007", "a copy is a caller's command");
  assertEquals(await exec({ Cmd: ["kill", "12"] }), "DKR-007");
  assertEquals(base.paths, ["/containers/web/exec"], "only berth's own body reached the engine");
});
