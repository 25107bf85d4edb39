/**
 * Unit tests of central redaction, the audit log writer, the confirmation
 * answer and the security keys of the config file.
 */

import { loadConfig, parseConfigText } from "../../src/config/mod.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { auditCall, confirmMessage } from "../../src/interpreter/call_guard.ts";
import { isReadOnly } from "../../src/interpreter/annotations.ts";
import type { Level, RequestSpec, ToolSpec } from "../../src/manifest/types.ts";
import { AuditLog, type AuditRecord, shouldAudit } from "../../src/policy/audit.ts";
import {
  credentialValues,
  redactArguments,
  REDACTED,
  redactOutput,
  redactText,
  redactWith,
  scrubValues,
  secretValues,
} from "../../src/policy/redact.ts";
import { isExplicitYes } from "../../src/server/confirm.ts";
import { assert, assertEquals, assertFalse, assertThrows } from "../helpers/asserts.ts";
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

Deno.test("redaction: env-style secrets in text, any case, any spelling of the key", () => {
  const text = [
    "DB_PASSWORD=hunter2",
    "db_Password=hunter2",
    "api-token: abc123",
    'export AWS_SECRET_ACCESS_KEY="wJalr xx"',
    "--registry-auth=c2VjcmV0",
    "PATH=/usr/bin",
    "Authorization: Bearer abcdefghijklmnop",
    "postgres://app:s3cr3t@db:5432/app",
  ].join("\n");
  const out = redactText(text);
  for (const secret of ["hunter2", "abc123", "wJalr", "c2VjcmV0", "abcdefghijklmnop", "s3cr3t"]) {
    assertFalse(out.includes(secret), `${secret} leaked: ${out}`);
  }
  assert(out.includes("PATH=/usr/bin"));
  assert(out.includes(`db_Password=${REDACTED}`));
});

Deno.test("redaction in text: a key counts when one of its words is a marker", () => {
  const secrets = [
    "DB_PASSWORD=hunter2",
    "api_key: hunter2",
    "apiKey=hunter2",
    "AWS_SECRET_ACCESS_KEY=hunter2",
    "GITHUB_TOKEN: hunter2",
    "AWSSecretKey=hunter2",
    "dbpassword=hunter2",
    "accessToken: hunter2",
    "client-credentials=hunter2",
    "auth: hunter2",
    "key: hunter2",
    "  key: hunter2",
    '{"key": "hunter2"}',
    "API key: hunter2",
    "private key: hunter2",
    "Database password: hunter2",
    "export KEY=hunter2",
  ];
  for (const line of secrets) {
    const out = redactText(line);
    assertFalse(out.includes("hunter2"), `leaked: ${out}`);
    assert(out.includes(REDACTED), out);
  }
});

Deno.test("redaction in text: words that merely contain a marker are left alone", () => {
  const harmless = [
    "Unauthorized: authentication required",
    "turkey: 3",
    "monkey=banana",
    "primary key: user_id",
    "Foreign Key: orders.user_id",
    "tokens: 1532",
    "keyboard: us",
    "secretary: Jane",
    "Author: Jane",
    "The registry refused the credentials. Pass auth {username, password} valid for that registry",
  ];
  for (const line of harmless) assertEquals(redactText(line), line);
});

Deno.test("redaction in text: a variable reference after a secret key names the secret, it is no value", () => {
  const kept = [
    "echo API_TOKEN=$API_TOKEN",
    "DB_PASSWORD=${DB_PASSWORD} ./run",
    'export SECRET="$SECRET"',
    '{"auth_token": "$TOKEN"}',
  ];
  for (const line of kept) assertEquals(redactText(line), line);
  const hidden = ["TOKEN=$(cat /run/token)", "PASSWORD=${PW:-hunter22}", "TOKEN=$1abc", "KEY=$A$B"];
  for (const line of hidden) assert(redactText(line).includes(REDACTED), line);
  // Env lists keep the contract's rule: every value of a secret key goes.
  assertEquals(redactOutput({ Env: ["TOKEN=$OTHER"] }).Env, [`TOKEN=${REDACTED}`]);
});

Deno.test("redaction: known secret values go first, wherever they appear, then key patterns", () => {
  const secrets = secretValues(["SECRET_KEY=abc123xyz", "HOST=db.example", "API_KEY=short"]);
  assertEquals(
    secrets,
    ["abc123xyz"],
    "non-secret keys and values shorter than 6 are not scrubbed",
  );
  const out = redactWith({ text: "SECRET_KEY is abc123xyz; TOKEN=t0ken", n: 1 }, secrets);
  assertEquals(out, { text: `SECRET_KEY is ${REDACTED}; TOKEN=${REDACTED}`, n: 1 });
  assertEquals(
    credentialValues({ "r.example": { username: "u", password: "pass-123", auth: "abc" } }),
    ["pass-123"],
  );
});

