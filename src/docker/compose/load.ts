/**
 * Loading a compose project: source → YAML → interpolation → schema and
 * support checks → normalised {@link ProjectModel} with every cross
 * reference (networks, volumes, depends_on) checked.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import type { Policy } from "../../policy/mod.ts";
import { NAME_OR_ID } from "../../guard/formats.ts";
import { interpolateTree, type Lookup } from "./interpolate.ts";
import type { NetworkModel, ProjectModel, ServiceModel, VolumeModel } from "./model.ts";
import { scopedName } from "./naming.ts";
import { type NormalizeContext, normalizeService } from "./normalize_service.ts";
import { type ComposeSource, parseYaml, readHostFile, readSource } from "./source.ts";
import { keyError, listOrDict, scalar } from "./syntax.ts";
import { castInterpolated, checkSupported, validateSchema } from "./validate.ts";

type Raw = Record<string, unknown>;

/** The values `${VAR}` resolves to: the call's `environment` over the project's `.env`. */
export function lookupFrom(args: Record<string, unknown>, dotenv: Record<string, string>): Lookup {
  const given = (args.environment ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(given)) {
    if (value !== null && typeof value === "object") {
      throw invalidInput(`environment.${name}`, "must be a string, number or boolean");
    }
  }
  return (name) => {
    if (Object.hasOwn(given, name) && given[name] !== null) return scalar(given[name]);
    return Object.hasOwn(dotenv, name) ? dotenv[name] : undefined;
  };
}

function checkEngineName(name: string, key: string): string {
  if (!NAME_OR_ID.test(name)) {
    throw keyError(
      key,
      `gives an invalid engine name '${name}'`,
      "Use letters, digits, '_', '.' and '-'",
    );
  }
  return name;
}

function externalName(raw: Raw, key: string): string | undefined {
  const ext = raw.external;
  if (!ext) return undefined;
  const legacy = typeof ext === "object" ? (ext as Raw).name : undefined;
  return scalar(legacy ?? raw.name ?? key);
}

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(listOrDict(value))) out[k] = v ?? "";
  return out;
}

/**
 * What networks and volumes share: the engine name (external, `name:` or
 * `<project>_<key>`), the driver and its options. Fields come first, in the
 * models' order, so both models keep their key order.
 */
function engineObject(project: string, section: "networks" | "volumes", key: string, raw: Raw) {
  const external = externalName(raw, key);
  return {
    name: checkEngineName(
      external ?? scalar(raw.name ?? scopedName(project, key)),
      `${section}.${key}`,
    ),
    external: external !== undefined,
    driver: raw.driver === undefined ? undefined : scalar(raw.driver),
    driver_opts: strings(raw.driver_opts),
  };
}

function network(project: string, key: string, raw: Raw): NetworkModel {
  const ipam = raw.ipam as Raw | undefined;
  return {
    ...engineObject(project, "networks", key, raw),
    internal: raw.internal as boolean | undefined,
    attachable: raw.attachable as boolean | undefined,
    enable_ipv6: raw.enable_ipv6 as boolean | undefined,
    labels: strings(raw.labels),
    ipam: ipam
      ? {
        driver: ipam.driver === undefined ? undefined : scalar(ipam.driver),
        config: (ipam.config ?? []) as NonNullable<NetworkModel["ipam"]>["config"],
        options: ipam.options as Record<string, string> | undefined,
      }
      : undefined,
  };
}

function volume(project: string, key: string, raw: Raw): VolumeModel {
  return { ...engineObject(project, "volumes", key, raw), labels: strings(raw.labels) };
}

function checkReferences(project: ProjectModel): void {
  for (const service of Object.values(project.services)) {
    const key = `services.${service.name}`;
    for (const net of Object.keys(service.networks)) {
      if (!project.networks[net]) {
        throw keyError(
          `${key}.networks.${net}`,
          "names a network the file does not declare",
          "Declare it under the top-level 'networks'",
        );
      }
    }
    for (const dep of Object.keys(service.depends_on)) {
      if (!project.services[dep]) {
        throw keyError(`${key}.depends_on.${dep}`, "names no service of this file");
      }
    }
    service.volumes.forEach((m, i) => {
      if (m.type === "volume" && m.source !== undefined && !project.volumes[m.source]) {
        throw keyError(
          `${key}.volumes[${i}]`,
          `uses volume '${m.source}' that the file does not declare`,
          "Declare it under the top-level 'volumes'",
        );
      }
    });
    const mode = service.network_mode;
    if (mode?.startsWith("service:") && !project.services[mode.slice(8)]) {
      throw keyError(`${key}.network_mode`, `names no service of this file: '${mode.slice(8)}'`);
    }
    if (service.container_name !== undefined) {
      checkEngineName(service.container_name, `${key}.container_name`);
    }
  }
}

