/**
 * `docker_system_info`: what the engine is and holds, from `/info` plus the
 * API versions from `/version` (which `/info` lacks), fetched concurrently.
 *
 * Container and image counts are the engine's totals: they include containers
 * the policy hides from listings (a count names none of them).
 *
 * @module
 */

import type { Handler } from "./types.ts";

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

/** Reads `/info` and `/version` and the API version berth uses. */
export const systemInfo: Handler = async ({ engine, signal }) => {
  const [infoAnswer, versionAnswer, inUse] = await Promise.all([
    engine.json<EngineInfo | undefined>({ method: "GET", path: "/info", signal }),
    engine.json<{ ApiVersion?: string } | undefined>({ method: "GET", path: "/version", signal }),
    engine.apiVersion(signal),
  ]);
  const info = infoAnswer ?? {};
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
  };
  const s = structured;
  const lines = [
    `Docker ${s.server_version} (API ${s.api_version}, berth uses ${s.api_version_in_use}) on ${s.name}`,
    `${s.os} ${s.os_type}/${s.arch}, kernel ${s.kernel_version}, ${s.cpus} CPUs, ${s.memory_mb} MB`,
    `containers ${s.containers}: ${s.containers_running} running, ${s.containers_paused} paused, ` +
    `${s.containers_stopped} stopped; images ${s.images}`,
    `storage ${s.storage_driver}, logging ${s.logging_driver}, cgroup ${s.cgroup_driver} v${s.cgroup_version}, root ${s.docker_root_dir}`,
  ];
  if (s.warnings.length) lines.push(`warnings: ${s.warnings.join("; ")}`);
  return { structured, text: lines.join("\n") };
};
