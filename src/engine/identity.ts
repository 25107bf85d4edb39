/**
 * What kind of engine answers at an endpoint: Docker, or Podman's
 * Docker-compatible service (`podman system service`), told apart by the
 * components `/version` lists, as `docker version` shows them.
 *
 * @module
 */

import { system } from "./ops/mod.ts";
import type { EngineClient } from "./client.ts";

/** The engines berth knows apart. */
export type EngineKind = "docker" | "podman";

/** An engine's kind and versions, from `/version`. */
export interface EngineIdentity {
  kind: EngineKind;
  version: string;
  apiVersion: string;
}

/** The subset of `/version` read here. */
export interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Components?: { Name?: string; Version?: string }[];
}

/** Podman names its component "Podman Engine"; Docker names its own "Engine". */
export function kindOf(answer: VersionAnswer): EngineKind {
  return (answer.Components ?? []).some((c) => /podman/i.test(c.Name ?? "")) ? "podman" : "docker";
}

/** Asks an engine who it is. */
export async function identify(
  engine: EngineClient,
  signal?: AbortSignal,
): Promise<EngineIdentity> {
  const answer = await engine.json<VersionAnswer>(system.version({ signal }));
  const podman = answer.Components?.find((c) => /podman/i.test(c.Name ?? ""));
  return {
    kind: kindOf(answer),
    version: podman?.Version ?? answer.Version ?? "",
    apiVersion: answer.ApiVersion ?? "",
  };
}

/**
 * The kind of one engine, asked once and remembered (a failed answer is not,
 * so an engine that was down is asked again). Each caller waits only as long
 * as its own signal allows.
 */
export function kindMemo(engine: EngineClient): (signal?: AbortSignal) => Promise<EngineKind> {
  let known: EngineKind | undefined;
  return async (signal) => {
    known ??= (await identify(engine, signal)).kind;
    return known;
  };
}
