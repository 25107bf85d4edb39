/**
 * Loading a compose file for `docker_stack_deploy` with berth's own compose
 * loader (source, YAML, interpolation, Compose Specification schema,
 * normalised model), checked against what a stack maps to Swarm: the swarm
 * keys (`deploy.*`, `secrets`, `configs`) are allowed, the single-engine ones
 * a service cannot honour (`build`, `container_name`, `privileged`, …) are
 * refused by key, never silently dropped.
 *
 * @module
 */

import { BerthError, invalidInput } from "../../errors/mod.ts";
import type { Policy } from "../../policy/mod.ts";
import { interpolateTree } from "../compose/interpolate.ts";
import { lookupFrom, normalizeProject } from "../compose/load.ts";
import type { ProjectModel } from "../compose/model.ts";
import { parseYaml, readHostFile, readSource } from "../compose/source.ts";
import { castInterpolated, validateSchema } from "../compose/validate.ts";

type Raw = Record<string, unknown>;

const TOP_KEYS = new Set([
  "version",
  "name",
  "services",
  "networks",
  "volumes",
  "secrets",
  "configs",
]);

const SERVICE_KEYS = new Set([
  "cap_add",
  "cap_drop",
  "command",
  "configs",
  "depends_on",
  "deploy",
  "entrypoint",
  "env_file",
  "environment",
  "extra_hosts",
  "healthcheck",
  "hostname",
  "image",
  "init",
  "labels",
  "networks",
  "ports",
  "read_only",
  "secrets",
  "stdin_open",
  "stop_grace_period",
  "sysctls",
  "tty",
  "user",
  "volumes",
  "working_dir",
]);

const UPDATE_KEYS = new Set([
  "parallelism",
  "delay",
  "failure_action",
  "monitor",
  "max_failure_ratio",
  "order",
]);

const NESTED: Record<string, Set<string>> = {
  deploy: new Set([
    "mode",
    "replicas",
    "labels",
    "placement",
    "update_config",
    "rollback_config",
    "restart_policy",
    "resources",
  ]),
  "deploy.placement": new Set(["constraints", "preferences"]),
  "deploy.update_config": UPDATE_KEYS,
  "deploy.rollback_config": UPDATE_KEYS,
  "deploy.restart_policy": new Set(["condition", "delay", "max_attempts"]),
  "deploy.resources": new Set(["limits", "reservations"]),
  "deploy.resources.limits": new Set(["cpus", "memory"]),
  "deploy.resources.reservations": new Set(["cpus", "memory"]),
};

function isObject(v: unknown): v is Raw {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function nested(value: unknown, position: string, path: string, out: string[]): void {
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith("x-")) continue;
    if (!NESTED[position].has(key)) out.push(`${path}.${key}`);
    else if (NESTED[`${position}.${key}`]) {
      nested(child, `${position}.${key}`, `${path}.${key}`, out);
    }
  }
}

/** The keys of a (schema-valid) compose file a stack cannot deploy. */
export function unsupportedStackKeys(data: Raw): string[] {
  const out = Object.keys(data).filter((k) => !TOP_KEYS.has(k) && !k.startsWith("x-"));
  for (const [name, service] of Object.entries((data.services ?? {}) as Raw)) {
    if (!isObject(service)) continue;
    for (const [key, value] of Object.entries(service)) {
      if (key.startsWith("x-")) continue;
      if (!SERVICE_KEYS.has(key)) out.push(`services.${name}.${key}`);
      else if (NESTED[key]) nested(value, key, `services.${name}.${key}`, out);
    }
  }
  return out;
}

/** A loaded stack: the normalised model and the interpolated file (for the swarm keys). */
export interface StackSource {
  project: ProjectModel;
  data: Raw;
  /** Reads a `file:` of a secret or config (through the host path rules). */
  readFile(path: string, where: string): Promise<string>;
}

/** Loads and checks the compose file the arguments name (`compose_yaml` or `compose_file`). */
export async function loadStack(name: string, args: Raw, policy: Policy): Promise<StackSource> {
  const source = (await readSource(args, policy, true))!;
  const field = source.file ? "compose_file" : "compose_yaml";
  const lookup = lookupFrom(args, source.dotenv);
  const data = interpolateTree(parseYaml(source.text, field), lookup, castInterpolated) as Raw;
  validateSchema(data);
  const keys = unsupportedStackKeys(data);
  if (keys.length) {
    throw new BerthError(
      "invalid_input",
      `Compose file: a stack does not support ${keys.length === 1 ? "key" : "keys"} ${
        keys.slice(0, 10).join(", ")
      }`,
      { hint: "Remove these keys: Swarm services cannot honour them (build images first)" },
    );
  }
  if (!isObject(data.services) || !Object.keys(data.services).length) {
    throw invalidInput(field, "declares no services", "Declare at least one service");
  }
  const readFile = (path: string, where: string) => readHostFile(policy, path, where);
  const project = await normalizeProject(name, data, source, {
    directory: source.directory,
    lookup,
    readFile,
    warnings: [],
  });
  return { project, data, readFile };
}
