/**
 * Services: list, inspect, create, update (image, replicas, env, force),
 * rollback and remove. Create, update and rollback wait for convergence
 * (`2/3 tasks running` as progress); a failure answers the tasks' errors.
 *
 * @module
 */

import { create, list, type Ops, remove, update } from "../../engine/ops/swarm.ts";
import {
  desiredReplicas,
  type FileRef,
  fileRefs,
  noChange,
  serviceSpec,
  updatedSpec,
} from "../../docker/swarm/spec.ts";
import { BerthError, invalidInput } from "../../errors/mod.ts";
import { alignColumns } from "../../interpreter/shape.ts";
import type { Handler, HandlerContext, Shaped } from "../../interpreter/contract.ts";
import {
  checkServiceSpec,
  converge,
  type Json,
  opsOf,
  shortImage,
  visibleService,
  visibleServices,
} from "./_common.ts";

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

/** Services like `docker service ls`: running/desired replicas, image, ports, update state. */
export const listServices: Handler = async (ctx) => {
  const filters = ctx.args.stack_name
    ? { label: [`com.docker.stack.namespace=${ctx.args.stack_name}`] }
    : undefined;
  const services = (await visibleServices(ctx, filters, true)).map(serviceRow)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { structured: { services, count: services.length }, text: serviceTable(services) };
};

/** The text table of service rows. */
export function serviceTable(rows: ReturnType<typeof serviceRow>[]): string {
  return alignColumns([
    ["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS", "UPDATE"],
    ...rows.map((s) => [
      s.id.slice(0, 12),
      s.name,
      s.mode,
      s.replicas,
      s.image,
      s.ports.join(",") || "-",
      s.update_state ?? "-",
    ]),
  ]).join("\n");
}

/** One service: its row and its spec (env redacted by the result's redaction). */
export const inspectService: Handler = async (ctx) => {
  const s = await visibleService(ctx, ctx.args.service_id as string);
  const running = await list(opsOf(ctx), "tasks", {
    service: [s.ID],
    "desired-state": ["running"],
  });
  const row = {
    ...serviceRow(s),
    running: running.filter((t) => t.Status?.State === "running").length,
  };
  row.replicas = `${row.running}/${row.desired}`;
  const structured = {
    ...row,
    spec: s.Spec,
    previous_image: shortImage(s.PreviousSpec?.TaskTemplate?.ContainerSpec?.Image) || null,
    update_status: s.UpdateStatus ?? null,
    created: s.CreatedAt,
    updated: s.UpdatedAt,
  };
  const c = s.Spec?.TaskTemplate?.ContainerSpec ?? {};
  return {
    structured,
    text:
      `Service ${row.name} (${row.id}): ${row.mode} ${row.replicas} running, image ${row.image}` +
      `${row.ports.length ? `, ports ${row.ports.join(",")}` : ""}` +
      `${row.update_state ? `, update ${row.update_state}` : ""}` +
      `${c.Args ? `; args ${JSON.stringify(c.Args)}` : ""}`,
  };
};

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

function converged(name: string, id: string, verb: string, result: Json, warnings: string[]) {
  return {
    structured: {
      service_id: id,
      name,
      running: result.running,
      desired: result.desired,
      update_state: result.update_state,
      warnings,
    },
    text: `Service ${name} ${verb}: ${result.running}/${result.desired} tasks running` +
      warnings.map((w) => `\nwarning: ${w}`).join(""),
  };
}

/** Creates a service and waits for it to converge. */
export const createService: Handler = async (ctx) => {
  const ops = opsOf(ctx);
  const spec = serviceSpec(ctx.args);
  await checkServiceSpec(ctx, spec);
  await withFileReferences(
    ops,
    spec,
    fileRefs(ctx.args.secrets, "secrets"),
    fileRefs(ctx.args.configs, "configs"),
  );
  const since = Date.now();
  const made = await create(ops, "services", spec);
  const result = await converge(ctx, made.ID, spec.Name, since);
  return converged(spec.Name, made.ID, "created", result, made.Warnings ?? []);
};

async function sendUpdate(
  ctx: HandlerContext,
  service: Json,
  spec: Json,
  verb: string,
  rollback = false,
): Promise<Shaped> {
  const since = Date.now();
  const answer = await update(
    opsOf(ctx),
    "services",
    service.ID,
    service.Version.Index,
    spec,
    rollback,
  );
  const name = service.Spec.Name;
  const result = await converge(ctx, service.ID, name, since, rollback);
  return converged(name, service.ID, verb, result, answer.Warnings ?? []);
}

/** Changes image, replicas or env, or forces a rolling restart, and waits for convergence. */
export const updateService: Handler = async (ctx) => {
  if (noChange(ctx.args)) {
    throw invalidInput(
      "image",
      "or 'replicas', 'env', 'force' must be given",
      "Say what to change",
    );
  }
  const service = await visibleService(ctx, ctx.args.service_id as string);
  const spec = updatedSpec(service.Spec, ctx.args);
  await checkServiceSpec(ctx, spec);
  return await sendUpdate(ctx, service, spec, "updated");
};

/** Returns a service to its previous spec and waits for convergence. */
export const rollbackService: Handler = async (ctx) => {
  const service = await visibleService(ctx, ctx.args.service_id as string);
  if (!service.PreviousSpec) {
    throw new BerthError("conflict", `Service ${service.Spec.Name} has no previous spec`, {
      hint: "Only a service that was updated can be rolled back",
    });
  }
  await checkServiceSpec(ctx, service.PreviousSpec);
  return await sendUpdate(ctx, service, service.Spec, "rolled back", true);
};

/** Removes a service (its tasks stop). */
export const removeService: Handler = async (ctx) => {
  const service = await visibleService(ctx, ctx.args.service_id as string);
  await remove(opsOf(ctx), "services", service.ID);
  return {
    structured: { service_id: service.ID, name: service.Spec.Name, removed: true },
    text: `Service ${service.Spec.Name} removed`,
  };
};
