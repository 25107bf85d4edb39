/**
 * Named value transforms that output fields in manifests may apply
 * (`transform: short_id`). Small, pure and total: a bad value yields null.
 * Docker knowledge (IDs, ports and health as the docker CLI shows them) with
 * no MCP in it, so Docker code and tools use them too; the interpreter applies
 * them by name.
 *
 * @module
 */

import { bareName } from "../guard/formats.ts";

/** A transform from an engine value to an output value. */
export type Transform = (value: unknown, item: Record<string, unknown>) => unknown;

const MB = 1024 * 1024;

/** Rounds to one decimal, the precision the docker CLI shows. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

interface EnginePort {
  IP?: string;
  PrivatePort?: number;
  PublicPort?: number;
  Type?: string;
}

/** `0.0.0.0:8080->80/tcp` per published port, `80/tcp` for exposed ones, as `docker ps` shows. */
export function compactPorts(ports: EnginePort[]): string[] {
  const seen = new Set<string>();
  for (const p of ports ?? []) {
    const target = `${p.PrivatePort}/${p.Type ?? "tcp"}`;
    // The engine lists IPv4 and IPv6 bindings separately; one line is enough.
    const host = p.IP && p.IP !== "::" ? p.IP : "0.0.0.0";
    seen.add(p.PublicPort ? `${host}:${p.PublicPort}->${target}` : target);
  }
  return [...seen];
}

/** The transforms manifests may name. */
export const TRANSFORMS: Record<string, Transform> = {
  /** The first 12 characters of an ID, without a `sha256:` prefix. */
  short_id: (v) => (typeof v === "string" ? v.replace(/^sha256:/, "").slice(0, 12) : null),
  /** An ID without its `sha256:` prefix. */
  strip_sha256: (v) => (typeof v === "string" ? v.replace(/^sha256:/, "") : null),
  /** The first container name, without the engine's leading slash. */
  container_name: (v) => {
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === "string" ? bareName(first) : null;
  },
  /** Strips the engine's leading slash from a name. */
  strip_slash: (v) => (typeof v === "string" ? bareName(v) : null),
  /** Bytes → megabytes, one decimal. */
  bytes_to_mb: (v) => (typeof v === "number" && v >= 0 ? round1(v / MB) : null),
  /** Unix seconds → RFC 3339. */
  unix_to_iso: (v) => (typeof v === "number" && v > 0 ? new Date(v * 1000).toISOString() : null),
  /** Published ports in the docker CLI's compact form. */
  ports: (v) => compactPorts((v as EnginePort[]) ?? []),
  /** Health from a container list Status such as "Up 5 minutes (healthy)". */
  health_from_status: (v) => {
    const match = typeof v === "string" ? /\((healthy|unhealthy|health: starting)\)/.exec(v) : null;
    return match ? match[1].replace("health: ", "") : null;
  },
  /** Repository tags, with the engine's `<none>:<none>` dropped. */
  tags: (v) => (Array.isArray(v) ? v.filter((t) => t !== "<none>:<none>") : []),
  /** An object's keys (a network's containers, say). */
  keys: (v) => (v && typeof v === "object" ? Object.keys(v) : []),
  /** Null for empty objects and the engine's `null` maps. */
  labels: (v) => (v && typeof v === "object" ? v : {}),
  /** Names of the containers attached to a network. */
  network_containers: (v) =>
    v && typeof v === "object"
      ? Object.values(v as Record<string, { Name?: string }>).map((c) => c.Name ?? "")
      : [],
};
