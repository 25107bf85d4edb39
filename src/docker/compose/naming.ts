/**
 * Names and labels exactly as docker compose v2 writes them, so that the
 * compose CLI (v2, and v1 which finds containers by label) treats a project
 * made by berth as its own, and berth treats theirs as its own.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import type { ServiceModel } from "./model.ts";

/** The label keys of docker compose. */
export const LABEL = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  number: "com.docker.compose.container-number",
  oneoff: "com.docker.compose.oneoff",
  workingDir: "com.docker.compose.project.working_dir",
  configFiles: "com.docker.compose.project.config_files",
  configHash: "com.docker.compose.config-hash",
  version: "com.docker.compose.version",
  network: "com.docker.compose.network",
  volume: "com.docker.compose.volume",
  dependsOn: "com.docker.compose.depends_on",
  image: "com.docker.compose.image",
} as const;

/**
 * The value of `com.docker.compose.version`: a compose v2 version (the
 * naming and label scheme berth follows) with berth named in the build
 * metadata, so that the label stays valid semver and honest.
 */
export const COMPOSE_VERSION = "2.24.0+berth";

/** Project names as compose v2 accepts them. */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Checks a `project_name` argument. */
export function checkProjectName(value: unknown): string {
  const name = String(value ?? "");
  if (!PROJECT_NAME.test(name)) {
    throw invalidInput(
      "project_name",
      "must be lowercase letters, digits, '-' and '_', starting with a letter or digit (at most 63)",
      "Compose project names look like myapp or my_app-2",
    );
  }
  return name;
}

/** `<project>-<service>-<n>` (v2 style), or the service's `container_name`. */
export function containerName(project: string, service: ServiceModel, number: number): string {
  return service.container_name ?? `${project}-${service.name}-${number}`;
}

/** `<project>_<key>`: networks and volumes. */
export function scopedName(project: string, key: string): string {
  return `${project}_${key}`;
}

/** The image name compose gives a service that is built without `image:`. */
export function builtImageName(project: string, service: string): string {
  return `${project}-${service}`;
}

/** The label filter for one project (and optionally one service). */
export function projectFilter(project: string, service?: string): string[] {
  const labels = [`${LABEL.project}=${project}`];
  if (service) labels.push(`${LABEL.service}=${service}`);
  return labels;
}

/** Labels of a network or volume made for a project. */
export function resourceLabels(
  project: string,
  kind: "network" | "volume",
  key: string,
  user: Record<string, string>,
): Record<string, string> {
  return {
    ...user,
    [LABEL.project]: project,
    [kind === "network" ? LABEL.network : LABEL.volume]: key,
    [LABEL.version]: COMPOSE_VERSION,
  };
}

/** JSON with object keys sorted at every level: the same model always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * `com.docker.compose.config-hash`: sha256 of the service's canonical
 * config. Like compose v2's ServiceHash it leaves out what does not shape
 * the container (build, pull policy, profiles, depends_on).
 */
export async function configHash(service: ServiceModel): Promise<string> {
  const {
    build: _b,
    pull_policy: _p,
    profiles: _pr,
    depends_on: _d,
    resource_keys: _k,
    ...shaping
  } = service;
  const bytes = new TextEncoder().encode(canonicalJson(shaping));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `com.docker.compose.depends_on`: `service:condition:restart` joined by commas (v2). */
export function dependsOnLabel(service: ServiceModel): string {
  return Object.entries(service.depends_on)
    .map(([name, d]) => `${name}:${d.condition}:false`)
    .join(",");
}
