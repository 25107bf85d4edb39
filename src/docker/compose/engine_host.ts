/**
 * The `HostConfig` and port parts of a service's create body: published
 * and exposed ports, Binds and Mounts, and the runtime options compose has
 * beyond `docker_create_container`'s (capabilities, namespaces, DNS, limits…),
 * mapped rather than dropped so that the policy sees them.
 *
 * @module
 */

import { isCleanAbsolutePath } from "../container_spec/fields.ts";
import type { MountModel, PortModel, ProjectModel, ServiceModel } from "./model.ts";
import { keyError } from "./syntax.ts";

/** An Engine API body. */
export type Body = Record<string, unknown>;

function range(text: string): number[] {
  const [a, b = a] = text.split("-").map(Number);
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

/** ExposedPorts and PortBindings of a service (ranges expanded pairwise, as compose does). */
export function portBindings(
  service: ServiceModel,
): { exposed: Body; bindings: Record<string, Body[]> } {
  const exposed: Body = {};
  const bindings: Record<string, Body[]> = {};
  for (const e of service.expose) {
    const [ports, proto = "tcp"] = e.split("/");
    for (const p of range(ports)) exposed[`${p}/${proto}`] = {};
  }
  service.ports.forEach((port: PortModel, i) => {
    const targets = range(port.target);
    const hosts = port.published ? range(port.published) : [];
    const pairwise = targets.length > 1 && hosts.length > 0;
    if (pairwise && hosts.length !== targets.length) {
      throw keyError(`services.${service.name}.ports[${i}]`, "maps port ranges of different sizes");
    }
    targets.forEach((target, j) => {
      const key = `${target}/${port.protocol}`;
      exposed[key] = {};
      const hostPort = pairwise ? String(hosts[j]) : port.published;
      (bindings[key] ??= []).push({ HostIp: port.host_ip ?? "", HostPort: hostPort });
    });
  });
  return { exposed, bindings };
}

/** Binds (short-syntax host paths, which the engine creates when missing) and Mounts. */
export function mounts(
  project: ProjectModel,
  service: ServiceModel,
): { binds: string[]; mounts: Body[] } {
  const binds: string[] = [];
  const list: Body[] = [];
  service.volumes.forEach((m: MountModel, i) => {
    const key = `services.${service.name}.volumes[${i}]`;
    if (!isCleanAbsolutePath(m.target) || m.target === "/") {
      throw keyError(
        key,
        `has target '${m.target}', which must be an absolute path other than / without '..'`,
      );
    }
    if (m.source?.startsWith("/") && !isCleanAbsolutePath(m.source)) {
      throw keyError(key, `has host path '${m.source}' with '..' segments`);
    }
    if (m.type === "bind" && m.create_host_path) {
      // The engine parses Binds again: a ':' or ',' in a path would become an option.
      if (/[:,]/.test(`${m.source}${m.target}`)) {
        throw keyError(
          key,
          "has a path containing ':' or ','",
          "Use the long syntax for such paths",
        );
      }
      const options = [m.read_only ? "ro" : "", m.selinux ?? "", m.propagation ?? ""].filter(
        Boolean,
      );
      binds.push(`${m.source}:${m.target}${options.length ? `:${options.join(",")}` : ""}`);
    } else if (m.type === "bind") {
      const bind: Body = {
        Type: "bind",
        Source: m.source,
        Target: m.target,
        ReadOnly: m.read_only,
      };
      if (m.propagation) bind.BindOptions = { Propagation: m.propagation };
      list.push(bind);
    } else if (m.type === "volume") {
      const volume: Body = { Type: "volume", Target: m.target, ReadOnly: m.read_only };
      if (m.source !== undefined) volume.Source = project.volumes[m.source].name;
      if (m.nocopy) volume.VolumeOptions = { NoCopy: true };
      list.push(volume);
    } else {
      const tmpfs: Body = { Type: "tmpfs", Target: m.target, ReadOnly: m.read_only };
      if (m.tmpfs_size !== undefined) tmpfs.TmpfsOptions = { SizeBytes: m.tmpfs_size };
      list.push(tmpfs);
    }
  });
  return { binds, mounts: list };
}

/** Drops undefined values and empty arrays/objects, so the body says only what the file said. */
export function compact(body: Body): Body {
  const out: Body = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (
      value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0
    ) {
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** The `HostConfig` of a service's container create body, empty values left out. */
export function hostConfig(
  project: ProjectModel,
  service: ServiceModel,
  networkMode: string | undefined,
): Body {
  const { binds, mounts: list } = mounts(project, service);
  const { bindings } = portBindings(service);
  return compact({
    Binds: binds,
    Mounts: list,
    PortBindings: bindings,
    NetworkMode: networkMode,
    Privileged: service.privileged,
    CapAdd: service.cap_add,
    CapDrop: service.cap_drop,
    GroupAdd: service.group_add,
    SecurityOpt: service.security_opt,
    PidMode: service.pid,
    IpcMode: service.ipc,
    UsernsMode: service.userns_mode,
    ReadonlyRootfs: service.read_only,
    Init: service.init,
    CpuShares: service.cpu_shares,
    CpusetCpus: service.cpuset,
    PidsLimit: service.pids_limit,
    ShmSize: service.shm_size,
    LogConfig: service.logging
      ? { Type: service.logging.driver ?? "", Config: service.logging.options }
      : undefined,
    ExtraHosts: service.extra_hosts,
    Dns: service.dns,
    DnsSearch: service.dns_search,
    DnsOptions: service.dns_opt,
    Sysctls: service.sysctls,
    Ulimits: service.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    Tmpfs: Object.fromEntries(service.tmpfs.map((t) => {
      const at = t.indexOf(":");
      return at < 0 ? [t, ""] : [t.slice(0, at), t.slice(at + 1)];
    })),
  });
}
