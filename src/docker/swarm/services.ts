/**
 * Services as a session sees them: through the container name lists (a
 * service's tasks are containers named after it, so a hidden name is hidden
 * as a service too, and looks missing), as `docker service ls` rows, and with
 * their secret and config references filled by name. Shared by the swarm
 * tools and the service half of `docker_diagnose`.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { inspect, list, type Ops } from "./api.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";
import { desiredReplicas, type FileRef } from "./spec.ts";

/** An Engine API object as the engine answers it. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** The engine ops of a call. */
export function opsOf(ctx: HandlerContext): Ops {
  return { engine: ctx.engine, signal: ctx.signal };
}

/** True when the name lists let this session see a service (or stack) name. */
export function serviceVisible(ctx: HandlerContext, name: string): boolean {
  return !ctx.policy.filtersContainers || ctx.policy.containerVisible(name);
}

/** A service by name or ID among the visible ones; a hidden one answers like a missing one. */
export async function visibleService(ctx: HandlerContext, ref: string): Promise<Json> {
  const service = await inspect(opsOf(ctx), "services", ref);
  if (!serviceVisible(ctx, service.Spec?.Name ?? "")) {
    throw new BerthError("not_found", `No such service: ${ref}`, {
      status: 404,
      hint: "List them with docker_list_services",
    });
  }
  return service;
}

/** Visible services, optionally filtered. */
export async function visibleServices(
  ctx: HandlerContext,
  filters?: Record<string, string[]>,
  status = false,
): Promise<Json[]> {
  const services = await list(opsOf(ctx), "services", filters, { status: status || undefined });
  return services.filter((s) => serviceVisible(ctx, s.Spec?.Name ?? ""));
}

/** Hostnames of nodes by ID, and services' names by ID, for task rows. */
export async function names(ctx: HandlerContext): Promise<{
  nodes: Map<string, string>;
  services: Map<string, string>;
}> {
  const ops = opsOf(ctx);
  const [nodes, services] = await Promise.all([list(ops, "nodes"), list(ops, "services")]);
  return {
    nodes: new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID])),
    services: new Map(services.map((s) => [s.ID, s.Spec?.Name ?? s.ID])),
  };
}

/** `image:tag@sha256:…` as people write it: the digest the swarm pins is dropped. */
export function shortImage(image: unknown): string {
  return String(image ?? "").replace(/@sha256:[0-9a-f]+$/, "");
}

function ports(s: Json): string[] {
  return ((s.Endpoint?.Ports ?? s.Spec?.EndpointSpec?.Ports ?? []) as Json[]).map((p) =>
    `*:${p.PublishedPort ?? ""}->${p.TargetPort}/${p.Protocol ?? "tcp"}`
  );
}

/** One service as `docker service ls` shows it. */
export function serviceRow(s: Json) {
  const desired = desiredReplicas(s.Spec) ?? s.ServiceStatus?.DesiredTasks ?? 0;
  return {
    id: s.ID,
    name: s.Spec?.Name ?? "",
    mode: s.Spec?.Mode?.Global ? "global" : "replicated",
    replicas: `${s.ServiceStatus?.RunningTasks ?? 0}/${desired}`,
    running: s.ServiceStatus?.RunningTasks ?? 0,
    desired,
    image: shortImage(s.Spec?.TaskTemplate?.ContainerSpec?.Image),
    ports: ports(s),
    update_state: s.UpdateStatus?.State ?? null,
    stack: s.Spec?.Labels?.["com.docker.stack.namespace"] ?? null,
  };
}

/** A service row, as `serviceRow` makes it. */
export type ServiceRow = ReturnType<typeof serviceRow>;

/** Secret or config references with their IDs, found by name (DKR-011 naming a missing one). */
async function fileReferences(
  ops: Ops,
  kind: "secrets" | "configs",
  refs: FileRef[],
): Promise<Json[]> {
  if (!refs.length) return [];
  const known = await list(ops, kind);
  const byName = new Map(known.map((o) => [o.Spec?.Name, o.ID]));
  return refs.map((r) => {
    const id = byName.get(r.name);
    if (!id) {
      throw new BerthError("not_found", `No such ${kind.slice(0, -1)}: ${r.name}`, {
        hint: `Create it first with docker_create_${kind.slice(0, -1)}`,
      });
    }
    const file = { Name: r.target ?? r.name, UID: "0", GID: "0", Mode: 0o444 };
    return kind === "secrets"
      ? { SecretID: id, SecretName: r.name, File: file }
      : { ConfigID: id, ConfigName: r.name, File: file };
  });
}

/** Fills a spec's secret and config references by name. */
export async function withFileReferences(
  ops: Ops,
  spec: Json,
  secrets: FileRef[],
  configs: FileRef[],
): Promise<Json> {
  const c = spec.TaskTemplate.ContainerSpec;
  const [s, k] = await Promise.all([
    fileReferences(ops, "secrets", secrets),
    fileReferences(ops, "configs", configs),
  ]);
  if (s.length) c.Secrets = s;
  if (k.length) c.Configs = k;
  return spec;
}
