/**
 * The policy's view of a swarm service spec: the container create body its
 * options amount to (what the create guard judges), and the refusal of a
 * task that is not a container (docs/security.md, "Swarm").
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
type Raw = Record<string, unknown>;

/**
 * Drops undefined values at every depth, so specs print cleanly. Empty objects
 * stay: some mean something (`Mode: { Global: {} }`).
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (!value || typeof value !== "object") return value;
  const out: Raw = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) out[k] = compact(v);
  }
  return out as T;
}

/**
 * The container create body the same options would make, for the create
 * guard: mounts, capabilities, sysctls, security options, ports and the host
 * network are what a service can use to escape.
 */
export function createBodyOf(spec: Json): Raw {
  const task = spec?.TaskTemplate ?? {};
  const c = task.ContainerSpec ?? {};
  const privileges = c.Privileges ?? {};
  const securityOpt: string[] = [];
  const seccomp = privileges.Seccomp?.Mode;
  if (seccomp === "unconfined" || seccomp === "custom") securityOpt.push("seccomp=unconfined");
  if (privileges.AppArmor?.Mode === "disabled") securityOpt.push("apparmor=unconfined");
  if (privileges.SELinuxContext?.Disable) securityOpt.push("label=disable");
  const ports = (spec?.EndpointSpec?.Ports ?? []) as Json[];
  const bindings: Raw = {};
  for (const p of ports) {
    // Swarm publishes on every interface (ingress or host mode): never loopback only.
    bindings[`${p.TargetPort}/${p.Protocol ?? "tcp"}`] = [{
      HostIp: "0.0.0.0",
      HostPort: String(p.PublishedPort ?? ""),
    }];
  }
  const hostNet = ((task.Networks ?? []) as Json[]).some((n) => n.Target === "host");
  // Node generic resources (GPUs and other devices a node advertises) are device requests.
  const generic = (task.Resources?.Reservations?.GenericResources ?? []) as Json[];
  return compact({
    Image: c.Image,
    Env: c.Env,
    HostConfig: {
      Mounts: c.Mounts,
      CapAdd: c.CapabilityAdd,
      Sysctls: c.Sysctls,
      SecurityOpt: securityOpt.length ? securityOpt : undefined,
      PortBindings: ports.length ? bindings : undefined,
      NetworkMode: hostNet ? "host" : undefined,
      DeviceRequests: generic.length ? [{ Count: generic.length }] : undefined,
    },
  });
}

/**
 * Refuses a task that is not a container: a `plugin` runtime (`PluginSpec`)
 * installs a managed engine plugin with the privileges it asks for, and an
 * attachment task is the swarm's own. Neither is a service berth creates.
 */
export function checkTaskRuntime(spec: Json): void {
  const task = spec?.TaskTemplate ?? {};
  const runtime = task.Runtime === undefined ? "container" : String(task.Runtime);
  if (runtime !== "container" || task.PluginSpec !== undefined || task.NetworkAttachmentSpec) {
    throw new BerthError(
      "denied_by_policy",
      `A service task must run a container, not '${task.PluginSpec ? "plugin" : runtime}'`,
      {
        hint:
          "Plugin services install engine plugins with their own privileges; berth creates containers only",
      },
    );
  }
}
