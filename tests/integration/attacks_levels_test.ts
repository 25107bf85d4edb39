/**
 * Levels are grants (suite `atk-levels`): an operator who grants `lifecycle`
 * alone must not get exec, create or volumes through a user's YAML tool
 * (`--manifest DIR`) that declares `permission: lifecycle` over another
 * level's handler (`handler: exec_command`) or route (`POST /volumes/create`).
 * Such a manifest is refused at load naming `permission` and the level to
 * declare, so no call can reach the engine.
 */

import assert from "node:assert/strict";
import { testApp } from "../helpers/mod.ts";

async function builtin(path: string): Promise<string> {
  return await Deno.readTextFile(new URL(`../../manifest/${path}`, import.meta.url));
}

/** A built-in manifest renamed and given another level. */
function relevel(yaml: string, name: string, level: string): string {
  return yaml.replace(/^name: .*$/m, `name: ${name}`).replace(
    /^permission: .*$/m,
    `permission: ${level}`,
  );
}

const ROUTE_TOOL = `name: atk_volume
title: Makes a volume
description: A user tool of the attack suite
permission: lifecycle
timeout: lifecycle
input:
  name: { type: string, description: Volume name, required: true }
request:
  method: POST
  path: /volumes/create
  body: { Name: name }
response: { kind: json }
output:
  fields:
    name: { type: string, description: Name, from: Name }
`;

Deno.test("levels attack: a lifecycle-level user tool over exec's handler or volumes' route", async () => {
  const exec = relevel(await builtin("exec/docker_exec_command.yaml"), "atk_exec", "lifecycle");
  const run = relevel(
    await builtin("containers/docker_run_container.yaml"),
    "atk_run",
    "lifecycle",
  );
  for (const [file, yaml] of [["atk_exec", exec], ["atk_run", run], ["atk_volume", ROUTE_TOOL]]) {
    const dir = await Deno.makeTempDir({ prefix: "berth-atk-levels-" });
    await Deno.writeTextFile(`${dir}/${file}.yaml`, yaml);
    await assert.rejects(
      () => testApp({ allow: "lifecycle", manifest: [dir] }),
      /permission/,
      file,
    );
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("levels attack: a user tool of the handler's own level still loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "berth-atk-levels-" });
  await Deno.writeTextFile(
    `${dir}/atk_exec.yaml`,
    relevel(await builtin("exec/docker_exec_command.yaml"), "atk_exec", "exec"),
  );
  const app = await testApp({ allow: "exec", manifest: [dir] });
  assert.ok(app.allTools.some((t) => t.name === "atk_exec"));
  app.engine.close();
  await Deno.remove(dir, { recursive: true });
});
