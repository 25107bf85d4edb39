/**
 * `berth setup`: the tables of clients, options and ways, and the file it
 * merges into. Pure code and temporary files; no engine.
 */

import assert from "node:assert/strict";
import {
  CLIENTS,
  launchFor,
  NPM_PACKAGE,
  planServer,
  setup,
  SETUP_OPTIONS,
  shellWord,
} from "../../src/setup/mod.ts";
import { type BerthError, berthSetPaths, SETUP_CLIENTS, VIAS } from "../../src/errors/mod.ts";
import denoConfig from "../../deno.json" with { type: "json" };
import { loadConfigParser } from "../../src/config/mod.ts";

// Config files are parsed with the YAML parser, loaded on demand (src/config/file.ts).
await loadConfigParser();

const CONTEXT = { image: "berth:local" };

Deno.test("setup: the clients named in sandbox hints are exactly the clients setup knows", () => {
  assert.deepEqual(Object.keys(CLIENTS).sort(), [...SETUP_CLIENTS].sort());
});

Deno.test("setup: --read and --manifest grant reads; only --manifest reaches berth serve", () => {
  const plan = planServer({ read: ["/srv/app"], manifest: ["/srv/tools"], allow: "images" }, "/h");
  assert.deepEqual(plan.grants.read, ["/srv/app", "/srv/tools"]);
  assert.deepEqual(plan.serveArgs, ["--allow", "images", "--manifest", "/srv/tools"]);
  assert.equal(plan.grants.permissionSet, "berth");
});

Deno.test("setup: relative and ~ paths become absolute, the same path is granted once", () => {
  const plan = planServer({ read: ["app", "~/ctx", `${Deno.cwd()}/app`] }, "/home/me");
  assert.deepEqual(plan.grants.read, [`${Deno.cwd()}/app`, "/home/me/ctx"]);
});