Deno.test("redaction: env lists and maps keep the contract's any-substring rule", () => {
  const out = redactOutput({
    Config: { Env: ["TURKEY=3", "AUTHOR_MODE=x", "tokens=5", "PATH=/bin"] },
    environment: { MONKEY: "banana", HOST: "db" },
  });
  assertEquals(out.Config.Env, [
    `TURKEY=${REDACTED}`,
    `AUTHOR_MODE=${REDACTED}`,
    `tokens=${REDACTED}`,
    "PATH=/bin",
  ]);
  assertEquals(out.environment, { MONKEY: REDACTED, HOST: "db" });
  const values = secretValues(["TURKEY=gobble-gobble", "PATH=/usr/local/bin"]);
  assertEquals(values, ["gobble-gobble"]);
  assertEquals(
    scrubValues({ log: "said gobble-gobble at /usr/local/bin" }, values),
    { log: `said ${REDACTED} at /usr/local/bin` },
  );
});

Deno.test("redaction: structured output keeps types, redacts env maps and lists", () => {
  const out = redactOutput({
    Config: { Env: ["A=1", "MY_TOKEN=t0k", "Credential_File=/x"] },
    environment: { DB_PASSWORD: "p", HOST: "db", PORT: 5432 },
    labels: { "traefik.http.middlewares.auth.basicauth.users": "admin:$apr1$x" },
    auth: { username: "u", password: "p" },
    Author: "Jane <jane@example.com>",
    count: 3,
  });
  assertEquals(out.Config.Env, ["A=1", `MY_TOKEN=${REDACTED}`, `Credential_File=${REDACTED}`]);
  assertEquals(out.environment, { DB_PASSWORD: REDACTED, HOST: "db", PORT: 5432 });
  assertEquals(out.labels["traefik.http.middlewares.auth.basicauth.users"], REDACTED);
  assertEquals(out.auth as unknown, REDACTED);
  assertEquals(out.Author, "Jane <jane@example.com>", "engine fields named like secrets stay");
  assertEquals(out.count, 3);
});

Deno.test("redaction: arguments drop every value under a secret key, cut long strings", () => {
  const out = redactArguments({
    image: "127.0.0.1:5001/x",
    auth: { username: "berth", password: "berth-test-pass", serveraddress: "127.0.0.1:5001" },
    environment: { db_Password: "hunter2", A: "1" },
    command: "export API_KEY=sekrit; run",
    files: [{ name: "a", content: "x".repeat(5000) }],
  });
  const text = JSON.stringify(out);
  for (const secret of ["berth-test-pass", "hunter2", "sekrit"]) assertFalse(text.includes(secret));
  assert(text.length < 4000, "long contents are cut");
  assertEquals(out.environment.A, "1");
});

