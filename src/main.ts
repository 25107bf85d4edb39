/**
 * The berth command line: wiring only, and the only place that exits.
 *
 * @module
 */

import type { Command } from "commander";
import { type App, createApp, VERSION } from "./app/mod.ts";
import {
  type CliOptions,
  type Config,
  loadConfigOnDemand,
  loadConfigParser,
} from "./config/mod.ts";
import { type CliFlag, HTTP_FLAGS, parseServeArgs, SERVER_FLAGS } from "./config/cli_flags.ts";
import { BerthError, isBerthError } from "./errors/mod.ts";
import { unknownToolError } from "./catalog/mod.ts";
import { checkReferences, errorResult, HANDLERS, listedTool, SHAPERS } from "./interpreter/mod.ts";
import { createLogger, type Logger } from "./log/mod.ts";
import { formatProblem, loadManifests, ManifestError } from "./manifest/mod.ts";
import { LEVELS } from "./manifest/types.ts";
import { redactText } from "./policy/redact.ts";
import { serveStdio } from "./server/mod.ts";
import { setup, SETUP_OPTIONS, type SetupFlags, WAY_NAMES } from "./setup/mod.ts";
import { SETUP_CLIENTS } from "./errors/mod.ts";
import type { HttpFlags } from "./server/http/cli.ts";
import type { Metrics } from "./server/http/mod.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** commander's module, loaded only for a command line {@link parseServeArgs} does not read. */
type Commander = typeof import("commander");

/** Declares flags of the table (src/config/cli_flags.ts) on a command, in its order. */
function declare(cli: Commander, command: Command, flags: readonly CliFlag[]): Command {
  for (const flag of flags) {
    if (flag.choices) {
      command.addOption(new cli.Option(flag.flags, flag.description).choices(flag.choices));
    } else if (flag.repeat) command.option(flag.flags, flag.description, collect);
    else command.option(flag.flags, flag.description);
  }
  return command;
}

/**
 * What the operator must read at start whatever the log level: a config the
 * sandbox hid, and `--bypass-permissions` (with the lists it drops).
 */
function startupWarnings(config: Config): string[] {
  const warnings = [...config.warnings];
  if (!config.bypassPermissions) return warnings;
  warnings.push(
    "--bypass-permissions: EVERY permission level is granted, name lists and the exec guard are OFF",
  );
  const lists = ([
    ["deny containers", config.containers.deny],
    ["deny images", config.images.deny],
    ["allow containers", config.containers.allow],
    ["allow images", config.images.allow],
  ] as [string, readonly string[]][]).filter(([, globs]) => globs.length).map(([what, globs]) =>
    `${what} ${globs.join(",")}`
  );
  if (lists.length) {
    warnings.push(
      `--bypass-permissions drops the configured name lists (${lists.join("; ")}): ` +
        "they are NOT enforced; run without --bypass-permissions to keep them",
    );
  }
  return warnings;
}

/** Logs the engine's API version once known (info), without holding start-up. */
function logApiVersion(app: App, log: Logger): void {
  if (app.config.apiVersion) {
    log.info(`engine API version ${app.config.apiVersion} (pinned)`);
    return;
  }
  app.engine.apiVersion().then(
    (version) => log.info(`engine API version ${version} (negotiated)`),
    (error) => log.info(`engine API version not negotiated yet: ${(error as Error).message}`),
  );
}

async function buildApp(
  options: CliOptions,
  usesEngine = true,
  metrics?: Metrics,
): Promise<App> {
  const config = await loadConfigOnDemand(options);
  const log = createLogger(config.logLevel);
  for (const warning of startupWarnings(config)) log.alert(warning);
  for (const notice of config.notices) log.warn(notice);
  log.info(
    config.configPath
      ? `config file ${config.configPath}`
      : "no config file: defaults, flags and environment only",
  );
  const app = await createApp(config, {
    onBreakerChange: ({ state, reason }) =>
      (state === "open" ? log.warn : log.info)(`circuit breaker ${state}: ${reason}`),
    onCallDone: (tool, ms, outcome) => {
      metrics?.callDone(tool, ms, outcome);
      log.debug(`call ${tool} ${ms}ms ${outcome}`);
    },
    onEngineResponse: metrics && ((ms) => metrics.engineRequest(ms)),
  });
  for (const slot of app.engines.slots) {
    const levels = LEVELS.filter((level) => slot.policy.allowsLevel(level)).join(",");
    const bypass = config.bypassPermissions ? " (--bypass-permissions)" : "";
    const named = app.engines.slots.length > 1 ? `${slot.name}: ` : "";
    log.info(`engine ${named}${slot.endpoint}; levels ${levels}${bypass}`);
  }
  log.info(`${app.tools.length} tools`);
  if (usesEngine && ["info", "debug"].includes(config.logLevel)) logApiVersion(app, log);
  return app;
}

