/**
 * A loaded stack mapped to Swarm objects as `docker stack deploy` makes them:
 * services `<stack>_<service>`, overlay networks `<stack>_<network>`, secrets
 * and configs `<stack>_<key>`, volumes `<stack>_<key>`, every one labelled
 * `com.docker.stack.namespace=<stack>` so the docker CLI's `stack ls/ps/rm`
 * see berth's stacks and berth sees the CLI's.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { compact, durationNs, type FileRef } from "./spec.ts";
import type { ServiceModel } from "../compose/model.ts";
import { resolvePath } from "../compose/source.ts";
import { keyError } from "../compose/syntax.ts";
import type { StackSource } from "./stack_load.ts";

type Raw = Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type Json = any;

/** The label that makes an object part of a stack. */
export const NAMESPACE = "com.docker.stack.namespace";

/** A secret or config of the stack: made from a file, or external (must exist). */
export interface StackFile {
  key: string;
  name: string;
  external: boolean;
  /** The file's contents (absent for external ones). */
  data?: string;
}

/** Everything a stack deploys. */
export interface StackPlan {
  networks: { key: string; name: string; external: boolean; body: Json }[];
  secrets: StackFile[];
  configs: StackFile[];
  /** Each service's spec, with its secrets and configs by engine name. */
  services: { key: string; spec: Json; secrets: FileRef[]; configs: FileRef[] }[];
  warnings: string[];
}

function labels(stack: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [NAMESPACE]: stack };
}

