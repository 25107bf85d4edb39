/**
 * The YAML parser of config files loads on demand (src/config/file.ts): in a
 * fresh process (this test file's own process has it loaded), parsing a
 * config file before it is loaded is refused, and `loadConfigOnDemand`, which
 * the CLI starts with, loads it and reads the file, errors included.
 *
 * @module
 */

import assert from "node:assert/strict";

const MOD = new URL("../../src/config/mod.ts", import.meta.url).href;

const SCRIPT = `
import { loadConfig, loadConfigOnDemand } from "${MOD}";
const dir = Deno.makeTempDirSync({ prefix: "berth-config-parser-" });
const good = dir + "/good.yaml";
const bad = dir + "/bad.yaml";
Deno.writeTextFileSync(good, "permissions: { blacklist_containers: [vault] }");
Deno.writeTextFileSync(bad, "permissions: [");
const out = {};
try { loadConfig({ config: good }); } catch (error) { out.before = error.name; }
out.deny = (await loadConfigOnDemand({ config: good })).containers.deny;
try { await loadConfigOnDemand({ config: bad }); } catch (error) { out.bad = error.message; }
Deno.removeSync(dir, { recursive: true });
console.log(JSON.stringify(out));
`;

Deno.test("config: the YAML parser loads when a config file is found, not before", async () => {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", SCRIPT],
    env: { XDG_CONFIG_HOME: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
  const out = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(out.before, "ConfigParserNeeded");
  assert.deepEqual(out.deny, ["vault"]);
  assert.match(out.bad, /Config file .*bad\.yaml is not valid YAML or JSON/);
});
