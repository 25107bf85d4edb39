/**
 * The flags of `berth serve` (and of `tools` and `call`, which build the same
 * server): one table that the command line declares to commander
 * (src/main.ts) and that {@link parseServeArgs} reads on its own.
 *
 * Why two readers: importing commander loads Deno's `node:child_process`,
 * `node:fs` and `node:events` polyfills, about 20 ms of every start, and
 * building and running its parser about 7 ms more (docs/performance.md,
 * "Start fast, stay small"). A `berth serve` line made only of flags in this
 * table, each in its plain form, is read here; anything else (help, a
 * version, an unknown flag, `--flag=value`, a value that looks like a flag,
 * a value outside its choices) goes to commander, which answers it as it
 * always has. tests/unit/cli_flags_test.ts checks that both read every line
 * the same.
 *
 * @module
 */

/** One flag, as commander declares it. */
export interface CliFlag {
  /** `--docker-host <url>`, `--bypass-permissions`, `--no-confirm`. */
  flags: string;
  description: string;
  /** Each use adds to a list. */
  repeat?: boolean;
  /** The values accepted. */
  choices?: readonly string[];
}

/** The server's flags: `serve`, `tools` and `call` take them all. */
export const SERVER_FLAGS: readonly CliFlag[] = [
  { flags: "--config <file>", description: "YAML or JSON config file (env BERTH_CONFIG)" },
  {
    flags: "--docker-host <url>",
    description: "unix:///path, tcp://host:port or ssh://user@host[:port] (env DOCKER_HOST)",
  },
  { flags: "--context <name>", description: "a docker CLI context (env DOCKER_CONTEXT)" },
  {
    flags: "--allow <levels>",
    description: "comma list of permission levels, or all (env BERTH_ALLOW)",
  },
  { flags: "--bypass-permissions", description: "every level, no name lists, no exec guard" },
  {
    flags: "--allow-containers <globs>",
    description: "container name globs to allow (repeatable)",
    repeat: true,
  },
  {
    flags: "--deny-containers <globs>",
    description: "container name globs to deny; deny wins (repeatable)",
    repeat: true,
  },
  {
    flags: "--allow-images <globs>",
    description: "image reference globs to allow (repeatable)",
    repeat: true,
  },
  {
    flags: "--deny-images <globs>",
    description: "image reference globs to deny; deny wins (repeatable)",
    repeat: true,
  },
  {
    flags: "--timeout <class=duration>",
    description: "deadline of a timeout class, e.g. read=5s (repeatable)",
    repeat: true,
  },
  {
    flags: "--long-budget <duration>",
    description:
      "long and compose calls still running after this answer status running with an operation_id (0: never; default 25s)",
  },
  {
    flags: "--manifest <dir>",
    description: "extra manifest directory (repeatable; env BERTH_MANIFESTS)",
    repeat: true,
  },
  { flags: "--toolsets <list>", description: "only these toolsets (env BERTH_TOOLSETS)" },
  {
    flags: "--dynamic-toolsets",
    description: "list the read tools and docker_toolsets, which enables the other toolsets",
  },
  {
    flags: "--output-schemas",
    description: "tools/list also sends each tool's title and outputSchema",
  },
  { flags: "--audit-log <file>", description: "JSON Lines audit log (env BERTH_AUDIT_LOG)" },
  {
    flags: "--no-confirm",
    description:
      "never ask the user before a remove, prune, kill or compose down (config confirm_destructive)",
  },
  {
    flags: "--log-level <level>",
    description: "stderr logging (env BERTH_LOG_LEVEL)",
    choices: ["error", "warn", "info", "debug"],
  },
];

/** The flags of `berth serve --http` (serve takes them beside {@link SERVER_FLAGS}). */
export const HTTP_FLAGS: readonly CliFlag[] = [
  {
    flags: "--http <[host:]port>",
    description: "serve MCP Streamable HTTP at /mcp (host default 127.0.0.1)",
  },
  {
    flags: "--token-file <file>",
    description: "bearer tokens, one name:token [allow=levels] per line",
  },
  { flags: "--oauth-issuer <url>", description: "accept JWT access tokens from this OAuth issuer" },
  {
    flags: "--oauth-audience <url>",
    description: "berth's resource URL, the audience tokens must name",
  },
  {
    flags: "--oauth-jwks <url>",
    description: "the issuer's JWKS URL (default: from its metadata)",
  },
  {
    flags: "--allowed-hosts <list>",
    description: "more Host header values to accept (repeatable)",
    repeat: true,
  },
  {
    flags: "--allowed-origins <list>",
    description: "more Origin values to accept (repeatable)",
    repeat: true,
  },
  { flags: "--max-body <bytes>", description: "largest request body (default 4194304)" },
  {
    flags: "--rate-limit <n>",
    description: "requests per minute per caller (default 600; 0: off)",
  },
  {
    flags: "--max-concurrent <n>",
    description: "tool calls in flight per caller (default 16; 0: off)",
  },
  {
    flags: "--session-idle <duration>",
    description: "close sessions idle this long (default 30m)",
  },
  { flags: "--max-sessions <n>", description: "sessions open at once (default 256)" },
];

/** A flag as the parser reads it. */
interface Reading {
  flag: CliFlag;
  /** The option's key, as commander names it: `--docker-host` → `dockerHost`. */
  key: string;
  takesValue: boolean;
  /** `--no-x`: sets `x` to false; `x` is true unless given. */
  negated: boolean;
}

function reading(flag: CliFlag): Reading {
  const [name] = flag.flags.split(" ");
  const negated = name.startsWith("--no-");
  const bare = negated ? name.slice("--no-".length) : name.slice(2);
  const key = bare.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return { flag, key, takesValue: flag.flags.includes("<"), negated };
}

const SERVE_READINGS = new Map(
  [...SERVER_FLAGS, ...HTTP_FLAGS].map((flag) => [flag.flags.split(" ")[0], reading(flag)]),
);

/**
 * The options of a `berth serve …` line as commander would give them to the
 * serve command, or undefined when the line is not one this parser reads
 * (commander then reads it, with its help and its errors).
 */
export function parseServeArgs(args: readonly string[]): Record<string, unknown> | undefined {
  if (args[0] !== "serve") return undefined;
  const options: Record<string, unknown> = {};
  for (const r of SERVE_READINGS.values()) if (r.negated) options[r.key] = true;
  for (let i = 1; i < args.length; i++) {
    const r = SERVE_READINGS.get(args[i]);
    if (!r) return undefined;
    if (!r.takesValue) {
      options[r.key] = !r.negated;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith("-")) return undefined;
    if (r.flag.choices && !r.flag.choices.includes(value)) return undefined;
    options[r.key] = r.flag.repeat ? [...(options[r.key] as string[] ?? []), value] : value;
  }
  return options;
}
