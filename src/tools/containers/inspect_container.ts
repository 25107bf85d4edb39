/**
 * `docker_inspect_container`: the engine's inspect answer, cut to one section
 * and with secret environment values redacted, plus a compact text of the
 * facts a model needs (not the whole JSON).
 *
 * @module
 */

import { redactEnv } from "../../policy/redact.ts";
import {
  assertContainerVisible,
  bareName,
  type ContainerInspect,
} from "../../docker/visible_container.ts";
import { formatMemory } from "../../guard/formats.ts";
import type { Shaper } from "../../interpreter/contract.ts";

/** The sections `section` may name, and the engine keys each keeps. */
export const SECTIONS: Record<string, string[]> = {
  config: ["Id", "Name", "Created", "Image", "Path", "Args", "Config", "HostConfig"],
  state: ["Id", "Name", "Created", "State", "RestartCount"],
  network: ["Id", "Name", "NetworkSettings"],
  mounts: ["Id", "Name", "Mounts"],
};

type Json = Record<string, unknown>;

/** A copy of an inspect answer with every env list redacted. */
export function redactInspect(info: Json): Json {
  const config = info.Config as Json | undefined;
  if (!config) return info;
  return { ...info, Config: { ...config, Env: redactEnv(config.Env) } };
}

/** Keeps the keys of one section (all of them for "all"). */
export function selectSection(info: Json, section: string): Json {
  const keys = SECTIONS[section];
  if (!keys) return info;
  return Object.fromEntries(keys.filter((k) => k in info).map((k) => [k, info[k]]));
}

/** "8080->80/tcp" forms from the engine's port map. */
export function portList(ports: unknown): string[] {
  const out: string[] = [];
  for (const [port, bindings] of Object.entries((ports ?? {}) as Record<string, unknown>)) {
    const list = Array.isArray(bindings) ? bindings : [];
    if (!list.length) out.push(port);
    for (const b of list as { HostIp?: string; HostPort?: string }[]) {
      const ip = b.HostIp && b.HostIp !== "0.0.0.0" && b.HostIp !== "::" ? `${b.HostIp}:` : "";
      const line = `${ip}${b.HostPort}->${port}`;
      if (!out.includes(line)) out.push(line);
    }
  }
  return out;
}

