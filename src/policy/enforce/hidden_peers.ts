/**
 * What a visible container's inspect says of the containers it shares with:
 * another container's network, process or IPC namespace
 * (`HostConfig.NetworkMode: container:<ID>`), its volumes (`VolumesFrom`),
 * links, and the resolv.conf, hostname and hosts files and the host name of
 * the container whose network it joined (paths that hold that container's
 * ID, its short ID). While container
 * name lists are set, a hidden one among them is written `<hidden>`, so that a
 * visible container's inspect does not give a hidden one's ID or name away
 * (docs/security.md, "Names").
 *
 * @module
 */

import type { EngineClient } from "../../engine/client.ts";
import { containers } from "../../engine/ops/mod.ts";
import { isBerthError } from "../../errors/mod.ts";
import type { Policy } from "../mod.ts";
import { bareName } from "./list_filters.ts";

/** How a hidden peer is written. */
export const HIDDEN_PEER = "<hidden>";

const NAMESPACE_MODES = ["NetworkMode", "PidMode", "IpcMode"];
const PEER_FILES = ["ResolvConfPath", "HostnamePath", "HostsPath"];
const PEER_FILE_ID = /\/containers\/([0-9a-f]{64})\//;

/** A parsed inspect, read field by field. */
export type Json = Record<string, unknown>;

/** The containers an inspect names besides itself: references as they are written. */
function peersOf(info: Json): Set<string> {
  const peers = new Set<string>();
  const hc = (info.HostConfig ?? {}) as Json;
  for (const mode of NAMESPACE_MODES) {
    const value = hc[mode];
    if (typeof value === "string" && value.startsWith("container:")) {
      peers.add(value.slice("container:".length));
    }
  }
  for (const entry of strings(hc.VolumesFrom)) peers.add(entry.split(":")[0]);
  for (const entry of strings(hc.Links)) peers.add(bareName(entry.split(":")[0]));
  for (const key of PEER_FILES) {
    const id = PEER_FILE_ID.exec(String(info[key] ?? ""))?.[1];
    if (id && id !== info.Id) peers.add(id);
  }
  return peers;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Whether a peer is visible; one the engine no longer has gives nothing away. */
async function peerVisible(
  engine: EngineClient,
  policy: Policy,
  ref: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const peer = await engine.json<{ Name?: string }>(
      containers.inspect(ref, {}, { signal, errors: { 404: "container_not_found" } }),
    );
    return policy.containerVisible(bareName(peer?.Name));
  } catch (error) {
    if (isBerthError(error) && error.type === "container_not_found") return true;
    throw error;
  }
}

/** The inspect with each hidden peer written {@link HIDDEN_PEER}. */
function written(info: Json, hidden: Set<string>): Json {
  const hc = { ...(info.HostConfig ?? {}) as Json };
  for (const mode of NAMESPACE_MODES) {
    const value = hc[mode];
    if (typeof value === "string" && hidden.has(value.slice("container:".length))) {
      hc[mode] = `container:${HIDDEN_PEER}`;
    }
  }
  const entries = (value: unknown, peer: (entry: string) => string) =>
    Array.isArray(value)
      ? value.map((e) => typeof e === "string" && hidden.has(peer(e)) ? HIDDEN_PEER : e)
      : value;
  if (hc.VolumesFrom) hc.VolumesFrom = entries(hc.VolumesFrom, (e) => e.split(":")[0]);
  if (hc.Links) hc.Links = entries(hc.Links, (e) => bareName(e.split(":")[0]));
  const out: Json = { ...info, HostConfig: hc };
  // On another container's network, the host name is that container's: its short ID.
  const config = info.Config as Json | undefined;
  const hostname = config?.Hostname;
  if (typeof hostname === "string" && hostname && [...hidden].some((p) => p.startsWith(hostname))) {
    out.Config = { ...config, Hostname: HIDDEN_PEER };
  }
  for (const key of PEER_FILES) {
    const path = String(info[key] ?? "");
    const id = PEER_FILE_ID.exec(path)?.[1];
    if (id && hidden.has(id)) out[key] = path.replace(id, HIDDEN_PEER);
  }
  return out;
}

/**
 * A visible container's inspect text with its hidden peers written
 * `<hidden>`; the text as it is when it names none (one inspect per peer
 * named, none when there is no peer). `info` is the text, parsed.
 */
export async function withoutHiddenPeers(
  engine: EngineClient,
  policy: Policy,
  inspect: { text: string; info: Json },
  signal?: AbortSignal,
): Promise<string> {
  const { text, info } = inspect;
  const peers = peersOf(info);
  if (!peers.size) return text;
  const hidden = new Set<string>();
  for (const peer of peers) {
    if (!(await peerVisible(engine, policy, peer, signal))) hidden.add(peer);
  }
  return hidden.size ? JSON.stringify(written(info, hidden)) : text;
}
