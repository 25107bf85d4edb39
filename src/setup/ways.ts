/**
 * The ways of running berth (README "Install") and the command line each
 * gives an MCP client: the command, its arguments and its environment, with
 * the sandbox grants of a {@link ServerPlan} turned into that way's flags.
 *
 * - checkout: `deno run -P=berth --allow-read=<new>,<the set's list> …`, the
 *   set's list repeated because such a flag replaces it (src/errors/sandbox.ts);
 * - npx and the image: the launcher flags `--read PATH` / `--write-path PATH`
 *   before `serve`, which the launcher (packaging/npm/bin/berth.cjs,
 *   packaging/image/entrypoint.sh) merges with the set's list itself, since
 *   only it knows where the package's files are; the image also mounts each
 *   path at the same place;
 * - binary: no flag can widen a compiled binary: it is built with the grants
 *   (`deno task compile --read DIR`), and setup says so.
 *
 * @module
 */

import {
  allowFlagOf,
  BerthError,
  berthRoot,
  currentVia,
  LAUNCHER_FLAG,
  type Via,
  VIAS,
} from "../errors/mod.ts";
import type { Grants, ServerPlan } from "./options.ts";
import denoConfig from "../../deno.json" with { type: "json" };

/** The npm package whose `bin` runs berth (packaging/npm/package.json). */
export const NPM_PACKAGE = "berth-mcp";

/** The released container image (the release workflow pushes it; server.json lists it). */
export const RELEASE_IMAGE = "ghcr.io/berth-mcp/berth";

/**
 * The V8 heap settings every way runs berth with (docs/performance.md,
 * "Start fast, stay small"): new space of at most 1 MiB per semi-space and an
 * old generation that grows by half its live size, not up to fourfold. With
 * V8's defaults the server's RSS grew from about 95 to 210 MiB over a few
 * thousand calls while its live heap stayed at 45 MiB; with these it stays
 * near 120 MiB, at the same speed. Repeated, and checked to be the same, in
 * deno.json's tasks, .github/scripts/compile.sh (baked into binaries),
 * packaging/npm/bin/berth.cjs and packaging/image/entrypoint.sh
 * (tests/unit/v8_flags_test.ts).
 */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=1,--heap-growing-percent=25";

/** The engine socket every image command line mounts. */
const DEFAULT_SOCKET = "/var/run/docker.sock";

/** What a client starts. */
export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Said on stderr: what the user must know that the configuration cannot say. */
  notes: string[];
}

/** Inputs of a way besides the plan. */
export interface WayContext {
  /** The image reference for the image way. */
  image: string;
}

type WayBuilder = (plan: ServerPlan, context: WayContext) => Launch;

/** `--read a --write-path b [--permission-set s]`: the launcher protocol, before `serve`. */
function launcherFlags(grants: Grants): string[] {
  return [
    ...grants.read.flatMap((p) => [LAUNCHER_FLAG.read, p]),
    ...grants.write.flatMap((p) => [LAUNCHER_FLAG.write, p]),
    ...(grants.permissionSet === "berth" ? [] : ["--permission-set", grants.permissionSet]),
  ];
}

function checkout(plan: ServerPlan): Launch {
  const root = berthRoot();
  // The npm package and the image carry berth's bundle, not src/: their files are no checkout.
  if (!root || currentVia() !== "checkout") {
    throw new BerthError("invalid_input", "This berth does not run from a checkout", {
      hint: "Run berth setup from the checkout (deno task setup CLIENT), or choose another --via",
    });
  }
  const { grants } = plan;
  const set = grants.permissionSet;
  const flags = [
    `-P=${set}`,
    ...(grants.read.length ? [allowFlagOf(set, "read", grants.read)] : []),
    ...(grants.write.length ? [allowFlagOf(set, "write", grants.write)] : []),
  ];
  return {
    ...denoCommand(),
    args: [
      ...denoCommand().args,
      "run",
      ...flags,
      V8_FLAGS,
      "--config",
      `${root}/deno.json`,
      `${root}/src/main.ts`,
      "serve",
      ...plan.serveArgs,
    ],
    env: {},
    notes: [],
  };
}

/**
 * The deno that runs this setup: its path, unless npx unpacked it into its
 * cache, which npm may clean: then `npx -y deno@<this version>` again.
 */
function denoCommand(): { command: string; args: string[] } {
  const path = Deno.execPath();
  return /[\\/]_npx[\\/]/.test(path)
    ? { command: "npx", args: ["-y", `deno@${Deno.version.deno}`] }
    : { command: path, args: [] };
}

function npx(plan: ServerPlan): Launch {
  return {
    command: "npx",
    // `--`: npm 11 reads every flag on npx's line as its own (and expands `--read` to
    // `--read-only`) unless they follow `--`.
    args: ["-y", "--", `${NPM_PACKAGE}@${denoConfig.version}`, ...launcherFlags(plan.grants)]
      .concat("serve", plan.serveArgs),
    env: {},
    notes: [],
  };
}

/** `-v` mounts: a path berth reads and writes (a socket) as is, read-only or its directory. */
function mounts(grants: Grants): string[] {
  const both = grants.read.filter((p) => grants.write.includes(p));
  const volumes = [
    `${DEFAULT_SOCKET}:${DEFAULT_SOCKET}`,
    ...both.map((p) => `${p}:${p}`),
    ...grants.read.filter((p) => !both.includes(p)).map((p) => `${p}:${p}:ro`),
    ...grants.write.filter((p) => !both.includes(p))
      .map((p) => p.slice(0, p.lastIndexOf("/")) || "/").map((d) => `${d}:${d}`),
  ];
  return [...new Set(volumes)].flatMap((v) => ["-v", v]);
}

function image(plan: ServerPlan, context: WayContext): Launch {
  return {
    command: "docker",
    args: [
      "run",
      "-i",
      "--rm",
      // berth needs no network of its own unless the engine is behind one.
      ...(plan.grants.network ? [] : ["--network", "none"]),
      ...mounts(plan.grants),
      context.image,
      ...launcherFlags(plan.grants),
      "serve",
      ...plan.serveArgs,
    ],
    env: {},
    notes: [],
  };
}

function binary(plan: ServerPlan): Launch {
  const { read, write } = plan.grants;
  const extra = [
    ...read.flatMap((p) => [LAUNCHER_FLAG.read, p]),
    ...write.flatMap((p) => [LAUNCHER_FLAG.write, p]),
  ];
  return {
    command: Deno.build.standalone ? Deno.execPath() : "berth",
    args: ["serve", ...plan.serveArgs],
    env: {},
    notes: extra.length
      ? [
        `a compiled binary's permissions are fixed when it is built: this configuration works ` +
        `only with a binary built by 'deno task compile ${extra.join(" ")}' (README "Install")`,
      ]
      : [],
  };
}

/** Each way's builder; {@link VIAS} orders them. */
export const WAYS: Record<Via, WayBuilder> = { checkout, npx, image, binary };

/** The command line for one way. */
export function launchFor(via: string, plan: ServerPlan, context: WayContext): Launch {
  if (!(VIAS as readonly string[]).includes(via)) {
    throw new BerthError("invalid_input", `Unknown way of running '${via}'`, {
      hint: `--via takes one of ${VIAS.join(", ")}`,
    });
  }
  return WAYS[via as Via](plan, context);
}
