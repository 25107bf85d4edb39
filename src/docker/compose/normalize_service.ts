/**
 * One service of a (schema-valid, supported) compose file → {@link ServiceModel}.
 *
 * @module
 */

import { parseDotenv } from "./interpolate.ts";
import type { ResourceField, ServiceModel } from "./model.ts";
import {
  bytes,
  dependsOn,
  extraHosts,
  healthcheck,
  hostPath,
  mount,
  networks,
  type NormalizeContext,
  ports,
  type Raw,
  strings,
  ulimits,
} from "./normalize_parts.ts";
import {
  keyError,
  listOrDict,
  parseCpus,
  parseGoDuration,
  parseRestart,
  scalar,
  shellWords,
  stringList,
} from "./syntax.ts";

export { hostPath, type NormalizeContext } from "./normalize_parts.ts";

function command(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(scalar) : shellWords(scalar(value), key);
}

async function environment(
  raw: Raw,
  key: string,
  ctx: NormalizeContext,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [i, file] of stringList(raw.env_file).entries()) {
    const where = Array.isArray(raw.env_file) ? `${key}.env_file[${i}]` : `${key}.env_file`;
    const path = hostPath(file, where, ctx);
    Object.assign(env, parseDotenv(await ctx.readFile(path, where), path));
  }
  for (const [name, value] of Object.entries(listOrDict(raw.environment))) {
    const resolved = value ?? ctx.lookup(name);
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

const PULL_POLICIES = ["always", "never", "missing", "build", "if_not_present"];

/** Applies `cpus`, `mem_*`, `pids_limit` and `deploy.resources`. */
function resources(raw: Raw, key: string, service: ServiceModel, ctx: NormalizeContext): void {
  service.mem_limit = bytes(raw.mem_limit, `${key}.mem_limit`);
  service.mem_reservation = bytes(raw.mem_reservation, `${key}.mem_reservation`);
  if (raw.cpus !== undefined) service.cpus = parseCpus(raw.cpus, `${key}.cpus`);
  if (raw.pids_limit !== undefined) service.pids_limit = Number(raw.pids_limit);
  const res = ((raw.deploy as Raw | undefined)?.resources ?? {}) as Raw;
  const limits = (res.limits ?? {}) as Raw;
  const reservations = (res.reservations ?? {}) as Raw;
  const merge = <T>(field: ResourceField, value: T | undefined, where: string) => {
    if (value === undefined) return;
    const current = service[field] as T | undefined;
    if (current !== undefined && current !== value) {
      throw keyError(where, `conflicts with ${key}.${field}`, "Set the limit in one place");
    }
    (service as unknown as Record<string, unknown>)[field] = value;
    // Both keys agree or only deploy set it: errors name the deploy key only in the latter case.
    if (current === undefined) {
      service.resource_keys = { ...service.resource_keys, [field]: where.slice(key.length + 1) };
    }
  };
  const limitsKey = `${key}.deploy.resources.limits`;
  const reservedKey = `${key}.deploy.resources.reservations`;
  if (limits.cpus !== undefined) {
    merge("cpus", parseCpus(limits.cpus, `${limitsKey}.cpus`), `${limitsKey}.cpus`);
  }
  merge("mem_limit", bytes(limits.memory, `${limitsKey}.memory`), `${limitsKey}.memory`);
  if (limits.pids !== undefined) merge("pids_limit", Number(limits.pids), `${limitsKey}.pids`);
  merge(
    "mem_reservation",
    bytes(reservations.memory, `${reservedKey}.memory`),
    `${reservedKey}.memory`,
  );
  if (reservations.cpus !== undefined) {
    ctx.warnings.push(
      `${reservedKey}.cpus has no effect on a single engine (a swarm scheduling hint)`,
    );
  }
}

/** Normalises one service. `name` is its key under `services`. */
export async function normalizeService(
  name: string,
  raw: Raw,
  ctx: NormalizeContext,
): Promise<ServiceModel> {
  const key = `services.${name}`;
  if (raw.image === undefined && raw.build === undefined) {
    throw keyError(key, "needs 'image' or 'build'");
  }
  const pull = raw.pull_policy === undefined ? undefined : scalar(raw.pull_policy);
  if (pull !== undefined && !PULL_POLICIES.includes(pull)) {
    throw keyError(
      `${key}.pull_policy`,
      `is unknown: '${pull}'`,
      `Use ${PULL_POLICIES.join(", ")}`,
    );
  }
  const opt = (v: unknown) => (v === undefined || v === null ? undefined : scalar(v));
  const bool = (v: unknown) => (v === undefined ? undefined : v === true);
  const service: ServiceModel = {
    name,
    image: opt(raw.image),
    pull_policy: pull === "if_not_present" ? "missing" : pull,
    profiles: stringList(raw.profiles),
    container_name: opt(raw.container_name),
    command: command(raw.command, `${key}.command`),
    entrypoint: command(raw.entrypoint, `${key}.entrypoint`),
    environment: await environment(raw, key, ctx),
    labels: strings(raw.labels),
    ports: ports(raw, key),
    expose: stringList(raw.expose),
    volumes: ((raw.volumes ?? []) as unknown[]).map((v, i) =>
      mount(v, `${key}.volumes[${i}]`, ctx)
    ),
    tmpfs: stringList(raw.tmpfs),
    networks: networks(raw),
    network_mode: opt(raw.network_mode),
    depends_on: dependsOn(raw),
    restart: raw.restart === undefined
      ? undefined
      : parseRestart(scalar(raw.restart), `${key}.restart`),
    healthcheck: healthcheck(raw, key),
    user: opt(raw.user),
    working_dir: opt(raw.working_dir),
    hostname: opt(raw.hostname),
    domainname: opt(raw.domainname),
    extra_hosts: extraHosts(raw.extra_hosts),
    dns: stringList(raw.dns),
    dns_search: stringList(raw.dns_search),
    dns_opt: stringList(raw.dns_opt),
    cap_add: stringList(raw.cap_add),
    cap_drop: stringList(raw.cap_drop),
    group_add: stringList(raw.group_add),
    security_opt: stringList(raw.security_opt),
    privileged: bool(raw.privileged),
    pid: opt(raw.pid),
    ipc: opt(raw.ipc),
    userns_mode: opt(raw.userns_mode),
    read_only: bool(raw.read_only),
    init: bool(raw.init),
    tty: bool(raw.tty),
    stdin_open: bool(raw.stdin_open),
    stop_signal: opt(raw.stop_signal),
    stop_grace_period: raw.stop_grace_period === undefined
      ? undefined
      : Math.ceil(parseGoDuration(raw.stop_grace_period, `${key}.stop_grace_period`) / 1e9),
    sysctls: strings(raw.sysctls),
    ulimits: ulimits(raw.ulimits),
    shm_size: bytes(raw.shm_size, `${key}.shm_size`),
    cpu_shares: raw.cpu_shares === undefined ? undefined : Number(raw.cpu_shares),
    cpuset: opt(raw.cpuset),
  };
  resources(raw, key, service, ctx);
  if (raw.build !== undefined) service.build = build(raw.build, key, ctx);
  if (raw.logging) {
    const l = raw.logging as Raw;
    service.logging = { driver: opt(l.driver), options: strings(l.options) };
  }
  return service;
}

function build(value: unknown, key: string, ctx: NormalizeContext): ServiceModel["build"] {
  const b = (typeof value === "string" ? { context: value } : value) as Raw;
  const args: Record<string, string> = {};
  for (const [name, v] of Object.entries(listOrDict(b.args))) {
    const resolved = v ?? ctx.lookup(name);
    if (resolved !== undefined) args[name] = resolved;
  }
  return {
    context: hostPath(scalar(b.context ?? "."), `${key}.build.context`, ctx),
    dockerfile: b.dockerfile === undefined ? undefined : scalar(b.dockerfile),
    args,
    target: b.target === undefined ? undefined : scalar(b.target),
    labels: strings(b.labels),
  };
}