Deno.test("setup: --config grants its engines' sockets, TLS files and audit log, and ssh's set", () => {
  const dir = Deno.makeTempDirSync({ prefix: "berth-setup-config-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/config.yaml`,
      `audit_log: /srv/log/audit.jsonl\nengines:\n` +
        `  a: { host: "unix:///var/run/docker.sock" }\n` +
        `  b: { host: "unix:///srv/b.sock" }\n` +
        `  c: { host: "tcp://127.0.0.1:2376", tls: { ca: /srv/tls/ca.pem, cert: /etc/berth/c.pem } }\n` +
        `default_engine: a\n`,
    );
    let plan = planServer({ config: `${dir}/config.yaml` }, undefined);
    assert.deepEqual(plan.grants.read, [`${dir}/config.yaml`, "/srv/tls/ca.pem", "/srv/b.sock"]);
    assert.deepEqual(plan.grants.write, ["/srv/log/audit.jsonl", "/srv/b.sock"]);
    assert.equal(plan.grants.network, true);
    assert.equal(plan.grants.permissionSet, "berth");
    assert.deepEqual(plan.serveArgs, ["--config", `${dir}/config.yaml`]);
    Deno.writeTextFileSync(`${dir}/ssh.yaml`, `docker: { host: "ssh://me@127.0.0.1:2222" }\n`);
    plan = planServer({ config: `${dir}/ssh.yaml` }, undefined);
    assert.equal(plan.grants.permissionSet, "berth-ssh");
    // A file setup cannot parse grants only itself: berth serve names the fault.
    Deno.writeTextFileSync(`${dir}/bad.yaml`, `engines: [\n`);
    plan = planServer({ config: `${dir}/bad.yaml` }, undefined);
    assert.deepEqual(plan.grants.read, [`${dir}/bad.yaml`]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("setup: --context grants the context store and the context's socket", () => {
  const dir = Deno.makeTempDirSync({ prefix: "berth-setup-ctx-" });
  const before = Deno.env.get("DOCKER_CONFIG");
  try {
    Deno.mkdirSync(`${dir}/contexts/meta/abc`, { recursive: true });
    Deno.writeTextFileSync(
      `${dir}/contexts/meta/abc/meta.json`,
      JSON.stringify({ Name: "far", Endpoints: { docker: { Host: "unix:///srv/far.sock" } } }),
    );
    Deno.env.set("DOCKER_CONFIG", dir);
    const plan = planServer({ context: "far" }, undefined);
    assert.deepEqual(plan.grants.read, [`${dir}/contexts`, "/srv/far.sock"]);
    assert.deepEqual(plan.grants.write, ["/srv/far.sock"]);
    assert.deepEqual(plan.serveArgs, ["--context", "far"]);
    // A context setup cannot find still grants the store: berth serve names the fault.
    assert.deepEqual(planServer({ context: "nope" }, undefined).grants.read, [`${dir}/contexts`]);
  } finally {
    if (before === undefined) Deno.env.delete("DOCKER_CONFIG");
    else Deno.env.set("DOCKER_CONFIG", before);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("setup: a socket outside the set is granted, one inside is not; tcp keeps a network", () => {
  let plan = planServer({ dockerHost: "unix:///srv/engine.sock" }, undefined);
  assert.deepEqual(plan.grants.read, ["/srv/engine.sock"]);
  assert.deepEqual(plan.grants.write, ["/srv/engine.sock"]);
  plan = planServer({ dockerHost: "unix:///var/run/docker.sock" }, undefined);
  assert.deepEqual(plan.grants.read, []);
  plan = planServer({ dockerHost: "tcp://127.0.0.1:2375" }, undefined);
  assert.equal(plan.grants.network, true);
  const image = launchFor("image", plan, CONTEXT);
  assert.ok(!image.args.includes("none"), "a tcp engine keeps the container's network");
});

Deno.test("setup: an ssh engine runs under the berth-ssh set in every way", () => {
  const plan = planServer({ dockerHost: "ssh://me@127.0.0.1", read: ["/srv/app"] }, undefined);
  assert.equal(plan.grants.permissionSet, "berth-ssh");
  const checkout = launchFor("checkout", plan, CONTEXT);
  assert.ok(checkout.args.includes("-P=berth-ssh"), checkout.args.join(" "));
  const read = checkout.args.find((a) => a.startsWith("--allow-read="))!;
  assert.deepEqual(read.split("=")[1].split(","), [
    "/srv/app",
    ...berthSetPaths("read", "berth-ssh"),
  ]);
  const npx = launchFor("npx", plan, CONTEXT);
  const at = npx.args.indexOf("--permission-set");
  assert.equal(npx.args[at + 1], "berth-ssh");
  assert.ok(at < npx.args.indexOf("serve"));
});

Deno.test("setup: checkout repeats the whole set's read list after the new path", () => {
  const plan = planServer({ read: ["/srv/app"], auditLog: "/srv/log/audit.jsonl" }, undefined);
  const launch = launchFor("checkout", plan, CONTEXT);
  const read = launch.args.find((a) => a.startsWith("--allow-read="))!;
  assert.deepEqual(read.slice("--allow-read=".length).split(","), [
    "/srv/app",
    ...berthSetPaths("read"),
  ]);
  const write = launch.args.find((a) => a.startsWith("--allow-write="))!;
  assert.ok(write.startsWith("--allow-write=/srv/log/audit.jsonl,/var/run/docker.sock,"), write);
  const run = launch.args.indexOf("run");
  assert.equal(launch.args[run + 1], "-P=berth");
  assert.ok(launch.args.some((a) => a.endsWith("/deno.json")), "--config anchors the set");
  assert.ok(launch.args.indexOf("serve") > launch.args.indexOf(read));
});

Deno.test("setup: npx and image pass grants as launcher flags before serve; image mounts them", () => {
  const plan = planServer({ read: ["/srv/app"], auditLog: "/srv/log/a.jsonl" }, undefined);
  const npx = launchFor("npx", plan, CONTEXT);
  assert.equal(npx.command, "npx");
  assert.deepEqual(npx.args, [
    "-y",
    "--",
    `${NPM_PACKAGE}@${denoConfig.version}`,
    "--read",
    "/srv/app",
    "--write-path",
    "/srv/log/a.jsonl",
    "serve",
    "--audit-log",
    "/srv/log/a.jsonl",
  ]);
  const image = launchFor("image", plan, CONTEXT);
  assert.equal(image.command, "docker");
  const volumes = image.args.flatMap((a, i) => image.args[i - 1] === "-v" ? [a] : []);
  assert.deepEqual(volumes, [
    "/var/run/docker.sock:/var/run/docker.sock",
    "/srv/app:/srv/app:ro",
    "/srv/log:/srv/log",
  ]);
  const at = image.args.indexOf("berth:local");
  assert.deepEqual(image.args.slice(at + 1, at + 3), ["--read", "/srv/app"]);
  assert.ok(image.args.includes("--network"), "no network unless the engine needs one");
});

Deno.test("setup: a binary cannot be widened at run time, and setup says how to build one", () => {
  const launch = launchFor("binary", planServer({ read: ["/srv/app"] }, undefined), CONTEXT);
  assert.deepEqual(launch.args, ["serve"]);
  assert.match(launch.notes.join(), /deno task compile --read \/srv\/app/);
  assert.deepEqual(launchFor("binary", planServer({}, undefined), CONTEXT).notes, []);
});

Deno.test("setup: every way and every option is known; an unknown way is refused", () => {
  for (const via of VIAS) assert.ok(launchFor(via, planServer({}, undefined), CONTEXT).command);
  assert.throws(
    () => launchFor("ssh", planServer({}, undefined), CONTEXT),
    (e: BerthError) => /Unknown way of running 'ssh'/.test(e.message) && /--via/.test(e.hint),
  );
  assert.equal(new Set(SETUP_OPTIONS.map((o) => o.flag)).size, SETUP_OPTIONS.length);
});

Deno.test("setup: each client prints its own format", () => {
  let out = setup("claude-desktop", { via: "npx", allow: "images" }).stdout;
  assert.deepEqual(JSON.parse(out), {
    mcpServers: {
      berth: {
        command: "npx",
        args: ["-y", "--", `${NPM_PACKAGE}@${denoConfig.version}`, "serve", "--allow", "images"],
        env: {},
      },
    },
  });
  out = setup("vscode", { via: "npx" }).stdout;
  assert.equal(JSON.parse(out).servers.berth.type, "stdio");
  out = setup("claude-code", { via: "npx", read: ["/srv/my app"] }).stdout;
  assert.equal(
    out,
    `claude mcp add berth -- npx -y -- ${NPM_PACKAGE}@${denoConfig.version} --read '/srv/my app' serve\n`,
  );
  assert.throws(() => setup("zed", {}), /Unknown client 'zed'/);
});

Deno.test("setup: shell words survive quoting", () => {
  assert.equal(shellWord("--allow-read=/a,/b"), "--allow-read=/a,/b");
  assert.equal(shellWord("it's"), `'it'"'"'s'`);
});

Deno.test("setup: --write keeps the file's other content and leaves a backup", () => {
  const dir = Deno.makeTempDirSync({ prefix: "berth-setup-" });
  try {
    const file = `${dir}/claude_desktop_config.json`;
    const before = { theme: "dark", mcpServers: { other: { command: "x", args: [] } } };
    Deno.writeTextFileSync(file, JSON.stringify(before));
    const done = setup("claude-desktop", { via: "npx", write: true, file });
    assert.equal(done.stdout, "");
    assert.match(done.notes.join(), /wrote .*claude_desktop_config\.json/);
    const after = JSON.parse(Deno.readTextFileSync(file));
    assert.equal(after.theme, "dark");
    assert.deepEqual(after.mcpServers.other, before.mcpServers.other);
    assert.equal(after.mcpServers.berth.command, "npx");
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${file}.bak`)), before);

    const fresh = `${dir}/new/.vscode/mcp.json`;
    setup("vscode", { via: "npx", write: true, file: fresh });
    assert.equal(JSON.parse(Deno.readTextFileSync(fresh)).servers.berth.type, "stdio");

    Deno.writeTextFileSync(file, "{ // a comment\n}");
    assert.throws(() => setup("cursor", { via: "npx", write: true, file }), /not plain JSON/);
    assert.throws(
      () => setup("generic", { via: "npx", write: true }),
      (e: BerthError) => /--file PATH/.test(e.hint),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("setup: the npm package setup names is the one packaging/npm builds, at berth's version", () => {
  const pkg = JSON.parse(
    Deno.readTextFileSync(new URL("../../packaging/npm/package.json", import.meta.url)),
  );
  assert.equal(pkg.name, NPM_PACKAGE);
  assert.equal(pkg.version, denoConfig.version);
  assert.ok(pkg.bin[NPM_PACKAGE], "npx runs the bin named like the package");
  assert.match(pkg.dependencies.deno, /^\d+\.\d+\.\d+$/, "deno is pinned");
});

Deno.test("setup: --read without a level whose tools read paths says so; with one, no note", () => {
  const quiet = setup("claude-code", { via: "npx", read: ["/srv/app"], allow: "lifecycle,images" });
  assert.deepEqual(quiet.notes, []);
  const noted = setup("claude-code", { via: "npx", read: ["/srv/app"] });
  assert.equal(noted.notes.length, 1);
  assert.match(noted.notes[0], /--read lets berth read \/srv\/app.*--allow images/);
  // The note is for stderr: what is printed stays the one pasteable line.
  assert.equal(noted.stdout.trim().split("\n").length, 1);
  assert.deepEqual(setup("claude-code", { via: "npx", read: ["/a"], allow: "all" }).notes, []);
});

Deno.test("setup: the npm package and the image refuse --via checkout (they hold no src/)", () => {
  const plan = planServer({}, undefined);
  const before = Deno.env.get("BERTH_VIA");
  try {
    for (const via of ["npx", "image"]) {
      Deno.env.set("BERTH_VIA", via);
      assert.throws(
        () => launchFor("checkout", plan, CONTEXT),
        (error: Error) => /does not run from a checkout/.test(error.message),
        via,
      );
    }
    Deno.env.delete("BERTH_VIA");
    assert.ok(launchFor("checkout", plan, CONTEXT).args.some((a) => a.endsWith("/src/main.ts")));
  } finally {
    if (before === undefined) Deno.env.delete("BERTH_VIA");
    else Deno.env.set("BERTH_VIA", before);
  }
});