function strings(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map(String).map((e) => {
        const i = e.indexOf("=");
        return i < 0 ? [e, ""] : [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries((value ?? {}) as Raw).map(([k, v]) => [k, String(v)]));
}

async function files(
  source: StackSource,
  stack: string,
  section: "secrets" | "configs",
): Promise<StackFile[]> {
  const out: StackFile[] = [];
  for (const [key, raw] of Object.entries((source.data[section] ?? {}) as Raw)) {
    const r = (raw ?? {}) as Raw;
    const where = `${section}.${key}`;
    if (r.external) {
      out.push({ key, name: String(r.name ?? key), external: true });
      continue;
    }
    if (typeof r.file !== "string") {
      throw keyError(
        where,
        "needs 'file' or 'external'",
        "berth reads secrets and configs from files",
      );
    }
    if (!r.file.startsWith("/") && !source.project.working_dir) {
      throw keyError(
        `${where}.file`,
        "is relative but the stack has no directory",
        "Use compose_file",
      );
    }
    const path = resolvePath(source.project.working_dir || "/", r.file);
    out.push({
      key,
      name: String(r.name ?? `${stack}_${key}`),
      external: false,
      data: await source.readFile(path, `${where}.file`),
    });
  }
  return out;
}

function updateConfig(u: Raw | undefined, where: string): Json {
  if (!u) return undefined;
  return {
    Parallelism: u.parallelism,
    Delay: durationNs(u.delay, `${where}.delay`),
    FailureAction: u.failure_action,
    Monitor: durationNs(u.monitor, `${where}.monitor`),
    MaxFailureRatio: u.max_failure_ratio,
    Order: u.order,
  };
}

function resources(s: ServiceModel): Json {
  return {
    Limits: {
      NanoCPUs: s.cpus === undefined ? undefined : Math.round(s.cpus * 1e9),
      MemoryBytes: s.mem_limit,
    },
    Reservations: { MemoryBytes: s.mem_reservation },
  };
}

function mounts(stack: string, s: ServiceModel, source: StackSource): Json[] {
  const volumes = source.project.volumes;
  return s.volumes.map((m) => {
    if (m.type === "volume" && m.source) {
      const v = volumes[m.source];
      return {
        Type: "volume",
        Source: v.name,
        Target: m.target,
        ReadOnly: m.read_only || undefined,
        VolumeOptions: {
          NoCopy: m.nocopy,
          Labels: v.external ? undefined : labels(stack, v.labels),
          DriverConfig: v.driver || Object.keys(v.driver_opts).length
            ? { Name: v.driver, Options: v.driver_opts }
            : undefined,
        },
      };
    }
    if (m.type === "tmpfs") {
      return { Type: "tmpfs", Target: m.target, TmpfsOptions: { SizeBytes: m.tmpfs_size } };
    }
    return { Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.read_only || undefined };
  });
}

function ports(s: ServiceModel): Json[] {
  return s.ports.map((p, i) => {
    const where = `services.${s.name}.ports[${i}]`;
    if (p.host_ip) {
      throw keyError(where, "binds a host address, which Swarm cannot", "Drop the address");
    }
    if (p.target.includes("-") || p.published.includes("-")) {
      throw keyError(where, "is a port range", "List each port");
    }
    return {
      Protocol: p.protocol,
      TargetPort: Number(p.target),
      PublishedPort: p.published ? Number(p.published) : undefined,
      PublishMode: "ingress",
    };
  });
}

function fileRefs(value: unknown, files: StackFile[], where: string, kind: string): FileRef[] {
  return ((value ?? []) as unknown[]).map((v, i) => {
    const ref = typeof v === "string" ? { source: v } : v as Raw;
    const file = files.find((f) => f.key === ref.source);
    if (!file) throw keyError(`${where}[${i}]`, `names a ${kind} the file does not declare`);
    return { name: file.name, target: String(ref.target ?? file.key) };
  });
}

function serviceSpec(
  stack: string,
  s: ServiceModel,
  raw: Raw,
  plan: StackPlan,
  src: StackSource,
): Json {
  const where = `services.${s.name}`;
  const deploy = (raw.deploy ?? {}) as Raw;
  const placement = (deploy.placement ?? {}) as Raw;
  const restart = deploy.restart_policy as Raw | undefined;
  if (!s.image) throw keyError(`${where}.image`, "is required for a stack");
  const global = deploy.mode === "global";
  const secrets = fileRefs(raw.secrets, plan.secrets, `${where}.secrets`, "secret");
  const configs = fileRefs(raw.configs, plan.configs, `${where}.configs`, "config");
  const spec = compact({
    Name: `${stack}_${s.name}`,
    Labels: labels(stack, { ...strings(deploy.labels), "com.docker.stack.image": s.image }),
    Mode: global ? { Global: {} } : { Replicated: { Replicas: deploy.replicas ?? 1 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: s.image,
        Labels: labels(stack, s.labels),
        Command: s.entrypoint,
        Args: s.command,
        Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
        Dir: s.working_dir,
        User: s.user,
        Hostname: s.hostname,
        Mounts: mounts(stack, s, src),
        HealthCheck: s.healthcheck && {
          Test: s.healthcheck.test,
          Interval: s.healthcheck.interval,
          Timeout: s.healthcheck.timeout,
          StartPeriod: s.healthcheck.start_period,
          Retries: s.healthcheck.retries,
        },
        StopGracePeriod: s.stop_grace_period === undefined ? undefined : s.stop_grace_period * 1e9,
        CapabilityAdd: s.cap_add.length ? s.cap_add : undefined,
        CapabilityDrop: s.cap_drop.length ? s.cap_drop : undefined,
        Sysctls: Object.keys(s.sysctls).length ? s.sysctls : undefined,
        ReadOnly: s.read_only,
        Init: s.init,
        TTY: s.tty,
        OpenStdin: s.stdin_open,
        Hosts: s.extra_hosts.map((h) => {
          const i = h.indexOf(":");
          return `${h.slice(i + 1)} ${h.slice(0, i)}`;
        }),
      },
      Resources: resources(s),
      RestartPolicy: restart && {
        Condition: restart.condition === "on-failure" ? "on-failure" : restart.condition,
        Delay: durationNs(restart.delay, `${where}.deploy.restart_policy.delay`),
        MaxAttempts: restart.max_attempts,
      },
      Placement: {
        Constraints: placement.constraints,
        Preferences: ((placement.preferences ?? []) as Raw[]).map((p) => ({
          Spread: { SpreadDescriptor: p.spread },
        })),
      },
      Networks: Object.entries(s.networks).map(([key, n]) => ({
        Target: plan.networks.find((x) => x.key === key)!.name,
        Aliases: [s.name, ...n.aliases],
      })),
    },
    UpdateConfig: updateConfig(deploy.update_config as Raw, `${where}.deploy.update_config`),
    RollbackConfig: updateConfig(deploy.rollback_config as Raw, `${where}.deploy.rollback_config`),
    EndpointSpec: s.ports.length ? { Ports: ports(s) } : undefined,
  });
  if (global && deploy.replicas !== undefined) {
    throw keyError(`${where}.deploy.replicas`, "does not apply to a global service");
  }
  return { spec, secrets, configs };
}

/** Maps a loaded stack to the networks, secrets, configs and services to deploy. */
export async function stackPlan(stack: string, source: StackSource): Promise<StackPlan> {
  const { project } = source;
  const plan: StackPlan = {
    networks: [],
    secrets: await files(source, stack, "secrets"),
    configs: await files(source, stack, "configs"),
    services: [],
    warnings: [],
  };
  for (const [key, n] of Object.entries(project.networks)) {
    if (n.driver && n.driver !== "overlay" && !n.external) {
      throw new BerthError(
        "invalid_input",
        `Compose file: networks.${key} uses driver '${n.driver}'`,
        {
          hint: "A stack's networks are overlay networks: drop the driver",
        },
      );
    }
    plan.networks.push({
      key,
      name: n.name,
      external: n.external,
      body: compact({
        Name: n.name,
        Driver: "overlay",
        Scope: "swarm",
        Attachable: n.attachable,
        Internal: n.internal,
        Options: n.driver_opts,
        Labels: labels(stack, n.labels),
      }),
    });
  }
  const services = source.data.services as Raw;
  for (const s of Object.values(project.services)) {
    if (Object.keys(s.depends_on).length) {
      plan.warnings.push(
        `services.${s.name}.depends_on is ignored by Swarm (like docker stack deploy)`,
      );
    }
    const mapped = serviceSpec(stack, s, (services[s.name] ?? {}) as Raw, plan, source);
    plan.services.push({
      key: s.name,
      spec: mapped.spec,
      secrets: mapped.secrets,
      configs: mapped.configs,
    });
  }
  return plan;
}
