/**
 * Secrets outside environment variables never leave berth (suite
 * `escb-secrets`, issue 11 item 5), against the real engine with no name
 * lists: a log driver's options (splunk token, a URL password), labels,
 * argv flags (`--password`, `--token`, `mysql -p…`), an environment secret
 * that a process carries in its argv, and secrets of known shapes (a PEM
 * private key, a JWT, an AWS access key id, a GitHub token, a URL password)
 * in logs and exec output. Each secret is checked absent from every tool's
 * text and structured content, the prompts and resources, and the audit log;
 * the docker CLI proves each one is really there to leak.
 */

import assert from "node:assert/strict";
import { getPrompt, readResource } from "../../src/understanding/mod.ts";
import {
  call,
  cleanup,
  docker,
  labelArgs,
  TEST_IMAGE,
  testApp,
  uniqueName,
  waitFor,
} from "../helpers/mod.ts";

const SUITE = "escb-secrets";

const PEM_BODY = "MIIEpQIBAAKCAQEA1escbPEMBODYxyzSECRET";
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\nQWERTYescbPEMline2\n` +
  "-----END RSA PRIVATE KEY-----";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlc2NiLXNlY3JldCJ9.ZXNjYi1zaWduYXR1cmUtc2VjcmV0";
const AKID = "AKIAESCBTEST00000001";
const GHP = "ghp_escbSECRET0123456789abcdefghijklmnop";
const SECRETS: Record<string, string> = {
  env: "ENVSECRET-b2c3d4",
  label: "LABELSECRET-a1",
  password_flag: "ARGSECRET-f6",
  token_flag: "ARGSECRET-g7",
  mysql_p: "MYSQLSECRET-h8",
  url_password: "URLSECRET-i9",
  splunk_token: "SPLUNKSECRET-j0",
  splunk_url_password: "SPLUNKURL-k1",
  pem: PEM_BODY,
  pem_line2: "QWERTYescbPEMline2",
  jwt: JWT,
  aws_key_id: AKID,
  github: GHP,
};

// The main process prints the shaped secrets to its log, then starts two
// children whose argv carry secrets: `mysql -p…` (as $0 and $1 of a shell)
// and the environment secret's value (expanded by the shell, no key in sight).
const SCRIPT =
  'printf "%s\\n" "$CERT" "jwt $JWT" "key $AKID" "gh $GHP" "db $DSN" "pw $DB_PASSWORD"; ' +
  `sh -c "sleep 3600; :" mysql -p${SECRETS.mysql_p} & ` +
  'sh -c "sleep 3601; :" "$DB_PASSWORD" & wait';

await cleanup(SUITE);
const auditDir = await Deno.makeTempDir({ prefix: "escb-secrets-" });
const auditLog = `${auditDir}/audit.jsonl`;
const app = await testApp({ allow: "all", auditLog, confirm: false });
const labels = { "berth.test": SUITE, "db.password": SECRETS.label };
const running = uniqueName("escb-secrets-run");
await docker(
  "run",
  "-d",
  "--network",
  "none",
  "--name",
  running,
  ...labelArgs(labels),
  "-e",
  `DB_PASSWORD=${SECRETS.env}`,
  "-e",
  `CERT=${PEM}`,
  "-e",
  `JWT=${JWT}`,
  "-e",
  `AKID=${AKID}`,
  "-e",
  `GHP=${GHP}`,
  "-e",
  `DSN=postgres://app:${SECRETS.url_password}@db.local:5432/app`,
  TEST_IMAGE,
  "sh",
  "-c",
  SCRIPT,
  "app",
  "--password",
  SECRETS.password_flag,
  "--token",
  SECRETS.token_flag,
);
// Created only: the splunk driver would dial its URL at start.
const logged = uniqueName("escb-secrets-splunk");
await docker(
  "create",
  "--network",
  "none",
  "--name",
  logged,
  ...labelArgs(labels),
  "--log-driver",
  "splunk",
  "--log-opt",
  `splunk-token=${SECRETS.splunk_token}`,
  "--log-opt",
  `splunk-url=https://hec:${SECRETS.splunk_url_password}@127.0.0.1:1`,
  TEST_IMAGE,
  "true",
);