Deno.test("audit log: one flushed JSON line per record, redacted, in order", () => {
  const path = Deno.makeTempFileSync({ suffix: ".jsonl" });
  try {
    const log = AuditLog.open(path);
    log.write({
      time: "2026-01-01T00:00:00.000Z",
      tool: "docker_push_image",
      arguments: { image: "x", auth: { password: "pw-secret" } },
      target: "image:x",
      outcome: "ok",
      duration_ms: 12.6,
    });
    // Readable at once, before close: nothing sits in a buffer.
    const first = Deno.readTextFileSync(path);
    assert(first.endsWith("\n"));
    log.write({
      time: "2026-01-01T00:00:01.000Z",
      tool: "docker_exec_command",
      arguments: { command: "TOKEN=abc env" },
      outcome: "DKR-007",
      error: "Command blocked by exec_safety rule 'rm -rf'",
      duration_ms: 1,
    });
    log.close();
    const lines = Deno.readTextFileSync(path).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.length, 2);
    assertEquals(Object.keys(lines[0]), [
      "time",
      "tool",
      "arguments",
      "target",
      "outcome",
      "duration_ms",
    ]);
    assertEquals(lines[0].duration_ms, 13);
    assertFalse(JSON.stringify(lines).includes("pw-secret"));
    assertFalse(JSON.stringify(lines).includes("abc"));
    assertEquals(lines[1].outcome, "DKR-007");
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("audit log: a record carries the time it is written and the call's start apart, in the documented order", () => {
  const path = Deno.makeTempFileSync({ suffix: ".jsonl" });
  try {
    const log = AuditLog.open(path);
    log.write({
      time: "2026-01-01T00:00:30.000Z",
      tool: "docker_wait_container",
      arguments: { container_id: "web" },
      target: "container:web",
      outcome: "abandoned",
      error: "The server exited before the operation finished; its work was stopped",
      started: "2026-01-01T00:00:00.000Z",
      duration_ms: 30_000,
    });
    log.close();
    const [line] = Deno.readTextFileSync(path).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(Object.keys(line), [
      "time",
      "tool",
      "arguments",
      "target",
      "outcome",
      "error",
      "started",
      "duration_ms",
    ]);
    assertEquals(line.time, "2026-01-01T00:00:30.000Z");
    assertEquals(line.started, "2026-01-01T00:00:00.000Z");
    assertEquals(line.outcome, "abandoned");
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("audit record of a call: time is when it is written, started when the call began; running and abandoned outcomes", () => {
  const records: AuditRecord[] = [];
  const sink = { write: (r: AuditRecord) => records.push(r), close() {} };
  const spec = { name: "docker_wait_container", permission: "lifecycle" } as ToolSpec;
  const started = Date.now() - 60_000;
  const args = { container_id: "web" };
  auditCall(sink, spec, args, {
    structured: { operation_id: "op-1", status: "running" },
    text: "",
    isError: false,
  }, started);
  auditCall(sink, spec, args, {
    structured: { status: "abandoned", error: { code: "DKR-008", message: "The server exited" } },
    text: "",
    isError: true,
  }, started);
  assertEquals(records.map((r) => r.outcome), ["running", "abandoned"]);
  for (const record of records) {
    assertEquals(record.started, new Date(started).toISOString());
    assert(Date.parse(record.time) - started >= 60_000, "time is the writing time, not the start");
    assert(record.duration_ms >= 60_000);
  }
  assertEquals(records[1].error, "The server exited");
});

Deno.test("audit log: which calls are recorded; an unwritable path stops start-up", () => {
  const audits = (permission: Level, outcome: string, method?: RequestSpec["method"]) =>
    shouldAudit(
      isReadOnly({ permission, ...(method ? { request: { method, path: "/" } } : {}) }),
      outcome,
    );
  assert(audits("create", "ok"));
  assert(audits("read", "DKR-007"));
  assertFalse(audits("read", "ok"));
  assertFalse(audits("read", "DKR-002"));
  assertFalse(audits("read", "ok", "HEAD"));
  // A route that changes the engine is recorded whatever level it declares.
  assert(audits("read", "ok", "DELETE"));
  assert(audits("read", "DKR-002", "POST"));
  const error = assertThrows(() => AuditLog.open("/nonexistent-dir/audit.jsonl"), BerthError);
  assert(/audit log/.test(error.message));
});

Deno.test("confirmation: only an explicit accept with confirm true is a yes", () => {
  assert(isExplicitYes({ action: "accept", content: { confirm: true } }));
  assertFalse(isExplicitYes({ action: "accept", content: { confirm: false } }));
  assertFalse(isExplicitYes({ action: "accept", content: { confirm: "true" } }));
  assertFalse(isExplicitYes({ action: "accept" }));
  assertFalse(isExplicitYes({ action: "decline", content: { confirm: true } }));
  assertFalse(isExplicitYes({ action: "cancel" }));
});

Deno.test("config: security keys load, default safe, and bad values name the key", () => {
  const file = parseConfigText(
    [
      "permissions:",
      "  allow_privileged: true",
      "  allowed_capabilities: [SYS_PTRACE]",
      "  allowed_host_paths: [/srv/projects]",
      "  allow_public_ports: false",
      "confirm_destructive: false",
    ].join("\n"),
    "test.yaml",
  );
  assertEquals(file.permissions?.allowed_host_paths, ["/srv/projects"]);
  const bad = assertThrows(
    () => parseConfigText("permissions:\n  allow_privileged: yes please\n", "bad.yaml"),
    BerthError,
  );
  assert(bad.message.includes("'permissions.allow_privileged'"), bad.message);
  const typo = assertThrows(
    () => parseConfigText("permissions:\n  allow_privilegd: true\n", "typo.yaml"),
    BerthError,
  );
  assert(typo.message.includes("'permissions.allow_privilegd' is not a known key"), typo.message);
  const env = (name: string) => (name === "HOME" ? "/nonexistent" : undefined);
  const defaults = loadConfig({}, env);
  assertEquals(defaults.guards.allowPrivileged, false);
  assertEquals(defaults.guards.allowPublicPorts, true);
  assertEquals(defaults.confirmDestructive, true);
  assertEquals(loadConfig({ confirm: false }, env).confirmDestructive, false);
});

Deno.test("audit record and confirmation: a write-only parameter (a secret's value) is redacted whatever its key", () => {
  const records: AuditRecord[] = [];
  const sink = { write: (r: AuditRecord) => records.push(r), close() {} };
  const spec = {
    name: "docker_create_secret",
    title: "Create a secret",
    permission: "swarm",
    input: {
      name: { type: "string", description: "Name" },
      data: { type: "string", description: "Value", writeOnly: true },
    },
  } as unknown as ToolSpec;
  const args = { name: "db", data: "plain-words-no-marker" };
  auditCall(sink, spec, args, { structured: { id: "x" }, text: "", isError: false }, Date.now());
  assertEquals(records[0].arguments, { name: "db", data: "***REDACTED***" });
  const asked = confirmMessage(spec, args);
  assertEquals(asked.includes("plain-words-no-marker"), false);
  assertEquals(args.data, "plain-words-no-marker", "the call's own arguments are untouched");
});
