/**
 * `docker_inspect_image`: the engine's image inspect answer with secret
 * environment values redacted (images bake ENV in), and a compact text.
 *
 * @module
 */

import { redactEnv } from "../../policy/redact.ts";
import { formatBytes } from "../../guard/formats.ts";
import type { Shaper } from "../../interpreter/contract.ts";

type Json = Record<string, unknown>;

function redactConfig(config: unknown): unknown {
  if (!config || typeof config !== "object") return config;
  return { ...(config as Json), Env: redactEnv((config as Json).Env) };
}

/** A copy of an image inspect answer with every env list redacted. */
export function redactImage(info: Json): Json {
  const out: Json = { ...info, Config: redactConfig(info.Config) };
  if ("ContainerConfig" in info) out.ContainerConfig = redactConfig(info.ContainerConfig);
  return out;
}

function words(list: unknown): string {
  return (Array.isArray(list) ? list : []).map((
    a,
  ) => (/\s/.test(String(a)) ? JSON.stringify(a) : a))
    .join(" ");
}

/** The compact text of an image. */
export function describeImage(info: Json): string {
  const config = (info.Config ?? {}) as Json;
  const tags = (info.RepoTags as string[] | null) ?? [];
  const id = String(info.Id ?? "").replace(/^sha256:/, "").slice(0, 12);
  const size = typeof info.Size === "number" ? formatBytes(info.Size) : "?";
  const lines = [
    `${tags.join(", ") || "<untagged>"} (${id}) ${size} ${info.Os}/${info.Architecture} created ${
      String(info.Created ?? "").slice(0, 19)
    }Z`,
  ];
  const entrypoint = words(config.Entrypoint);
  if (entrypoint) lines.push(`entrypoint: ${entrypoint}`);
  lines.push(`cmd: ${words(config.Cmd) || "-"}`);
  const env = (config.Env as string[] | null) ?? [];
  if (env.length) lines.push(`env: ${env.join(" ")}`);
  const facts: string[] = [];
  const ports = Object.keys((config.ExposedPorts ?? {}) as Json);
  if (ports.length) facts.push(`ports=${ports.join(",")}`);
  if (config.WorkingDir) facts.push(`workdir=${config.WorkingDir}`);
  if (config.User) facts.push(`user=${config.User}`);
  const volumes = Object.keys((config.Volumes ?? {}) as Json);
  if (volumes.length) facts.push(`volumes=${volumes.join(",")}`);
  const layers = ((info.RootFS as Json | undefined)?.Layers as unknown[] | undefined)?.length;
  if (layers) facts.push(`layers=${layers}`);
  if (facts.length) lines.push(facts.join(" "));
  const labels = Object.entries((config.Labels ?? {}) as Record<string, string>);
  if (labels.length) {
    lines.push(
      `labels: ${labels.slice(0, 10).map(([k, v]) => `${k}=${v}`).join(" ")}${
        labels.length > 10 ? ` (+${labels.length - 10} more)` : ""
      }`,
    );
  }
  return lines.join("\n");
}

/** Redacts and describes an image. */
export const imageDetails: Shaper = (data) => {
  const details = redactImage((data ?? {}) as Json);
  return { structured: { details }, text: describeImage(details) };
};
