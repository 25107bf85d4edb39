/**
 * Secrets outside environment variables (issue 11, item 5): known shapes in
 * free text, secret argv words, URL userinfo, log driver options and labels,
 * and the arguments of an audit record. The real engine proves the same in
 * tests/integration/secrets_test.ts.
 */

import assert from "node:assert/strict";
import { redactArguments, redactOutput, redactText } from "../../src/policy/redact.ts";
import { redactArgv, redactCommandLines } from "../../src/policy/argv_secrets.ts";
import { ContainerSecretCache } from "../../src/policy/enforce/call_secrets.ts";

const R = "***REDACTED***";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzSECRETBODY\nabcDEF==\n" +
  "-----END RSA PRIVATE KEY-----";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.c2lnbmF0dXJlLXNlY3JldA";

Deno.test("shapes: PEM blocks (whole or cut), JWTs, cloud and forge tokens are redacted in text", () => {
  const text = [
    `file: ${PEM} done`,
    `token ${JWT} ok`,
    "aws AKIAIOSFODNN7EXAMPLE here",
    "gh ghp_0123456789abcdefghijABCDEFGHIJ012345 x",
    "gl glpat-abcdefghij0123456789 x",
    "slack xoxb-123456789012-abcdefghijkl x",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA cut here",
  ].join("\n");
  const out = redactText(text);
  for (
    const secret of [
      "SECRETBODY",
      "abcDEF",
      JWT,
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_0123",
      "glpat-",
      "xoxb-",
      "b3BlbnNz",
    ]
  ) {
    assert.ok(!out.includes(secret), `${secret} in ${out}`);
  }
  assert.match(
    out,
    /BEGIN RSA PRIVATE KEY-----\*\*\*REDACTED\*\*\*-----END RSA PRIVATE KEY----- done/,
  );
  assert.match(out, /aws \*\*\*REDACTED\*\*\* here/);
  // Not secrets: a public key block, a commit hash, a digest.
  const plain = "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY----- " +
    "commit 3f786850e387550fdab836ed7e6dc881de23001b sha256:" + "a".repeat(64);
  assert.equal(redactText(plain), plain);
});

Deno.test("URL userinfo: passwords (also with an empty user) and bare tokens, hosts kept", () => {
  assert.equal(redactText("redis://:s3cretpw@cache:6379/0"), `redis://:${R}@cache:6379/0`);
  assert.equal(redactText("https://bob:pw%2Fx@git.example/r"), `https://bob:${R}@git.example/r`);
  assert.equal(
    redactText("https://x0123456789abcdefghijklm@github.com/o/r"),
    `https://${R}@github.com/o/r`,
  );
  assert.equal(redactText("ssh://git@github.com/o/r"), "ssh://git@github.com/o/r");
  assert.equal(redactText("mailto user@example.com"), "mailto user@example.com");
});

Deno.test("argv: the word after a secret flag, and -p only after a login-like command", () => {
  assert.deepEqual(redactArgv(["app", "--password", "pw1", "--db-token", "t2", "--port", "80"]), [
    "app",
    "--password",
    R,
    "--db-token",
    R,
    "--port",
    "80",
  ]);
  assert.deepEqual(redactArgv(["mysql", "-u", "root", "-pHunter22", "db"]), [
    "mysql",
    "-u",
    "root",
    `-p${R}`,
    "db",
  ]);
  assert.deepEqual(redactArgv(["docker", "login", "-u", "me", "-p", "pw3", "reg"]), [
    "docker",
    "login",
    "-u",
    "me",
    "-p",
    R,
    "reg",
  ]);
  // -p is a port to psql and to docker run: kept.
  assert.deepEqual(redactArgv(["psql", "-p", "5432"]), ["psql", "-p", "5432"]);
  assert.deepEqual(redactArgv(["docker", "run", "-p", "80:80", "x"]), [
    "docker",
    "run",
    "-p",
    "80:80",
    "x",
  ]);
  // A boolean secret flag followed by another flag hides nothing.
  assert.deepEqual(redactArgv(["app", "--no-auth", "--port", "1"]), [
    "app",
    "--no-auth",
    "--port",
    "1",
  ]);
  // A flag naming where a secret lives holds a path, not the secret: berth's own hints name it.
  assert.deepEqual(redactArgv(["berth", "--token-file", "FILE", "--password-file", "/run/pw"]), [
    "berth",
    "--token-file",
    "FILE",
    "--password-file",
    "/run/pw",
  ]);
  assert.deepEqual(redactArgv(["app", "--token", "t6", "--api-key", "k7"]), [
    "app",
    "--token",
    R,
    "--api-key",
    R,
  ]);
  assert.deepEqual(redactArgv(["redis-cli", "-a", "pw4"]), ["redis-cli", "-a", R]);
  assert.deepEqual(redactArgv(["curl", "-u", "me:pw5", "http://h"]), ["curl", "-u", R, "http://h"]);
});

Deno.test("argv in text: process tables and shell strings", () => {
  const top = "1000  sh -c mysqld --password pw6 --user mysql\n1001  mysql -pHunter23 app";
  const out = redactCommandLines(top);
  assert.ok(!out.includes("pw6") && !out.includes("Hunter23"), out);
  assert.match(out, /--user mysql/);
  assert.ok(!redactText("sh -c 'mysql -pHunter24 app'").includes("Hunter24"));
});

Deno.test("structured: log driver options, labels, Path+Args, event attributes; audit arguments", () => {
  const inspect = {
    Path: "mysql",
    Args: ["-pHunter25", "db"],
    Config: { Labels: { "db.password": "pw7", app: "web" }, Cmd: ["--api-key", "k8"] },
    HostConfig: {
      LogConfig: {
        Type: "splunk",
        Config: {
          "splunk-token": "tok9",
          "splunk-url": "https://u:pw10@h:8088",
          "splunk-index": "main",
        },
      },
    },
  };
  const out = JSON.stringify(redactOutput(inspect));
  for (const secret of ["Hunter25", "pw7", "k8", "tok9", "pw10"]) {
    assert.ok(!out.includes(secret), out);
  }
  assert.match(out, /"splunk-index":"main"/);
  const event = redactOutput({ Actor: { Attributes: { "com.x.secret": "pw11", name: "web" } } });
  assert.ok(!JSON.stringify(event).includes("pw11"));
  const audit = JSON.stringify(redactArguments({ command: ["app", "--token", "pw12"] }));
  assert.ok(!audit.includes("pw12"), audit);
});

Deno.test("container secret cache: learned by ID, bounded, least recently used forgotten", () => {
  const cache = new ContainerSecretCache();
  const id = (n: number) => n.toString(16).padStart(64, "0");
  assert.deepEqual(cache.learn({ Id: id(0), Config: { Env: ["DB_PASSWORD=hunter26", "A=b"] } }), [
    "hunter26",
  ]);
  for (let n = 1; n <= 300; n++) cache.learn({ Id: id(n), Config: { Env: [] } });
  assert.ok(cache.size <= 256);
  assert.equal(cache.get(id(0)), undefined, "the oldest was forgotten");
  assert.deepEqual(cache.get(id(300)), []);
});
