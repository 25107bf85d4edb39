/**
 * How compose tools describe containers: one compact object per container
 * (name, IDs, service, number, state, health, ports) and its text line.
 *
 * @module
 */

import { compactPorts, TRANSFORMS } from "../transforms.ts";
import { type ContainerSummary, label, nameOf } from "./engine_ops.ts";
import { LABEL } from "./naming.ts";

/** A container as compose tools report it. */
export interface ContainerInfo {
  name: string;
  id: string;
  short_id: string;
  service: string;
  number: number;
  state: string;
  status: string;
  health: string | null;
  image: string;
  ports: string[];
}

/** The compose view of a listed container. */
export function containerInfo(c: ContainerSummary): ContainerInfo {
  return {
    name: nameOf(c),
    id: c.Id,
    short_id: c.Id.slice(0, 12),
    service: label(c, LABEL.service),
    number: Number(label(c, LABEL.number)) || 0,
    state: c.State ?? "",
    status: c.Status ?? "",
    health: TRANSFORMS.health_from_status(c.Status, {}) as string | null,
    image: c.Image ?? "",
    ports: compactPorts(c.Ports ?? []),
  };
}

/** Groups items by a key, keeping the first-seen order of keys. */
export function groupBy<T>(
  items: T[],
  key: (item: T) => string,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(item);
  }
  return groups;
}

/** "running(2), exited(1)": a project's state, as `docker compose ls` prints it. */
export function stateSummary(containers: { state: string }[]): string {
  const counts = new Map<string, number>();
  for (const c of containers) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state}(${n})`).join(", ");
}
