#!/usr/bin/env node
// berth-mcp: runs berth (dist/bundle/main.js, the bundle of src/ that
// packaging/bundle.ts makes, shipped beside this file) under its own
// Deno permission set, with the deno binary of the pinned `deno` npm package,
// so `npx -y berth-mcp serve` needs Node alone.
//
// Launcher flags, before the command (what `berth setup` prints):
//   --read PATH...           berth may also read PATH (build contexts, compose
//                            files, copy sources, manifests, configs); every
//                            absolute path that follows, else one relative
//                            path (not a command), or --read=PATH
//   --write-path PATH...     berth may also write PATH (an audit log)
//   --permission-set NAME    another set of deno.json (default: berth;
//                            berth-setup for `setup`)
// A --read next to -P=berth replaces the set's read list, so the set's own
// entries are repeated here, read from the package's deno.json: nobody types
// them (src/errors/sandbox.ts says the same for a checkout).
"use strict";

const path = require("node:path");
const fs = require("node:fs");
const { spawn } = require("node:child_process");

const ROOT = path.join(__dirname, "..");
const LAUNCHER = {
  "--read": "read",
  "--write-path": "write",
  "--permission-set": "set",
};
/** berth's commands: what follows the launcher flags (src/main.ts). */
const COMMANDS = new Set([
  "serve",
  "tools",
  "call",
  "setup",
  "validate",
  "help",
]);

/** The deno executable of the `deno` package (its postinstall puts it beside it). */
function denoExecutable() {
  const dir = path.dirname(require.resolve("deno/package.json"));
  const exe = path.join(
    dir,
    process.platform === "win32" ? "deno.exe" : "deno",
  );
  if (fs.existsSync(exe)) return exe;
  // Installed with --ignore-scripts: the package finds its platform binary itself.
  return require(path.join(dir, "install_api.cjs")).runInstall();
}

/** A path a user means, not a command: /x, C:\\x or C:/x. */
function isAbsolute(arg) {
  return path.isAbsolute(arg) || /^[A-Za-z]:[\\/]/.test(arg);
}

/** Splits the launcher flags off the front of argv. */
function parse(argv) {
  const grants = { read: [], write: [], set: undefined };
  let i = 0;
  for (; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const key = LAUNCHER[flag];
    if (!key) break;
    if (inline !== undefined) {
      if (key === "set") grants.set = inline;
      else grants[key].push(path.resolve(inline));
      continue;
    }
    if (key === "set") {
      grants.set = argv[++i];
      if (grants.set === undefined) throw new Error(`${flag} needs a value`);
      continue;
    }
    // A path flag takes every absolute path after it (none is fine): a Claude Desktop
    // bundle expands a list of directories into separate arguments after one --read.
    const before = grants[key].length;
    while (i + 1 < argv.length && isAbsolute(argv[i + 1])) {
      grants[key].push(argv[++i]);
    }
    // Else one path a user typed relative to where they are (`--read ./app serve`), unless
    // what follows is berth's command or a flag.
    const next = argv[i + 1];
    if (
      grants[key].length === before && next !== undefined &&
      !next.startsWith("-") &&
      !COMMANDS.has(next)
    ) {
      grants[key].push(path.resolve(argv[++i]));
    }
  }
  // Deno splits --allow-read=a,b on commas with no escape: `/src/a,/etc` would grant /etc.
  for (const granted of [...grants.read, ...grants.write]) {
    if (granted.includes(",")) {
      throw new Error(
        `the path '${granted}' holds a comma, which Deno reads as two paths: ` +
          "rename it, or grant a parent directory without a comma",
      );
    }
  }
  return { grants, rest: argv.slice(i) };
}

/** A set's list for one permission, absolute; undefined when the set grants it all. */
function setList(set, permission) {
  const config = JSON.parse(
    fs.readFileSync(path.join(ROOT, "deno.json"), "utf8"),
  );
  const entry = (config.permissions[set] || {})[permission];
  if (entry === true) return undefined;
  return (entry || []).map((
    p,
  ) => (p.startsWith("./") ? path.join(ROOT, p) : p));
}

/** The deno flags for the grants: each list led by the new paths, then the set's own. */
function permissionFlags(set, grants) {
  const flags = [`-P=${set}`];
  for (const permission of ["read", "write"]) {
    const own = setList(set, permission);
    if (grants[permission].length && own) {
      const list = [...new Set([...grants[permission], ...own])];
      flags.push(`--allow-${permission}=${list.join(",")}`);
    }
  }
  return flags;
}

function main() {
  let parsed;
  try {
    const argv = process.argv.slice(2);
    parsed = parse(argv[0] === "--" ? argv.slice(1) : argv);
  } catch (error) {
    console.error(`berth-mcp: ${error.message}`);
    process.exit(2);
  }
  const { grants, rest } = parsed;
  const set = grants.set || (rest[0] === "setup" ? "berth-setup" : "berth");
  const args = [
    "run",
    "--no-prompt",
    ...permissionFlags(set, grants),
    // The heap settings every way runs berth with (src/setup/ways.ts, V8_FLAGS).
    "--v8-flags=--max-semi-space-size=1,--heap-growing-percent=25",
    "--config",
    path.join(ROOT, "deno.json"),
    path.join(ROOT, "dist", "bundle", "main.js"),
    ...rest,
  ];
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1" };
  if (!env.BERTH_VIA) env.BERTH_VIA = "npx";
  const child = spawn(denoExecutable(), args, { stdio: "inherit", env });
  // The client may stop us with a signal: pass it on, and exit as deno does.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code === null ? 1 : code);
  });
  child.on("error", (error) => {
    console.error(`berth-mcp: cannot start deno: ${error.message}`);
    process.exit(1);
  });
}

main();