/**
 * The JSON argument of `berth call`, parsed before anything starts: a
 * malformed one is a usage error, said in one line, not a stack trace.
 */
function callArguments(json: string): Record<string, unknown> {
  let args: unknown;
  let context: string | undefined;
  try {
    args = JSON.parse(json);
  } catch (error) {
    context = (error as Error).message;
  }
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new BerthError(
      "invalid_input",
      `The arguments of berth call must be one JSON object, not '${json.slice(0, 80)}'`,
      {
        context,
        hint: `Quote them as one shell word, e.g. berth call docker_inspect_container ` +
          `'{"container_id":"web"}' ('berth tools --json' lists each tool's parameters)`,
      },
    );
  }
  return args as Record<string, unknown>;
}

/**
 * The error for a tool name `berth call` does not know, said in the CLI's
 * terms (`berth tools`), not the protocol's (tools/list).
 */
function unknownTool(app: App, tool: string): BerthError {
  return unknownToolError(
    tool,
    app.allTools.map((t) => t.name),
    "list the tools with 'berth tools' ('berth tools --json' shows each one's parameters)",
  );
}

/** `berth setup CLIENT`: its options come from the setup tables (src/setup/options.ts). */
function setupCommand(root: Command): void {
  const command = root.command("setup")
    .description("print (or --write) an MCP client's configuration for berth")
    .argument("<client>", SETUP_CLIENTS.join(" | "))
    .option(
      "--via <way>",
      `how the client starts berth: ${WAY_NAMES.join(", ")} (default: this way)`,
    )
    .option("--write", "merge the entry into the client's config file (a .bak keeps the old one)")
    .option("--file <path>", "the config file --write updates (default: the client's own)")
    .option("--image <ref>", "the container image the image way runs")
    .option("--name <name>", "the server's name in the client's configuration", "berth");
  for (const option of SETUP_OPTIONS) {
    const flag = `${option.flag} <${option.value}>`;
    if (option.repeat) command.option(flag, option.description, collect);
    else command.option(flag, option.description);
  }
  command.action(async (client: string, flags: SetupFlags) => {
    // setup reads a --config file to grant what it names.
    await loadConfigParser();
    const done = setup(client, flags);
    for (const note of done.notes) console.error(`berth: ${note}`);
    if (done.stdout) Deno.stdout.writeSync(new TextEncoder().encode(done.stdout));
  });
}

/** `berth serve`: stdio, with refused messages in the operator's log. */
async function serveOverStdio(options: CliOptions) {
  const app = await buildApp(options);
  const log = createLogger(app.config.logLevel);
  return await serveStdio(app, { onProblem: (message) => log.warn(message) });
}

const AUTH_WORDS = {
  none: "without authentication",
  tokens: "with bearer tokens",
  oauth: "with OAuth access tokens",
} as const;

/**
 * `berth serve --http`: settings checked (fail closed) before the app starts.
 * The HTTP server (with jose for OAuth) loads only here: a stdio start never
 * pays for it (docs/performance.md).
 */
async function serveOverHttp(options: CliOptions & HttpFlags & { http: string }) {
  const [{ httpSettings }, { Metrics, serveHttp }] = await Promise.all([
    import("./server/http/cli.ts"),
    import("./server/http/mod.ts"),
  ]);
  const settings = await httpSettings(options);
  const metrics = new Metrics();
  const app = await buildApp(options, true, metrics);
  const log = createLogger(app.config.logLevel);
  if (settings.auth.kind === "none") {
    log.warn("HTTP without authentication: loopback only, every local process can call berth");
  }
  return await serveHttp(app, {
    ...settings,
    metrics,
    onListen: (url) => log.alert(`listening on ${url} ${AUTH_WORDS[settings.auth.kind]}`),
  });
}

