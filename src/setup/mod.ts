/**
 * `berth setup CLIENT`: the exact configuration an MCP client needs to start
 * berth the chosen way, with the sandbox flags that options such as `--read
 * DIR` need (the permission set's own entries included), printed or merged
 * into the client's file. Options and their grants are data
 * (src/setup/options.ts), ways of running too (src/setup/ways.ts), clients
 * too (src/setup/clients.ts).
 *
 * @module
 */

import { BerthError, currentVia, VIAS } from "../errors/mod.ts";
import { clientNamed, merged, printed } from "./clients.ts";
import { planServer } from "./options.ts";
import { type Launch, launchFor, NPM_PACKAGE, RELEASE_IMAGE } from "./ways.ts";
import denoConfig from "../../deno.json" with { type: "json" };

export { CLIENTS, shellWord } from "./clients.ts";
export { optionKey, planServer, SETUP_OPTIONS, type SetupOption } from "./options.ts";
export { type Launch, launchFor, NPM_PACKAGE, RELEASE_IMAGE, WAYS } from "./ways.ts";

/** `berth setup`'s own options, besides the server's ({@link SETUP_OPTIONS}). */
export interface SetupFlags {
  via?: string;
  write?: boolean;
  file?: string;
  image?: string;
  name?: string;
  [serverOption: string]: unknown;
}

/** What a `berth setup` run produced. */
export interface SetupResult {
  /** For stdout: the configuration, or nothing when it was written. */
  stdout: string;
  /** For stderr: notes, and where the file was written. */
  notes: string[];
  launch: Launch;
}

/** An environment variable, or undefined where the sandbox hides it. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** The image the image way runs: --image, the one berth runs in, else the release's. */
function imageRef(flags: SetupFlags): string {
  return flags.image ?? env("BERTH_IMAGE") ?? `${RELEASE_IMAGE}:${denoConfig.version}`;
}

/** The levels whose tools read host paths: build (images), compose (create), copy in (exec). */
const PATH_LEVELS = ["images", "create", "exec", "all"];

/**
 * A note when `--read` grants a directory but no level that uses one is
 * allowed: berth stays read-only by default, so the build, compose and copy
 * tools are not listed and the grant alone changes nothing a user can see.
 */
function readWithoutLevel(flags: SetupFlags): string[] {
  const read = flags.read as string[] | undefined;
  if (!read?.length) return [];
  const allow = String(flags.allow ?? "").split(",").map((level) => level.trim());
  if (allow.some((level) => PATH_LEVELS.includes(level))) return [];
  return [
    `--read lets berth read ${read.join(", ")}, but the tools that use it need their level ` +
    `(building: --allow images; compose: --allow create; copying in: --allow exec); without one, ` +
    `berth is read-only (unless your config file grants them)`,
  ];
}

/** Builds the configuration for `client`, writing it when `--write` says so. */
export function setup(clientName: string, flags: SetupFlags): SetupResult {
  const client = clientNamed(clientName);
  const via = flags.via ?? currentVia();
  const plan = planServer(flags, env("HOME"));
  const found = launchFor(via, plan, { image: imageRef(flags) });
  const launch = { ...found, notes: [...found.notes, ...readWithoutLevel(flags)] };
  const name = flags.name ?? "berth";
  if (!flags.write) return { stdout: printed(client, name, launch), notes: launch.notes, launch };
  if (via === "image" && currentVia() === "image") {
    throw new BerthError(
      "invalid_input",
      "berth setup --write cannot reach the host from a container",
      {
        hint: "Run it without --write and paste what it prints into the client's configuration",
      },
    );
  }
  const file = flags.file ??
    client.file({ env, os: Deno.build.os, cwd: Deno.cwd() });
  if (!file) {
    throw new BerthError("invalid_input", `The ${clientName} client has no file berth knows`, {
      hint: "Name it with --file PATH",
    });
  }
  // A link is written through only when the user named the file: a project's
  // own .mcp.json may be planted by whoever wrote the project.
  if (flags.file === undefined) refuseLink(file);
  const backup = writeMerged(file, (existing) => merged(client, existing, name, launch));
  const said = backup ? `wrote ${file} (the previous content is in ${backup})` : `wrote ${file}`;
  return { stdout: "", notes: [...launch.notes, said], launch };
}

/** The JSON object a config file holds, or undefined when there is no file yet. */
function readObject(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw sandboxed(error, file);
  }
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch (error) {
    throw new BerthError("invalid_input", `${file} is not plain JSON, so berth leaves it alone`, {
      context: (error as Error).message,
      hint: "Run berth setup without --write and add what it prints by hand",
    });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new BerthError("invalid_input", `${file} does not hold a JSON object`, {
      hint: "Run berth setup without --write and add what it prints by hand",
    });
  }
  return value as Record<string, unknown>;
}

/** The error for a file the sandbox or the system would not let setup touch. */
function sandboxed(error: unknown, file: string): BerthError {
  const sandbox = error instanceof Deno.errors.NotCapable;
  return new BerthError(sandbox ? "permission_denied" : "invalid_input", `Cannot write ${file}`, {
    context: (error as Error).message,
    hint: sandbox
      ? "berth setup --write runs under the berth-setup permission set (deno task setup, " +
        `npx -y ${NPM_PACKAGE} setup); else run it without --write and paste what it prints`
      : "Check that the directory exists and is writable, or name another file with --file",
  });
}

/** Refuses a config file that is a symbolic link (`--file` names a link's target on purpose). */
function refuseLink(file: string): void {
  let link: string;
  try {
    if (!Deno.lstatSync(file).isSymlink) return;
    link = Deno.readLinkSync(file);
  } catch {
    return; // absent (created below) or unreadable (readObject says why)
  }
  throw new BerthError("invalid_input", `${file} is a symbolic link to ${link}`, {
    hint: "berth setup --write does not write through a link it did not choose (a project can " +
      "plant one); if that target is meant, name it with --file",
  });
}

/**
 * Copies `file` to `backup` as a new regular file: whatever was at `backup`
 * (an old backup, or a link a project planted to make the copy land
 * elsewhere) is removed first, and the new file is created exclusively, so
 * the copy never goes through a link.
 */
function backUp(file: string, backup: string): void {
  try {
    Deno.removeSync(backup);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.writeFileSync(backup, Deno.readFileSync(file), { createNew: true });
}

/**
 * Writes `update(current object)` to `file`, first copying the current file to
 * `file.bak`; answers the backup's path, or undefined for a new file.
 */
function writeMerged(
  file: string,
  update: (existing: Record<string, unknown>) => Record<string, unknown>,
): string | undefined {
  const existing = readObject(file);
  const backup = existing ? `${file}.bak` : undefined;
  try {
    if (backup) backUp(file, backup);
    else Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")) || "/", { recursive: true });
    Deno.writeTextFileSync(file, JSON.stringify(update(existing ?? {}), null, 2) + "\n");
  } catch (error) {
    throw sandboxed(error, file);
  }
  return backup;
}

/** The ways, for help texts. */
export const WAY_NAMES: readonly string[] = VIAS;