function quoteArgs(args: unknown): string {
  return (Array.isArray(args) ? args : [])
    .map((a) => (/[\s"']/.test(String(a)) ? JSON.stringify(a) : String(a)))
    .join(" ");
}

function realTime(value: unknown): string | undefined {
  return typeof value === "string" && !value.startsWith("0001-")
    ? value.slice(0, 19) + "Z"
    : undefined;
}

function stateLine(info: ContainerInspect): string {
  const s = info.State ?? {};
  const parts = [`state=${s.Status ?? "?"}`];
  if (s.Running) parts.push(`pid=${s.Pid}`, `started=${realTime(s.StartedAt) ?? "-"}`);
  else if (realTime(s.FinishedAt)) {
    parts.push(`exit=${s.ExitCode}`, `finished=${realTime(s.FinishedAt)}`);
  }
  if (s.OOMKilled) parts.push("oom_killed=true");
  if (s.Error) parts.push(`error=${JSON.stringify(s.Error)}`);
  if (s.Health?.Status) parts.push(`health=${s.Health.Status}`);
  parts.push(`restarts=${info.RestartCount ?? 0}`);
  return parts.join(" ");
}

function configLines(info: Json, withPorts: boolean): string[] {
  const config = (info.Config ?? {}) as Json;
  const host = (info.HostConfig ?? {}) as Json;
  const lines: string[] = [];
  const command = [quoteArgs(config.Entrypoint), quoteArgs(config.Cmd)].filter(Boolean).join(" ");
  lines.push(`command: ${command || "-"}`);
  const env = (config.Env as string[] | null) ?? [];
  if (env.length) lines.push(`env: ${env.join(" ")}`);
  const ports = withPorts ? portList(host.PortBindings) : [];
  if (ports.length) lines.push(`ports: ${ports.join(", ")}`);
  const restart = host.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | undefined;
  const limits: string[] = [];
  if (typeof host.Memory === "number" && host.Memory > 0) {
    limits.push(`memory=${formatMemory(host.Memory).replace(" ", "")}`);
  }
  if (typeof host.NanoCpus === "number" && host.NanoCpus > 0) {
    limits.push(`cpus=${host.NanoCpus / 1e9}`);
  }
  if (host.Privileged) limits.push("privileged=true");
  if (restart?.Name && restart.Name !== "no") {
    limits.push(
      `restart=${restart.Name}${restart.MaximumRetryCount ? `:${restart.MaximumRetryCount}` : ""}`,
    );
  }
  if (config.User) limits.push(`user=${config.User}`);
  if (config.WorkingDir) limits.push(`workdir=${config.WorkingDir}`);
  if (config.Tty) limits.push("tty=true");
  if (limits.length) lines.push(limits.join(" "));
  const labels = Object.entries((config.Labels ?? {}) as Record<string, string>);
  if (labels.length) {
    const shown = labels.slice(0, 10).map(([k, v]) => `${k}=${v}`).join(" ");
    lines.push(`labels: ${shown}${labels.length > 10 ? ` (+${labels.length - 10} more)` : ""}`);
  }
  return lines;
}

function networkLines(info: Json): string[] {
  const settings = (info.NetworkSettings ?? {}) as Json;
  const networks = Object.entries((settings.Networks ?? {}) as Record<string, Json>).map(
    ([name, n]) =>
      `${name} ${n.IPAddress || "-"}${
        (n.Aliases as string[] | null)?.length
          ? ` aliases=${(n.Aliases as string[]).join(",")}`
          : ""
      }`,
  );
  const lines = [`networks: ${networks.join("; ") || "-"}`];
  const ports = portList(settings.Ports);
  if (ports.length) lines.push(`published: ${ports.join(", ")}`);
  return lines;
}

function mountLines(info: Json): string[] {
  const mounts = (info.Mounts ?? []) as {
    Type?: string;
    Name?: string;
    Source?: string;
    Destination?: string;
    RW?: boolean;
  }[];
  if (!mounts.length) return ["mounts: -"];
  return [
    `mounts: ${
      mounts.map((m) =>
        `${m.Type} ${m.Type === "volume" ? m.Name : m.Source}:${m.Destination}${
          m.RW === false ? ":ro" : ""
        }`
      ).join("; ")
    }`,
  ];
}

/** The compact text of an inspect answer, for the chosen section. */
export function describeContainer(info: Json, section: string): string {
  const c = info as ContainerInspect;
  const image = (c.Config?.Image as string | undefined) ?? String(info.Image ?? "").slice(7, 19);
  const head = `${bareName(c.Name)} (${String(c.Id).slice(0, 12)})${
    image ? ` image=${image}` : ""
  }`;
  const lines = [head];
  if (section === "all" || section === "state") lines.push(stateLine(c));
  // A running container's live ports (under network) repeat its configured ones, with the
  // host ports the engine picked: shown once in the whole view.
  const live = portList(((info.NetworkSettings ?? {}) as Json).Ports).length > 0;
  if (section === "all" || section === "config") {
    lines.push(...configLines(info, section === "config" || !live));
  }
  if (section === "all" || section === "network") lines.push(...networkLines(info));
  if (section === "all" || section === "mounts") lines.push(...mountLines(info));
  return lines.join("\n");
}

/** Checks visibility, redacts, selects the section and describes it. */
export const containerDetails: Shaper = (data, ctx) => {
  const info = (data ?? {}) as Json;
  assertContainerVisible(ctx, String(ctx.args.container_id), info.Name);
  const section = ctx.args.section as string; // the manifest's default: all
  const redacted = redactInspect(info);
  return {
    structured: { details: selectSection(redacted, section) },
    text: describeContainer(redacted, section),
  };
};