/** `berth serve`, over HTTP with --http, else over stdio. */
async function serveCommand(options: CliOptions & HttpFlags): Promise<void> {
  const ended = options.http
    ? await serveOverHttp(options as CliOptions & HttpFlags & { http: string })
    : await serveOverStdio(options);
  // Stopped by a signal: exit as the shell expects (128 + signal number),
  // without waiting for an open stdin to end.
  if (ended !== "end") Deno.exit(ended === "SIGINT" ? 130 : 143);
}

/** The command line as commander reads it (exported for tests/unit/cli_flags_test.ts). */
export function program(cli: Commander): Command {
  const root = new cli.Command("berth")
    .description("An MCP server that gives AI assistants safe access to a Docker engine")
    .version(VERSION, "--version")
    .showHelpAfterError()
    // Commander asks the environment whether to colour its messages; the
    // sandbox grants only the variables berth reads, and plain text is fine.
    .configureOutput({ getOutHasColors: () => false, getErrHasColors: () => false });

  const serve = root.command("serve").description(
    "run the MCP server over stdio, or HTTP with --http",
  );
  declare(cli, serve, [...SERVER_FLAGS, ...HTTP_FLAGS]).action(serveCommand);

  declare(
    cli,
    root.command("tools").description("print the tool catalogue as the options expose it"),
    SERVER_FLAGS,
  )
    .option("--json", "print the tools/list entries as JSON")
    .action(async (options: CliOptions & { json?: boolean }) => {
      const app = await buildApp(options, false);
      const definitions = app.tools.map((t) =>
        listedTool(app.interpreter.definition(t.name)!, app.config)
      );
      if (options.json) {
        console.log(JSON.stringify(definitions, null, 2));
      } else {
        for (const t of app.tools) {
          console.log(`${t.name.padEnd(32)} ${t.permission.padEnd(10)} ${t.title}`);
        }
      }
      app.close();
    });

  declare(
    cli,
    root.command("call").description("call one tool once and print its result"),
    SERVER_FLAGS,
  )
    .argument("<tool>", "tool name")
    .argument("[json]", "arguments as a JSON object", "{}")
    .action(async (tool: string, json: string, options: CliOptions) => {
      const args = callArguments(json);
      const app = await buildApp(options);
      // One-shot: nothing could ask for a background operation later, so wait to the end.
      const done = app.interpreter.has(tool)
        ? await app.interpreter.call(tool, args, { background: false })
        : errorResult(unknownTool(app, tool));
      console.log(
        JSON.stringify(
          { structuredContent: done.structured, text: done.text, isError: done.isError },
          null,
          2,
        ),
      );
      app.close();
      if (done.isError) Deno.exitCode = 1;
    });

  setupCommand(root);

  root.command("validate")
    .description("check manifest directories; errors name file, line and field")
    .argument("[dirs...]", "directories to check (default: the built-in manifests)")
    .action(async (dirs: string[]) => {
      const { tools } = await loadManifests(dirs);
      // What start refuses, validate refuses: an unknown route (src/interpreter/plan.ts), and a
      // handler, shaper, transform or filter berth does not ship.
      for (const tool of tools) checkReferences(tool, { handlers: HANDLERS, shapers: SHAPERS });
      console.log(`ok: ${tools.length} tools valid`);
    });
  return root;
}

if (import.meta.main) {
  try {
    // `deno task start -- --allow x` passes the `--` on; berth takes no
    // argument that could be a bare `--`, so drop it rather than fail.
    const args = Deno.args.filter((arg) => arg !== "--");
    // A plain `berth serve` line starts without loading commander (src/config/cli_flags.ts).
    const serving = parseServeArgs(args);
    if (serving) await serveCommand(serving as CliOptions & HttpFlags);
    else await program(await import("commander")).parseAsync(["deno", "berth", ...args]);
  } catch (error) {
    // Whatever the error quotes (a docker host, a config value) is redacted like a log line.
    const say = (text: string) => console.error(redactText(text));
    if (error instanceof ManifestError) {
      say(`berth: invalid manifest:\n${error.problems.map(formatProblem).join("\n")}`);
    } else if (isBerthError(error)) {
      say(`berth: ${error.toText()}`);
    } else {
      say(`berth: ${(error as Error)?.stack ?? error}`);
    }
    Deno.exit(2);
  }
}
