/**
 * The docker CLI's arithmetic for `docker stats`, on the engine's stats JSON.
 * Pure functions, so that they are tested against hand-made samples.
 *
 * @module
 */

import { alignColumns } from "../guard/formats.ts";

/** The parts of one `GET /containers/{id}/stats` sample that are used. */
export interface EngineStats {
  id?: string;
  name?: string;
  read?: string;
  pids_stats?: { current?: number };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
}

/** CPU counters of a sample. */
export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/**
 * One container's figures, as the catalogue names them. A container that is
 * not running has no usage: its figures are null, never zeros that read as
 * an idle container.
 */
export interface StatsRow {
  container_id: string;
  name: string;
  /** The engine's state: running, paused, exited, created, restarting … */
  status: string;
  /** False when nothing was measured (exited, created, restarting, dead). */
  running: boolean;
  cpu_percent: number | null;
  memory_usage_mb: number | null;
  /**
   * The container's limit. Without one the engine reports the host's memory
   * here (as `docker stats` shows it) and `memory_limited` is false; for a
   * container that is not running, the configured limit or null.
   */
  memory_limit_mb: number | null;
  memory_limited: boolean;
  memory_percent: number | null;
  network_rx_mb: number | null;
  network_tx_mb: number | null;
  block_io_read_mb: number | null;
  block_io_write_mb: number | null;
  pids: number | null;
}

/** Who a row is about, and what its inspect says of its memory limit. */
export interface StatsIdentity {
  id: string;
  name: string;
  status: string;
  /** True when the container has a memory limit of its own. */
  memoryLimited: boolean;
}

const MB = 1024 * 1024;

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function onlineCpus(cpu: CpuStats | undefined): number {
  return cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 0;
}

/**
 * CPU % as the CLI computes it: the container's share of the host's CPU time
 * between two samples, times the online CPUs (100% = one full core).
 */
export function cpuPercent(current: CpuStats | undefined, previous: CpuStats | undefined): number {
  const cpuDelta = (current?.cpu_usage?.total_usage ?? 0) - (previous?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (current?.system_cpu_usage ?? 0) - (previous?.system_cpu_usage ?? 0);
  if (systemDelta <= 0 || cpuDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * onlineCpus(current) * 100;
}

/**
 * CPU % averaged since the container started: cumulative CPU time over wall
 * time (100% = one full core). Used when no second sample is taken.
 */
export function cpuPercentSinceStart(
  current: CpuStats | undefined,
  startedAt: string | undefined,
  readAt: string | undefined,
): number {
  const started = startedAt ? Date.parse(startedAt) : NaN;
  const read = readAt ? Date.parse(readAt) : Date.now();
  const wallNs = (read - started) * 1e6;
  const usage = current?.cpu_usage?.total_usage ?? 0;
  if (!(wallNs > 0) || usage <= 0) return 0;
  return (usage / wallNs) * 100;
}

/**
 * Memory in use without the page cache, as the CLI shows it:
 * usage − total_inactive_file on cgroup v1, usage − inactive_file on v2.
 */
export function memoryUsage(memory: EngineStats["memory_stats"]): number {
  const usage = memory?.usage ?? 0;
  const stats = memory?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/** Sums of received and sent bytes over every interface. */
export function networkBytes(networks: EngineStats["networks"]): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** Bytes read and written by block devices (ops "Read"/"read", "Write"/"write"). */
export function blockIoBytes(blkio: EngineStats["blkio_stats"]): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of blkio?.io_service_bytes_recursive ?? []) {
    const op = (entry.op ?? "").toLowerCase();
    if (op === "read") read += entry.value ?? 0;
    else if (op === "write") write += entry.value ?? 0;
  }
  return { read, write };
}

/** Builds one row from a sample of a running container and its CPU figure. */
export function statsRow(sample: EngineStats, cpu: number, identity: StatsIdentity): StatsRow {
  const usage = memoryUsage(sample.memory_stats);
  const limit = sample.memory_stats?.limit ?? 0;
  const net = networkBytes(sample.networks);
  const io = blockIoBytes(sample.blkio_stats);
  return {
    container_id: identity.id,
    name: identity.name,
    status: identity.status,
    running: true,
    cpu_percent: round(cpu, 2),
    memory_usage_mb: round(usage / MB, 1),
    memory_limit_mb: round(limit / MB, 1),
    memory_limited: identity.memoryLimited,
    memory_percent: limit > 0 ? round((usage / limit) * 100, 2) : 0,
    network_rx_mb: round(net.rx / MB, 2),
    network_tx_mb: round(net.tx / MB, 2),
    block_io_read_mb: round(io.read / MB, 2),
    block_io_write_mb: round(io.write / MB, 2),
    pids: sample.pids_stats?.current ?? 0,
  };
}

/**
 * The row of a container that is not running: no usage, and the memory limit
 * it is configured with (`HostConfig.Memory` in bytes; 0 means none).
 */
export function notRunningRow(
  identity: Omit<StatsIdentity, "memoryLimited">,
  configuredLimit: number,
): StatsRow {
  return {
    container_id: identity.id,
    name: identity.name,
    status: identity.status,
    running: false,
    cpu_percent: null,
    memory_usage_mb: null,
    memory_limit_mb: configuredLimit > 0 ? round(configuredLimit / MB, 1) : null,
    memory_limited: configuredLimit > 0,
    memory_percent: null,
    network_rx_mb: null,
    network_tx_mb: null,
    block_io_read_mb: null,
    block_io_write_mb: null,
    pids: null,
  };
}

const NO_LIMIT_NOTE = "* no memory limit: the limit shown is the host's memory";

function stoppedLine(r: StatsRow): string {
  const limit = r.memory_limit_mb === null ? "none" : `${r.memory_limit_mb} MiB`;
  return `${r.name} not running (status ${r.status}); memory limit: ${limit}`;
}

const STATS_HEADER = [
  "NAME",
  "CPU%",
  // The figures are the structured *_mb ones: MiB.
  "MEM MiB/LIMIT",
  "MEM%",
  "NET RX/TX MiB",
  "BLOCK R/W MiB",
  "PIDS",
];

function statsCells(r: StatsRow): string[] {
  const mark = r.memory_limited ? "" : "*";
  const paused = r.status === "paused" ? " (paused: CPU 0)" : "";
  return [
    r.name,
    `${r.cpu_percent!.toFixed(2)}%`,
    `${r.memory_usage_mb}/${r.memory_limit_mb}${mark}`,
    `${r.memory_percent!.toFixed(2)}%`,
    `${r.network_rx_mb}/${r.network_tx_mb}`,
    `${r.block_io_read_mb}/${r.block_io_write_mb}`,
    `${r.pids}${paused}`,
  ];
}

/**
 * An aligned table of the running containers, like `docker stats
 * --no-stream`, then a line for each one that is not running.
 */
export function statsTable(rows: StatsRow[]): string {
  const running = rows.filter((r) => r.running);
  const table = running.length ? alignColumns([STATS_HEADER, ...running.map(statsCells)]) : [];
  const note = running.some((r) => !r.memory_limited) ? [NO_LIMIT_NOTE] : [];
  const stopped = rows.filter((r) => !r.running).map(stoppedLine);
  return [...table, ...stopped, ...note].join("\n");
}
