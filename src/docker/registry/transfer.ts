/**
 * One registry transfer, as `docker_pull_image` and `docker_push_image` both
 * run it: the credentials travel in `X-Registry-Auth`, the engine's NDJSON
 * progress becomes MCP progress, a failure reported inside the stream (the
 * engine has already answered 200 by then) becomes a typed error, and no
 * message carries a secret the engine or registry may echo back.
 *
 * @module
 */

import type { Operation } from "../../engine/ops/mod.ts";
import { LayerProgress, lineError, type ProgressLine, progressLines } from "../progress/layers.ts";
import {
  registryAuth,
  registryAuthHeader,
  retypeRegistryError,
  scrub,
  scrubError,
  secretsOf,
  streamError,
} from "./references.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** The header to send and the strings to scrub from everything shown. */
export interface RegistryCredentials {
  header: string;
  secrets: string[];
  /** True when `auth` carried a username, password or token (the hint of a refusal differs). */
  sent: boolean;
}

/** Validates the `auth` argument and encodes it for the registry of `name`. */
export function registryCredentials(auth: unknown, name: string): RegistryCredentials {
  const parsed = registryAuth(auth);
  const header = registryAuthHeader(parsed, name);
  const sent = Boolean(parsed?.username || parsed?.password || parsed?.identitytoken);
  return { header, secrets: secretsOf(parsed, header), sent };
}

/**
 * Runs a registry operation; its errors are re-typed once, here (the
 * registry's words decide DKR-003/DKR-005, whether credentials were sent
 * decides the hint) and scrubbed of the secrets.
 */
export async function withRegistryErrors<T>(
  credentials: RegistryCredentials,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw scrubError(retypeRegistryError(error, credentials.sent), credentials.secrets);
  }
}

/** The engine operation (a pull or a push) and how to follow its progress stream. */
export interface TransferOptions {
  op: Operation<"image.create" | "image.push">;
  /** Names the operation in errors ("pull busybox:latest"). */
  context: string;
  /** Names the transfer in progress messages. */
  verb: "downloaded" | "pushed";
  /** Sees every line that is not a failure, before the progress does. */
  onLine: (line: ProgressLine) => void;
}

/**
 * Sends the transfer request and follows its stream to the end. Answers the
 * layer progress still open, so that the caller sends the final message once
 * it knows the outcome. Run it inside `withRegistryErrors`, which types the
 * request's errors.
 */
export async function registryTransfer(
  ctx: HandlerContext,
  credentials: RegistryCredentials,
  options: TransferOptions,
): Promise<LayerProgress> {
  const { secrets, sent } = credentials;
  const response = await ctx.engine.request({
    ...options.op,
    headers: { "X-Registry-Auth": credentials.header },
    signal: ctx.signal,
    errors: { 404: "image_not_found" },
  });
  const progress = new LayerProgress(
    (p) => ctx.progress({ ...p, message: p.message && scrub(p.message, secrets) }),
    options.verb,
  );
  for await (const line of progressLines(response.body, options.context)) {
    const failure = lineError(line);
    if (failure) throw streamError(scrub(failure, secrets), options.context, undefined, sent);
    options.onLine(line);
    progress.update(line);
  }
  return progress;
}
