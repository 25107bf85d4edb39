/**
 * Hidden containers are absent from every list: these filters remove them
 * from the engine's answers (container lists, network members, disk usage
 * and the counts in it, event streams) before any handler or shaper sees them.
 *
 * @module
 */

import { parseEngineJson } from "../../engine/json.ts";
import type { Policy } from "../mod.ts";
import { bareName } from "../../guard/formats.ts";

export { bareName };

/** The name lists use for a container of the engine's list: its own name, not a link alias. */
export function primaryName(names: unknown): string {
  if (!Array.isArray(names)) return "";
  const bare = names.filter((n): n is string => typeof n === "string").map(bareName);
  return bare.find((n) => !n.includes("/")) ?? bare[0] ?? "";
}

/** Keeps the visible containers of `GET /containers/json` (or `system/df`'s list). */
export function filterContainerList(policy: Policy, list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.filter((c) => policy.containerVisible(primaryName(c?.Names)));
}

/** Removes hidden members from one network's `Containers` map. */
function filterNetwork(policy: Policy, network: unknown): unknown {
  if (!network || typeof network !== "object") return network;
  const containers = (network as { Containers?: Record<string, { Name?: string }> }).Containers;
  if (!containers || typeof containers !== "object") return network;
  const kept = Object.fromEntries(
    Object.entries(containers).filter(([, c]) => policy.containerVisible(c?.Name ?? "")),
  );
  return { ...network, Containers: kept };
}

/** Filters `GET /networks` (a list) or `GET /networks/{id}` (one network). */
export function filterNetworks(policy: Policy, data: unknown): unknown {
  return Array.isArray(data)
    ? data.map((n) => filterNetwork(policy, n))
    : filterNetwork(policy, data);
}

interface DiskUsage {
  Containers?: { Names?: unknown; ImageID?: string; Mounts?: DiskUsageMount[] | null }[] | null;
  Images?: { Id?: string; Containers?: number }[] | null;
  Volumes?: { Name?: string; UsageData?: { RefCount?: number } | null }[] | null;
}

interface DiskUsageMount {
  Type?: string;
  Name?: string;
}

/** How often each key occurs. */
function tally(keys: (string | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** A count less what hidden containers add to it (-1, "not computed", stays). */
function less(count: number | undefined, hidden: number | undefined): number | undefined {
  return count !== undefined && count > 0 && hidden ? Math.max(0, count - hidden) : count;
}

/**
 * Filters `GET /system/df`: hidden containers leave the container section,
 * and the per-image container counts and per-volume reference counts lose
 * what they added, since "an image used by one container" that no visible
 * container uses would reveal a hidden one.
 */
export function filterDiskUsage(policy: Policy, data: unknown): unknown {
  if (!data || typeof data !== "object" || !("Containers" in data)) return data;
  const df = data as DiskUsage;
  const all = Array.isArray(df.Containers) ? df.Containers : [];
  const hidden = all.filter((c) => !policy.containerVisible(primaryName(c?.Names)));
  if (hidden.length === 0) return data;
  const byImage = tally(hidden.map((c) => c?.ImageID));
  const byVolume = tally(hidden.flatMap((c) => [
    ...new Set((c?.Mounts ?? []).filter((m) => m?.Type === "volume").map((m) => m.Name)),
  ]));
  type Volume = NonNullable<DiskUsage["Volumes"]>[number];
  const volume = (v: Volume): Volume => {
    if (!v?.UsageData) return v;
    const RefCount = less(v.UsageData.RefCount, byVolume.get(v.Name ?? ""));
    return { ...v, UsageData: { ...v.UsageData, RefCount } };
  };
  return {
    ...df,
    Containers: filterContainerList(policy, df.Containers),
    Images: df.Images?.map((i) => ({
      ...i,
      Containers: less(i?.Containers, byImage.get(i?.Id ?? "")),
    })),
    Volumes: df.Volumes?.map(volume),
  };
}

interface EngineEvent {
  Type?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
}

/**
 * True when an event may be shown: container events by the container's name,
 * other events that name a container (network connect, volume mount) only
 * when that container is known to be visible.
 */
export function eventVisible(policy: Policy, event: EngineEvent, visibleIds: Set<string>): boolean {
  const attributes = event.Actor?.Attributes ?? {};
  if (event.Type === "container") {
    if (!policy.containerVisible(attributes.name ?? "")) return false;
  }
  const other = attributes.container;
  return other === undefined || visibleIds.has(other);
}

/**
 * Filters an NDJSON event stream line by line. `visibleIds` is asked once, at
 * the first event that names a container by ID only.
 */
export function filterEventStream(
  policy: Policy,
  body: ReadableStream<Uint8Array>,
  visibleIds: () => Promise<Set<string>>,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  let ids: Set<string> | undefined;
  const emit = async (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (!line.trim()) return;
    let event: EngineEvent;
    try {
      event = parseEngineJson(line, "events stream");
    } catch {
      return; // a broken (or too deeply nested) line says nothing we may show
    }
    if (event.Actor?.Attributes?.container !== undefined) ids ??= await visibleIds();
    if (eventVisible(policy, event, ids ?? new Set())) {
      controller.enqueue(encoder.encode(`${line}\n`));
    }
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        pending += decoder.decode(chunk, { stream: true });
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) await emit(line, controller);
      },
      async flush(controller) {
        await emit(pending + decoder.decode(), controller);
      },
    }),
  );
}
