/**
 * Service specs: built from a tool's arguments (create), changed by an update
 * (image, replicas, env, force), and read back for the create guard as the
 * container create body the same options would make.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { compact } from "../../policy/service_guard.ts";

// The guard's view of a spec lives with the policy; callers find it here too.
export { checkTaskRuntime, compact, createBodyOf } from "../../policy/service_guard.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
type Raw = Record<string, unknown>;

/** A duration argument ("10s", "1m30s", a number of seconds) in nanoseconds. */
export function durationNs(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Math.round(value * 1e9);
  const text = String(value).trim();
  const units: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let rest = text;
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  for (let m = part.exec(rest); m; m = part.exec(rest)) {
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  if (rest || !text) {
    throw invalidInput(field, `is not a duration: '${text}'`, "Use e.g. 10s, 1m30s");
  }
  return Math.round(total);
}

/** "512m", "1g", "100k" or a number of bytes. */
export function bytes(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(String(value).trim());
  if (!m) throw invalidInput(field, `is not a size: '${value}'`, "Use e.g. 512m or 1g");
  const power = " kmgt".indexOf(m[2].toLowerCase() || " ");
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** `{A: "1"}` → `["A=1"]`. */
export function envList(env: Raw | undefined): string[] | undefined {
  if (!env) return undefined;
  return Object.entries(env).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
}

/** Env set (string values) and removed (null values) in a spec's `["K=v"]` list. */
export function mergeEnv(current: string[] | undefined, changes: Raw): string[] {
  const out = new Map<string, string>();
  for (const entry of current ?? []) {
    const i = entry.indexOf("=");
    out.set(i < 0 ? entry : entry.slice(0, i), entry);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) out.delete(key);
    else out.set(key, `${key}=${value}`);
  }
  return [...out.values()];
}

/** "8080:80", "8080:80/udp", "80" (published on any free port) → an engine port config. */
export function portConfig(spec: string, field: string): Json {
  const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(spec.trim());
  if (!m) {
    throw invalidInput(
      field,
      `is not a port: '${spec}'`,
      "Use PUBLISHED:TARGET[/udp], e.g. 8080:80",
    );
  }
  return {
    Protocol: m[3] ?? "tcp",
    TargetPort: Number(m[2]),
    PublishedPort: m[1] === undefined ? undefined : Number(m[1]),
    PublishMode: "ingress",
  };
}

/** A mount argument `{type, source, target, read_only}` → an engine mount. */
function mount(m: Raw, field: string): Json {
  const type = String(m.type ?? "volume");
  if (!["volume", "bind", "tmpfs"].includes(type)) {
    throw invalidInput(`${field}.type`, `must be volume, bind or tmpfs, not '${type}'`);
  }
  if (typeof m.target !== "string" || !m.target.startsWith("/")) {
    throw invalidInput(`${field}.target`, "must be an absolute path in the container");
  }
  return {
    Type: type,
    Source: m.source === undefined ? undefined : String(m.source),
    Target: m.target,
    ReadOnly: m.read_only === true || undefined,
  };
}

/** Secret or config references by name; the IDs are filled in by the caller. */
export interface FileRef {
  name: string;
  /** File name in the container (default: the name). */
  target?: string;
}

/** `["db_password"]` or `[{name, target}]`. */
export function fileRefs(value: unknown, field: string): FileRef[] {
  if (!Array.isArray(value)) return [];
  return value.map((v, i) => {
    if (typeof v === "string") return { name: v };
    const o = v as Raw;
    if (typeof o?.name !== "string") throw invalidInput(`${field}[${i}]`, "needs a name");
    return { name: o.name, target: o.target === undefined ? undefined : String(o.target) };
  });
}

function resources(r: Raw | undefined, field: string): Json {
  const side = (s: Raw | undefined, key: string) =>
    s
      ? {
        NanoCPUs: s.cpus === undefined ? undefined : Math.round(Number(s.cpus) * 1e9),
        MemoryBytes: bytes(s.memory, `${field}.${key}.memory`),
      }
      : undefined;
  return r
    ? {
      Limits: side(r.limits as Raw, "limits"),
      Reservations: side(r.reservations as Raw, "reservations"),
    }
    : undefined;
}

function updateConfig(u: Raw | undefined, field: string): Json {
  if (!u) return undefined;
  return {
    Parallelism: u.parallelism,
    Delay: durationNs(u.delay, `${field}.delay`),
    FailureAction: u.failure_action,
    Monitor: durationNs(u.monitor, `${field}.monitor`),
    MaxFailureRatio: u.max_failure_ratio,
    Order: u.order,
  };
}

function healthCheck(h: Raw | undefined): Json {
  if (!h) return undefined;
  const test = Array.isArray(h.test) ? h.test.map(String) : ["CMD-SHELL", String(h.test)];
  return {
    Test: test,
    Interval: durationNs(h.interval, "health_check.interval"),
    Timeout: durationNs(h.timeout, "health_check.timeout"),
    StartPeriod: durationNs(h.start_period, "health_check.start_period"),
    Retries: h.retries,
  };
}

/** The spec of `docker_create_service`'s arguments (secrets and configs still by name). */
export function serviceSpec(args: Raw): Json {
  const mode = args.mode === "global" ? { Global: {} } : {
    Replicated: { Replicas: args.replicas ?? 1 },
  };
  // replicas defaults to 1 (the manifest's default), so only another count is a contradiction.
  if (args.mode === "global" && args.replicas !== undefined && args.replicas !== 1) {
    throw invalidInput("replicas", "does not apply to a global service", "Drop replicas or mode");
  }
  const restart = args.restart_policy as Raw | undefined;
  return compact({
    Name: args.name,
    Labels: args.labels,
    Mode: mode,
    TaskTemplate: {
      ContainerSpec: {
        Image: args.image,
        Args: args.command,
        Env: envList(args.env as Raw),
        Labels: args.container_labels,
        Dir: args.workdir,
        User: args.user,
        Hostname: args.hostname,
        Mounts: ((args.mounts ?? []) as Raw[]).map((m, i) => mount(m, `mounts[${i}]`)),
        HealthCheck: healthCheck(args.health_check as Raw),
        StopGracePeriod: durationNs(args.stop_grace_period, "stop_grace_period"),
      },
      Resources: resources(args.resources as Raw, "resources"),
      RestartPolicy: restart && {
        Condition: restart.condition,
        Delay: durationNs(restart.delay, "restart_policy.delay"),
        MaxAttempts: restart.max_attempts,
      },
      Placement: {
        Constraints: args.constraints,
        Preferences: ((args.placement_preferences ?? []) as string[]).map(preference),
      },
      Networks: ((args.networks ?? []) as string[]).map((n) => ({ Target: n })),
    },
    UpdateConfig: updateConfig(args.update_config as Raw, "update_config"),
    RollbackConfig: updateConfig(args.rollback_config as Raw, "rollback_config"),
    EndpointSpec: args.ports
      ? { Ports: (args.ports as string[]).map((p, i) => portConfig(p, `ports[${i}]`)) }
      : undefined,
  });
}

/** "spread=node.labels.zone" → a placement preference. */
function preference(text: string): Json {
  const m = /^spread=(.+)$/.exec(text);
  if (!m) {
    throw invalidInput("placement_preferences", `must be spread=<label>, not '${text}'`);
  }
  return { Spread: { SpreadDescriptor: m[1] } };
}

/** Applies `docker_update_service`'s changes to a copy of the current spec. */
export function updatedSpec(current: Json, args: Raw): Json {
  const spec = structuredClone(current);
  const task = spec.TaskTemplate ??= {};
  const container = task.ContainerSpec ??= {};
  if (args.image !== undefined) container.Image = args.image;
  if (args.env !== undefined) container.Env = mergeEnv(container.Env, args.env as Raw);
  if (args.replicas !== undefined) {
    if (!spec.Mode?.Replicated) {
      throw invalidInput("replicas", "does not apply to a global service");
    }
    spec.Mode.Replicated.Replicas = args.replicas;
  }
  if (args.force === true) task.ForceUpdate = (task.ForceUpdate ?? 0) + 1;
  return spec;
}

/** True when an update changes nothing (no argument but the service). */
export function noChange(args: Raw): boolean {
  return ["image", "env", "replicas", "force"].every((k) => args[k] === undefined) ||
    (args.force === false && ["image", "env", "replicas"].every((k) => args[k] === undefined));
}

/** The replicas a spec asks for; undefined for a global service. */
export function desiredReplicas(spec: Json): number | undefined {
  return spec?.Mode?.Replicated ? Number(spec.Mode.Replicated.Replicas ?? 1) : undefined;
}
