/**
 * The container spec builder: every parameter form becomes the right Engine
 * create body, every invalid form fails with DKR-004 naming the field, and
 * nothing the caller passes reaches the body unless the builder knows it.
 */

import assert from "node:assert/strict";
import { BerthError, invalidInput } from "../../src/errors/mod.ts";
import { redactText } from "../../src/policy/redact.ts";
import {
  buildContainerSpec,
  type ContainerSpecOptions,
} from "../../src/docker/container_spec/mod.ts";
import type { FieldError } from "../../src/docker/container_spec/fields.ts";
import { execArgv, needsShell, splitShellWords } from "../../src/docker/shell_words.ts";

const IMAGE = "berth-test/busybox:latest";

function build(extra: Record<string, unknown>, options?: ContainerSpecOptions) {
  return buildContainerSpec({ image: IMAGE, ...extra }, options);
}

/** Asserts DKR-004 whose message names `field` (and matches `pattern` when given). */
function fails(extra: Record<string, unknown>, field: string, pattern?: RegExp): void {
  assert.throws(() => build(extra), (error: unknown) => {
    assert.ok(error instanceof BerthError, String(error));
    assert.equal(error.code, "DKR-004");
    assert.ok(error.message.includes(`'${field}'`), `${error.message} should name ${field}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("container spec: the minimal body and the name", () => {
  const spec = build({ name: "web-1" });
  assert.deepEqual(spec.body, { Image: IMAGE, HostConfig: {} });
  assert.equal(spec.name, "web-1");
  assert.equal(spec.image, IMAGE);
  assert.deepEqual(spec.bindSources, []);
  assert.equal(build({ name: "/web" }).name, "web");
  for (const name of ["a", "-web", "web one", "web/x", "../x", "x".repeat(256)]) {
    fails({ name }, "name");
  }
  fails({ image: "" }, "image");
  fails({ image: "Bad Image" }, "image");
  fails({ image: 42 }, "image");
});

Deno.test("container spec: unknown and dangerous keys never reach the body", () => {
  const spec = buildContainerSpec({
    image: IMAGE,
    Privileged: true,
    privileged: true,
    HostConfig: { Privileged: true, Binds: ["/:/host"] },
    cap_add: ["SYS_ADMIN"],
    pid: "host",
  });
  assert.deepEqual(spec.body, { Image: IMAGE, HostConfig: {} });
  assert.ok(!JSON.stringify(spec.body).includes("Privileged"));
});

Deno.test("container spec: command and entrypoint forms", () => {
  assert.deepEqual(build({ command: "sh -c 'echo hi; exit 3'" }).body.Cmd, [
    "sh",
    "-c",
    "echo hi; exit 3",
  ]);
  assert.deepEqual(build({ command: ["echo", "a b"] }).body.Cmd, ["echo", "a b"]);
  assert.deepEqual(build({ command: 'echo "a \\"b\\"" c\\ d' }).body.Cmd, [
    "echo",
    'a "b"',
    "c d",
  ]);
  assert.deepEqual(build({ entrypoint: "/bin/sh -c" }).body.Entrypoint, ["/bin/sh", "-c"]);
  assert.deepEqual(build({ entrypoint: "" }).body.Entrypoint, [""]);
  assert.deepEqual(build({ entrypoint: [] }).body.Entrypoint, [""]);
  fails({ command: "echo 'unterminated" }, "command", /single quote/);
  fails({ command: 'echo "unterminated' }, "command", /double quote/);
  fails({ command: "" }, "command", /empty/);
  fails({ command: [] }, "command", /empty/);
  fails({ command: 42 }, "command");
  fails({ command: ["echo", 1] }, "command.1");
  fails({ entrypoint: ["a\0b"] }, "entrypoint.0", /NUL/);
});

Deno.test("container spec: environment and labels, object and list forms", () => {
  assert.deepEqual(build({ environment: { A: "1", B: 2, C: true, D: "" } }).body.Env, [
    "A=1",
    "B=2",
    "C=true",
    "D=",
  ]);
  assert.deepEqual(build({ environment: ["A=1", "B=x=y"] }).body.Env, ["A=1", "B=x=y"]);
  assert.deepEqual(build({ labels: { app: "web", tier: 1 } }).body.Labels, {
    app: "web",
    tier: "1",
  });
  assert.deepEqual(build({ labels: ["app=web", "empty="] }).body.Labels, {
    app: "web",
    empty: "",
  });
  fails({ environment: { A: { nested: 1 } } }, "environment.A");
  fails({ environment: { A: null } }, "environment.A");
  fails({ environment: ["NOEQUALS"] }, "environment.0");
  // The example survives the redaction every outgoing message passes through.
  assert.throws(() => build({ environment: ["A=1", "B"] }), (error: unknown) => {
    const text = redactText((error as BerthError).toText());
    assert.match(text, /'environment\.1' must look like NAME=value/, text);
    assert.doesNotMatch(text, /REDACTED/, text);
    return true;
  });
  fails({ environment: ["=x"] }, "environment.0");
  fails({ environment: "A=1" }, "environment");
  fails({ labels: { "a=b": "c" } }, "labels.a=b");
  fails({ labels: 5 }, "labels");
});

Deno.test("container spec: ports, object form with every value shape", () => {
  const spec = build({
    ports: {
      "80/tcp": 8080,
      "81": "8081",
      "82": "127.0.0.1:8082",
      "83/udp": "[::1]:8083",
      "84": null,
      "85": "127.0.0.1:",
      "86": [9086, "127.0.0.1:9186"],
      "87": 0,
    },
  });
  assert.deepEqual(spec.body.ExposedPorts, {
    "80/tcp": {},
    "81/tcp": {},
    "82/tcp": {},
    "83/udp": {},
    "84/tcp": {},
    "85/tcp": {},
    "86/tcp": {},
    "87/tcp": {},
  });
  assert.deepEqual(spec.body.HostConfig.PortBindings, {
    "80/tcp": [{ HostIp: "", HostPort: "8080" }],
    "81/tcp": [{ HostIp: "", HostPort: "8081" }],
    "82/tcp": [{ HostIp: "127.0.0.1", HostPort: "8082" }],
    "83/udp": [{ HostIp: "::1", HostPort: "8083" }],
    "84/tcp": [{ HostIp: "", HostPort: "" }],
    "85/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    "86/tcp": [{ HostIp: "", HostPort: "9086" }, { HostIp: "127.0.0.1", HostPort: "9186" }],
    "87/tcp": [{ HostIp: "", HostPort: "" }],
  });
});

Deno.test("container spec: ports, list form (docker CLI and compose strings)", () => {
  const spec = build({
    ports: ["8080:80", "127.0.0.1:8443:443/tcp", "127.0.0.1::53/udp", "9000", "[::1]:7000:70", 99],
  });
  assert.deepEqual(spec.body.HostConfig.PortBindings, {
    "80/tcp": [{ HostIp: "", HostPort: "8080" }],
    "443/tcp": [{ HostIp: "127.0.0.1", HostPort: "8443" }],
    "53/udp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    "9000/tcp": [{ HostIp: "", HostPort: "" }],
    "70/tcp": [{ HostIp: "::1", HostPort: "7000" }],
    "99/tcp": [{ HostIp: "", HostPort: "" }],
  });
});

Deno.test("container spec: invalid ports name the port", () => {
  fails({ ports: { "80/tcp": 70000 } }, "ports.80/tcp", /65535/);
  fails({ ports: { "80/tcp": "abc" } }, "ports.80/tcp");
  fails({ ports: { "80/tcp": 80.5 } }, "ports.80/tcp");
  fails({ ports: { "80/tcp": "300.1.1.1:80" } }, "ports.80/tcp", /host IP/);
  fails({ ports: { "80/tcp": { port: 1 } } }, "ports.80/tcp");
  fails({ ports: { "80/tcp": [] } }, "ports.80/tcp");
  fails({ ports: { "80/tcp": [8080, "x"] } }, "ports.80/tcp.1");
  fails({ ports: { "80/icmp": 8080 } }, "ports.80/icmp");
  fails({ ports: { "0": 8080 } }, "ports.0");
  fails({ ports: { http: 8080 } }, "ports.http");
  fails({ ports: ["1:2:3:4"] }, "ports.0");
  fails({ ports: ["8080:80", "x:80"] }, "ports.1");
  fails({ ports: [true] }, "ports.0");
  fails({ ports: "8080:80" }, "ports");
});

Deno.test("container spec: volumes, object form (docker-py)", () => {
  const spec = build({
    volumes: {
      "/srv/data": { bind: "/data", mode: "ro" },
      "/srv/logs": { bind: "/logs" },
      cache: "/cache",
      "cache-2": "/cache2:ro,nocopy",
    },
  });
  assert.deepEqual(spec.body.HostConfig.Mounts, [
    { Type: "bind", Source: "/srv/data", Target: "/data", ReadOnly: true },
    { Type: "bind", Source: "/srv/logs", Target: "/logs" },
    { Type: "volume", Source: "cache", Target: "/cache" },
    {
      Type: "volume",
      Source: "cache-2",
      Target: "/cache2",
      ReadOnly: true,
      VolumeOptions: { NoCopy: true },
    },
  ]);
  assert.deepEqual(spec.bindSources, ["/srv/data", "/srv/logs"]);
});

Deno.test("container spec: volumes, list form and compose long syntax", () => {
  const spec = build({
    volumes: [
      "/srv/data:/data:ro",
      "named:/named",
      "/anonymous",
      "/srv/rw:/rw:rw",
      { type: "bind", source: "/srv/long", target: "/long", read_only: true },
      { source: "vol", target: "/vol" },
    ],
  });
  assert.deepEqual(spec.body.HostConfig.Mounts, [
    { Type: "bind", Source: "/srv/data", Target: "/data", ReadOnly: true },
    { Type: "volume", Source: "named", Target: "/named" },
    { Type: "volume", Target: "/anonymous" },
    { Type: "bind", Source: "/srv/rw", Target: "/rw" },
    { Type: "bind", Source: "/srv/long", Target: "/long", ReadOnly: true },
    { Type: "volume", Source: "vol", Target: "/vol" },
  ]);
  assert.deepEqual(spec.bindSources, ["/srv/data", "/srv/rw", "/srv/long"]);
});

Deno.test("container spec: invalid volumes name the entry", () => {
  fails({ volumes: ["./data:/data"] }, "volumes.0", /neither an absolute host path/);
  fails({ volumes: ["~/data:/data"] }, "volumes.0");
  fails({ volumes: ["/srv/../etc:/data"] }, "volumes.0", /'\.\.'/);
  fails({ volumes: ["/srv:data"] }, "volumes.0", /absolute/);
  fails({ volumes: ["/srv:/"] }, "volumes.0");
  fails({ volumes: ["/srv:/data:rx"] }, "volumes.0", /mode 'rx'/);
  fails({ volumes: ["/srv:/data:z"] }, "volumes.0", /SELinux/);
  fails({ volumes: ["/srv:/data:ro,rw"] }, "volumes.0");
  fails({ volumes: ["/srv:/data:nocopy"] }, "volumes.0", /named volumes/);
  fails({ volumes: ["a:/b:ro:x"] }, "volumes.0");
  fails({ volumes: ["/a:/same", "bb:/same"] }, "volumes", /two things/);
  fails({ volumes: [{ type: "tmpfs", target: "/t" }] }, "volumes.0.type");
  fails({ volumes: [{ type: "bind", source: "rel", target: "/t" }] }, "volumes.0.source");
  fails(
    { volumes: [{ source: "v", target: "/t", propagation: "rshared" }] },
    "volumes.0.propagation",
  );
  fails({ volumes: { "/srv": { bind: "/data", mode: "ro", extra: 1 } } }, "volumes./srv.extra");
  fails({ volumes: { "/srv": { mode: "ro" } } }, "volumes./srv", /target/);
  fails({ volumes: { "/srv": 5 } }, "volumes./srv");
  fails({ volumes: "/srv:/data" }, "volumes");
});

Deno.test("container spec: network, restart policy, resources", () => {
  let spec = build({ network: "backend" });
  assert.equal(spec.body.HostConfig.NetworkMode, "backend");
  assert.deepEqual(spec.body.NetworkingConfig, { EndpointsConfig: { backend: {} } });
  spec = build({ network: "bridge" });
  assert.equal(spec.body.HostConfig.NetworkMode, "bridge");
  assert.equal(spec.body.NetworkingConfig, undefined);
  fails({ network: "container:web" }, "network");
  fails({ network: "../x" }, "network");

  const policies: [unknown, { Name: string; MaximumRetryCount: number }][] = [
    [{ Name: "on-failure", MaximumRetryCount: 3 }, { Name: "on-failure", MaximumRetryCount: 3 }],
    [{ name: "always" }, { Name: "always", MaximumRetryCount: 0 }],
    ["unless-stopped", { Name: "unless-stopped", MaximumRetryCount: 0 }],
    ["on-failure:5", { Name: "on-failure", MaximumRetryCount: 5 }],
    ["", { Name: "no", MaximumRetryCount: 0 }],
  ];
  for (const [input, expected] of policies) {
    assert.deepEqual(build({ restart_policy: input }).body.HostConfig.RestartPolicy, expected);
  }
  fails({ restart_policy: { Name: "sometimes" } }, "restart_policy.Name");
  fails(
    { restart_policy: { Name: "always", MaximumRetryCount: 2 } },
    "restart_policy.MaximumRetryCount",
  );
  fails(
    { restart_policy: { Name: "on-failure", MaximumRetryCount: -1 } },
    "restart_policy.MaximumRetryCount",
  );
  fails({ restart_policy: { Name: "always", Extra: 1 } }, "restart_policy.Extra");
  // Errors name what the caller wrote, never an engine key it did not use.
  fails({ restart_policy: "sometimes" }, "restart_policy", /must be one of no, always/);
  fails({ restart_policy: { name: "sometimes" } }, "restart_policy.name");
  fails({ restart_policy: "always:3" }, "restart_policy", /retry count \(:3\)/);
  fails(
    { restart_policy: { name: "always", maximum_retry_count: 2 } },
    "restart_policy.maximum_retry_count",
  );
  for (const wrong of ["sometimes", "always:3", { name: "x" }]) {
    assert.throws(() => build({ restart_policy: wrong }), (error: BerthError) => {
      assert.doesNotMatch(error.message, /Name|MaximumRetryCount/, error.message);
      return true;
    });
  }
  fails({ restart_policy: "on-failure:x" }, "restart_policy");
  fails({ restart_policy: 3 }, "restart_policy");
  fails({ restart_policy: "always", remove: true }, "remove", /restart_policy/);

  spec = build({ mem_limit: "512m", mem_reservation: "256m", cpus: 1.5 });
  assert.equal(spec.body.HostConfig.Memory, 512 * 1024 * 1024);
  assert.equal(spec.body.HostConfig.MemoryReservation, 256 * 1024 * 1024);
  assert.equal(spec.body.HostConfig.NanoCpus, 1_500_000_000);
  assert.equal(build({ mem_limit: "2g" }).body.HostConfig.Memory, 2 * 1024 ** 3);
  assert.equal(build({ mem_limit: 10_000_000 }).body.HostConfig.Memory, 10_000_000);
  assert.equal(build({ cpus: "0.5" }).body.HostConfig.NanoCpus, 500_000_000);
  fails({ mem_limit: "lots" }, "mem_limit");
  fails({ mem_limit: "1m" }, "mem_limit", /6m/);
  fails({ mem_limit: -5 }, "mem_limit");
  fails({ mem_reservation: [] }, "mem_reservation");
  fails({ mem_limit: "64m", mem_reservation: "128m" }, "mem_reservation", /exceed/);
  fails({ cpus: 0 }, "cpus");
  fails({ cpus: "two" }, "cpus");
});

Deno.test("container spec: working_dir, user, hostname, tty, remove", () => {
  const spec = build({
    working_dir: "/app",
    user: "1000:1000",
    hostname: "web-1.local",
    tty: true,
    remove: true,
  });
  assert.equal(spec.body.WorkingDir, "/app");
  assert.equal(spec.body.User, "1000:1000");
  assert.equal(spec.body.Hostname, "web-1.local");
  assert.equal(spec.body.Tty, true);
  assert.equal(spec.body.HostConfig.AutoRemove, true);
  assert.equal(build({ user: 0 }).body.User, "0");
  assert.equal(build({ user: "nobody" }).body.User, "nobody");
  fails({ working_dir: "app" }, "working_dir");
  fails({ working_dir: "/app/../etc" }, "working_dir");
  fails({ user: "root;rm" }, "user");
  fails({ user: -1 }, "user");
  fails({ hostname: "-bad" }, "hostname");
  fails({ hostname: "a_b" }, "hostname");
  fails({ tty: "yes" }, "tty");
  fails({ remove: 1 }, "remove");
});

Deno.test("container spec: healthcheck forms and durations", () => {
  let spec = build({
    healthcheck: {
      test: "wget -q -O- http://localhost/ || exit 1",
      interval: "10s",
      timeout: "1m30s",
      retries: 3,
      start_period: 2,
    },
  });
  assert.deepEqual(spec.body.Healthcheck, {
    Test: ["CMD-SHELL", "wget -q -O- http://localhost/ || exit 1"],
    Interval: 10e9,
    Timeout: 90e9,
    Retries: 3,
    StartPeriod: 2e9,
  });
  spec = build({ healthcheck: { test: ["true"], interval: "500ms" } });
  assert.deepEqual(spec.body.Healthcheck, { Test: ["CMD", "true"], Interval: 5e8 });
  spec = build({ healthcheck: { test: ["CMD-SHELL", "true"] } });
  assert.deepEqual(spec.body.Healthcheck, { Test: ["CMD-SHELL", "true"] });
  assert.deepEqual(build({ healthcheck: { disable: true } }).body.Healthcheck, { Test: ["NONE"] });
  assert.deepEqual(build({ healthcheck: { test: "NONE" } }).body.Healthcheck, { Test: ["NONE"] });
  fails({ healthcheck: { intervall: "10s" } }, "healthcheck.intervall", /not known/);
  fails({ healthcheck: { interval: "10 seconds" } }, "healthcheck.interval");
  fails({ healthcheck: { timeout: "5us" } }, "healthcheck.timeout", /1ms/);
  fails({ healthcheck: { retries: 1.5 } }, "healthcheck.retries");
  fails({ healthcheck: { test: [] } }, "healthcheck.test");
  fails({ healthcheck: { test: ["CMD"] } }, "healthcheck.test");
  fails({ healthcheck: { test: ["CMD-SHELL", "a", "b"] } }, "healthcheck.test");
  fails({ healthcheck: { test: "  " } }, "healthcheck.test");
  fails({ healthcheck: "curl localhost" }, "healthcheck");
});

Deno.test("container spec: the field error names compose services", () => {
  const fieldError: FieldError = (field, problem, hint) =>
    invalidInput(`services.web.${field}`, problem, hint);
  assert.throws(
    () => build({ ports: { "80": "x" } }, { fieldError }),
    /Parameter 'services\.web\.ports\.80'/,
  );
});

Deno.test("shell words: split like a shell, no expansion", () => {
  assert.deepEqual(splitShellWords("  a   b\tc "), ["a", "b", "c"]);
  assert.deepEqual(splitShellWords(`'a b' "c $d" e\\ f ''`), ["a b", "c $d", "e f", ""]);
  assert.deepEqual(splitShellWords(`"a\\"b" 'c\\d'`), ['a"b', "c\\d"]);
  assert.deepEqual(splitShellWords("a'b'c"), ["abc"]);
  assert.throws(() => splitShellWords("a\\"), /backslash/);
});

Deno.test("shell words: exec uses sh -c only when the command needs a shell", () => {
  assert.deepEqual(execArgv("ls -la /tmp"), ["ls", "-la", "/tmp"]);
  assert.deepEqual(execArgv(["echo", "a|b"]), ["echo", "a|b"]);
  for (
    const command of [
      "ps aux | grep x",
      "echo hi > /tmp/x",
      "ls *.txt",
      "make && make install",
      "a; b",
      "echo $HOME",
      "echo 'quoted'",
      'echo "quoted"',
      "FOO=1 env",
      "echo `date`",
      "cat < in",
    ]
  ) {
    assert.ok(needsShell(command), command);
    assert.deepEqual(execArgv(command), ["sh", "-c", command]);
  }
  assert.ok(!needsShell("cat /etc/hostname"));
  assert.ok(!needsShell("env"));
});