/** Builds the model from parsed, interpolated, validated data. */
export async function normalizeProject(
  name: string,
  data: Raw,
  source: Pick<ComposeSource, "file" | "directory">,
  ctx: NormalizeContext,
): Promise<ProjectModel> {
  const services: Record<string, ServiceModel> = {};
  for (const [key, raw] of Object.entries((data.services ?? {}) as Raw)) {
    services[key] = await normalizeService(key, (raw ?? {}) as Raw, ctx);
  }
  const networks: Record<string, NetworkModel> = {};
  for (const [key, raw] of Object.entries((data.networks ?? {}) as Raw)) {
    networks[key] = network(name, key, (raw ?? {}) as Raw);
  }
  if (!networks.default && Object.values(services).some((s) => s.networks.default)) {
    networks.default = network(name, "default", {});
  }
  const volumes: Record<string, VolumeModel> = {};
  for (const [key, raw] of Object.entries((data.volumes ?? {}) as Raw)) {
    volumes[key] = volume(name, key, (raw ?? {}) as Raw);
  }
  const project: ProjectModel = {
    name,
    working_dir: source.directory ?? "",
    config_files: source.file ? [source.file] : [],
    services,
    networks,
    volumes,
    warnings: ctx.warnings,
  };
  checkReferences(project);
  return project;
}

/** Parses, interpolates and checks compose text (no file-system access but env_file reads). */
export async function projectFromSource(
  name: string,
  source: ComposeSource,
  args: Record<string, unknown>,
  policy: Policy,
): Promise<ProjectModel> {
  const field = source.file ? "compose_file" : "compose_yaml";
  const parsed = parseYaml(source.text, field);
  const lookup = lookupFrom(args, source.dotenv);
  const data = interpolateTree(parsed, lookup, castInterpolated) as Raw;
  validateSchema(data);
  checkSupported(data);
  if (!data.services || Object.keys(data.services as Raw).length === 0) {
    throw keyError("services", "is empty", "Declare at least one service");
  }
  const ctx: NormalizeContext = {
    directory: source.directory,
    lookup,
    readFile: (path, where) => readHostFile(policy, path, where),
    warnings: [],
  };
  return await normalizeProject(name, data, source, ctx);
}

/**
 * Loads the project the arguments name. Answers undefined when no compose
 * source is given and none is `required` (down works from labels alone).
 */
export async function loadProject(
  name: string,
  args: Record<string, unknown>,
  policy: Policy,
  required: boolean,
): Promise<ProjectModel | undefined> {
  const source = await readSource(args, policy, required);
  if (!source) return undefined;
  return await projectFromSource(name, source, args, policy);
}

/** What `down` needs of a compose file: its services, and which name their image. */
export interface ServiceNames {
  /** Service name → true when it sets `image:` (so its image is not compose-built). */
  services: Map<string, boolean>;
}

/**
 * Reads only the service names of the compose file the arguments name
 * (keys are never interpolated, so no variables are needed). Answers
 * undefined when no file is given.
 */
export async function loadServiceNames(
  args: Record<string, unknown>,
  policy: Policy,
): Promise<ServiceNames | undefined> {
  const source = await readSource(args, policy, false);
  if (!source) return undefined;
  const data = parseYaml(source.text, source.file ? "compose_file" : "compose_yaml");
  const services = data.services;
  if (!services || typeof services !== "object" || Array.isArray(services)) {
    throw keyError("services", "must be a mapping of service names", "Declare the services");
  }
  return {
    services: new Map(
      Object.entries(services as Raw).map(([name, s]) => [name, !!(s as Raw | null)?.image]),
    ),
  };
}
