/**
 * `docker_system_info`: what the engine is and holds, from `/info` plus the
 * API versions from `/version` (which `/info` lacks), fetched concurrently.
 *
 * Container counts must not reveal that hidden containers exist: while
 * container name lists are set, the four counts come from the visible
 * containers (one `/containers/json?all=1`, filtered by the listing tools'
 * rule) instead of the engine's totals. Without lists (or under
 * --bypass-permissions) they are the engine's totals. The image count is the
 * engine's: images are not hidden.
 *
 * @module
 */

import { formatMemory } from "../../guard/formats.ts";
import { filterContainerList } from "../../interpreter/list_filters.ts";
import { kindOf, type VersionAnswer } from "../../engine/identity.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

interface EngineInfo {
  Name?: string;
  ServerVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  KernelVersion?: string;
  NCPU?: number;
  MemTotal?: number;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DockerRootDir?: string;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  Swarm?: { LocalNodeState?: string };
  Warnings?: string[] | null;
}

const MB = 1024 * 1024;

/** Container counts as `/info` names them. */
type Counts = Pick<
  EngineInfo,
  "Containers" | "ContainersRunning" | "ContainersPaused" | "ContainersStopped"
>;

/**
 * The counts of the visible containers, or undefined when nothing is hidden.
 * Like the engine, a container that is neither running nor paused counts as
 * stopped (created, exited, dead, restarting).
 */
async function visibleCounts(ctx: HandlerContext): Promise<Counts | undefined> {
  const { engine, policy, signal } = ctx;
  if (!policy.filtersContainers) return undefined;
  const list = await engine.json<unknown>({
    method: "GET",
    path: "/containers/json",
    query: { all: true },
    signal,
  });
  // The policy engine already filtered the list; filtering again costs nothing and holds
  // when a handler is given a plain client.
  const visible = filterContainerList(policy, list);
  const states = (Array.isArray(visible) ? visible : []).map((c) => c?.State);
  const running = states.filter((s) => s === "running").length;
  const paused = states.filter((s) => s === "paused").length;
  return {
    Containers: states.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: states.length - running - paused,
  };
}

/** Reads `/info` and `/version` and the API version berth uses. */
export const systemInfo: Handler = async (ctx) => {
  const { engine, signal } = ctx;
  const [infoAnswer, versionAnswer, inUse, counts] = await Promise.all([
    engine.json<EngineInfo | undefined>({ method: "GET", path: "/info", signal }),
    engine.json<VersionAnswer | undefined>({ method: "GET", path: "/version", signal }),
    engine.apiVersion(signal),
    visibleCounts(ctx),
  ]);
  const podman = kindOf(versionAnswer ?? {}) === "podman";
  const info = { ...infoAnswer, ...counts };
  const version = versionAnswer ?? {};
  const structured = {
    server_version: info.ServerVersion ?? null,
    api_version: version.ApiVersion ?? null,
    api_version_in_use: inUse,
    name: info.Name ?? null,
    os: info.OperatingSystem ?? null,
    os_type: info.OSType ?? null,
    arch: info.Architecture ?? null,
    kernel_version: info.KernelVersion ?? null,
    cpus: info.NCPU ?? null,
    memory_mb: info.MemTotal !== undefined ? Math.round(info.MemTotal / MB) : null,
    containers: info.Containers ?? 0,
    containers_running: info.ContainersRunning ?? 0,
    containers_paused: info.ContainersPaused ?? 0,
    containers_stopped: info.ContainersStopped ?? 0,
    images: info.Images ?? 0,
    storage_driver: info.Driver ?? null,
    logging_driver: info.LoggingDriver ?? null,
    cgroup_driver: info.CgroupDriver ?? null,
    cgroup_version: info.CgroupVersion ?? null,
    docker_root_dir: info.DockerRootDir ?? null,
    swarm: info.Swarm?.LocalNodeState ?? null,
    warnings: info.Warnings ?? [],
    engine_kind: podman ? "podman" : "docker",
  };
  const s = structured;
  const lines = [
    `${
      podman ? "Podman" : "Docker"
    } ${s.server_version} (API ${s.api_version}, berth uses ${s.api_version_in_use}) on ${s.name}`,
    `${s.os} ${s.os_type}/${s.arch}, kernel ${s.kernel_version}, ${s.cpus} CPUs, ` +
    `${formatMemory(info.MemTotal ?? NaN)} memory`,
    `containers ${s.containers}: ${s.containers_running} running, ${s.containers_paused} paused, ` +
    // The engine's count includes intermediate build images, which docker_list_images hides.
    `${s.containers_stopped} stopped; images ${s.images} (intermediate layers included)`,
    `storage ${s.storage_driver}, logging ${s.logging_driver}, cgroup ${s.cgroup_driver} v${s.cgroup_version}, root ${s.docker_root_dir}`,
  ];
  if (s.warnings.length) lines.push(`warnings: ${s.warnings.join("; ")}`);
  // Podman's Docker-compatible /info leaves the logging driver empty: say so, not a blank.
  if (podman && !info.LoggingDriver) {
    lines.push("Podman: its Docker-compatible API reports no logging driver (podman info has it)");
  }
  return { structured, text: lines.join("\n") };
};
