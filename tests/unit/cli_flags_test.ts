/**
 * A `berth serve` line reads the same whether src/config/cli_flags.ts reads
 * it (the start that does not load commander) or commander does: for every
 * line the table's parser takes, the options equal the serve command's; the
 * lines it leaves to commander are those commander answers with help or an
 * error, or reads in a form the table's parser does not (`--flag=value`).
 *
 * @module
 */

import assert from "node:assert/strict";
import * as commander from "commander";
import { program } from "../../src/main.ts";
import { HTTP_FLAGS, parseServeArgs, SERVER_FLAGS } from "../../src/config/cli_flags.ts";

/** The options commander gives the serve command for `args` (its action replaced), or its error. */
function byCommander(args: string[]): Record<string, unknown> | string {
  const root = program(commander).exitOverride();
  const serve = root.commands.find((c) => c.name() === "serve")!;
  serve.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let seen: Record<string, unknown> | undefined;
  serve.action((options: Record<string, unknown>) => {
    seen = { ...options };
  });
  try {
    root.parse(args, { from: "user" });
  } catch (error) {
    return (error as commander.CommanderError).code;
  }
  return seen ?? "no action";
}

const READ_HERE: string[][] = [
  ["serve"],
  ["serve", "--allow", "read,lifecycle"],
  ["serve", "--bypass-permissions"],
  ["serve", "--no-confirm", "--dynamic-toolsets", "--output-schemas"],
  ["serve", "--allow-containers", "web*", "--allow-containers", "db*", "--deny-images", "evil*"],
  ["serve", "--timeout", "read=5s", "--timeout", "long=10m", "--long-budget", "0"],
  ["serve", "--manifest", "/srv/a", "--manifest", "/srv/b", "--toolsets", "containers"],
  ["serve", "--docker-host", "unix:///run/x.sock", "--context", "prod", "--config", "/etc/b.yaml"],
  ["serve", "--audit-log", "/var/log/b.jsonl", "--log-level", "debug"],
  ["serve", "--allow", "read", "--allow", "all"],
  ["serve", "--http", "127.0.0.1:8080", "--token-file", "/etc/t", "--allowed-hosts", "a,b"],
  ["serve", "--http", "9000", "--oauth-issuer", "https://i", "--oauth-audience", "https://a"],
  ["serve", "--http", "9000", "--max-body", "1024", "--rate-limit", "0", "--max-concurrent", "4"],
  ["serve", "--http", "9000", "--session-idle", "5m", "--max-sessions", "3", "--oauth-jwks", "x"],
  ["serve", "--http", "9000", "--allowed-origins", "https://o", "--allowed-origins", "https://p"],
];

const LEFT_TO_COMMANDER: string[][] = [
  ["serve", "--help"],
  ["serve", "-h"],
  ["--version"],
  ["serve", "--unknown"],
  ["serve", "extra"],
  ["serve", "--allow"],
  ["serve", "--allow=read"],
  ["serve", "--log-level", "loud"],
  ["serve", "--timeout", "-5s"],
  ["tools"],
  ["call", "docker_version"],
];

Deno.test("cli flags: every line the table's parser reads, commander reads the same", () => {
  for (const args of READ_HERE) {
    const here = parseServeArgs(args);
    assert.ok(here, `read here: ${args.join(" ")}`);
    assert.deepEqual(here, byCommander(args), args.join(" "));
  }
});

Deno.test("cli flags: help, versions, errors and other commands are left to commander", () => {
  for (const args of LEFT_TO_COMMANDER) {
    assert.equal(parseServeArgs(args), undefined, args.join(" "));
  }
  // Commander still reads its own forms of what the table declares.
  assert.deepEqual(
    byCommander(["serve", "--allow=read"]),
    byCommander(["serve", "--allow", "read"]),
  );
  assert.equal(byCommander(["serve", "--log-level", "loud"]), "commander.invalidArgument");
  assert.equal(byCommander(["serve", "--unknown"]), "commander.unknownOption");
});

Deno.test("cli flags: each flag of the table is one the serve command declares", () => {
  const serve = program(commander).commands.find((c) => c.name() === "serve")!;
  const declared = serve.options.map((o) => o.flags);
  assert.deepEqual(declared, [...SERVER_FLAGS, ...HTTP_FLAGS].map((f) => f.flags));
});