/** Every secret that occurs in `output`, by name. */
function leaks(output: unknown): string[] {
  const text = typeof output === "string" ? output : JSON.stringify(output);
  return Object.entries(SECRETS).filter(([, value]) => text.includes(value)).map(([name]) => name);
}

/** Calls a tool; asserts it succeeded and that neither its text nor its structured content leaks. */
async function noLeak(tool: string, args: Record<string, unknown>): Promise<string> {
  const r = await call(app, tool, args);
  assert.equal(r.isError, false, `${tool}: ${r.text}`);
  assert.deepEqual(leaks(r.text), [], `${tool} text leaks: ${r.text}`);
  assert.deepEqual(leaks(r.structured), [], `${tool} structured content leaks`);
  return r.text;
}

Deno.test("secrets: the engine really holds every secret (docker CLI ground truth)", async () => {
  await waitFor(
    "the children",
    () => docker("top", running, "-o", "pid,args"),
    (t) => t.includes("3601"),
  );
  const seen = [
    await docker("inspect", running, logged),
    await docker("top", running, "-o", "pid,args"),
    await docker("logs", running),
  ].join("\n");
  assert.deepEqual(
    Object.keys(SECRETS).filter((name) => !seen.includes(SECRETS[name])),
    [],
    "every secret is visible to the docker CLI",
  );
});

Deno.test("secrets: inspect (every section), top (default and with args), logs and list leak none", async () => {
  for (const section of ["all", "config", "state", "network", "mounts"]) {
    await noLeak("docker_inspect_container", { container_id: running, section });
    await noLeak("docker_inspect_container", { container_id: logged, section });
  }
  const top = await noLeak("docker_container_top", { container_id: running });
  assert.match(top, /3601/, "the process with the environment secret in its argv is listed");
  await noLeak("docker_container_top", { container_id: running, ps_args: "-o pid,args" });
  await noLeak("docker_container_top", { container_id: running, ps_args: "auxww" });
  const logs = await noLeak("docker_container_logs", { container_id: running });
  assert.match(logs, /BEGIN RSA PRIVATE KEY/, "the log is there, its secrets are not");
  await noLeak("docker_list_containers", { all: true });
  await noLeak("docker_events", { since: "10m", filters: { label: [`berth.test=${SUITE}`] } });
});

Deno.test("secrets: exec output (env, ps, a printed variable) and diagnose leak none", async () => {
  await noLeak("docker_exec_command", { container_id: running, command: "env" });
  await noLeak("docker_exec_command", { container_id: running, command: "ps -o pid,args" });
  await noLeak("docker_exec_command", {
    container_id: running,
    command: `echo "$DB_PASSWORD" --password ${SECRETS.password_flag}; cat /proc/1/cmdline`,
  });
  await noLeak("docker_diagnose", { container_id: running });
});

Deno.test("secrets: prompts and resources leak none", async () => {
  const deps = {
    interpreter: app.interpreter,
    engine: app.engine,
    policy: app.policy,
    config: app.config,
  };
  for (const name of ["troubleshoot_container", "security_review"]) {
    const prompt = await getPrompt(deps, name, { container_id: running });
    assert.deepEqual(leaks(prompt.text), [], `${name} leaks`);
  }
  const resource = await readResource(deps, `container://logs/${running}`);
  assert.deepEqual(leaks(resource.text), [], "the logs resource leaks");
});

Deno.test("secrets: the audit log leaks none", async () => {
  await call(app, "docker_exec_command", {
    container_id: running,
    command: ["sh", "-c", "true", "app", "--token", SECRETS.token_flag],
  });
  const audit = await Deno.readTextFile(auditLog);
  assert.match(audit, /docker_exec_command/);
  assert.deepEqual(leaks(audit), [], audit);
});

Deno.test("secrets: cleanup", async () => {
  app.engine.close();
  await cleanup(SUITE);
  await Deno.remove(auditDir, { recursive: true });
});
