/**
 * Stacks: `docker_stack_deploy` (networks, secrets, configs, then each
 * service created or updated, then every service watched until it
 * converges), `docker_stack_list`, `docker_stack_ps`, `docker_stack_remove`.
 * A stack is its label, `com.docker.stack.namespace`, as for the docker CLI.
 *
 * @module
 */

import {
  create,
  createNetwork,
  list,
  listNetworks,
  type Ops,
  remove,
  removeNetwork,
  update,
} from "../../engine/ops/swarm.ts";
import { BerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import { checkProjectName } from "../../docker/compose/naming.ts";
import { counted } from "../../interpreter/result.ts";
import { alignColumns } from "../../interpreter/shape.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";
import {
  checkServiceSpec,
  converge,
  type Json,
  opsOf,
  serviceVisible,
  visibleServices,
} from "./_common.ts";
import { serviceRow, serviceTable, withFileReferences } from "./services.ts";
import { loadStack } from "../../docker/swarm/stack_load.ts";
import { NAMESPACE, type StackFile, stackPlan } from "../../docker/swarm/stack_spec.ts";
import { taskTable, visibleTaskRows } from "./tasks.ts";

const byStack = (stack: string) => ({ label: [`${NAMESPACE}=${stack}`] });

function stackName(ctx: HandlerContext): string {
  const name = checkProjectName(ctx.args.stack_name);
  return name;
}

function encode(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Makes the stack's secrets or configs that are missing; external ones must exist. */
async function ensureFiles(
  ops: Ops,
  kind: "secrets" | "configs",
  stack: string,
  files: StackFile[],
  warnings: string[],
): Promise<{ kind: string; name: string; status: string }[]> {
  if (!files.length) return [];
  const existing = new Set((await list(ops, kind)).map((o) => o.Spec?.Name));
  const out = [];
  for (const f of files) {
    if (existing.has(f.name)) {
      // Swarm secrets and configs are immutable: the file's current content is not applied.
      if (!f.external) {
        warnings.push(
          `${kind.slice(0, -1)} ${f.name} exists and was kept as it is (its content cannot ` +
            "change: remove the stack, or name a new one, to use the file's content)",
        );
      }
      out.push({
        kind: kind.slice(0, -1),
        name: f.name,
        status: f.external ? "external" : "exists",
      });
      continue;
    }
    if (f.external) {
      throw new BerthError(
        "not_found",
        `External ${kind.slice(0, -1)} '${f.name}' does not exist`,
        {
          hint: `Create it first with docker_create_${kind.slice(0, -1)}`,
        },
      );
    }
    await create(ops, kind, {
      Name: f.name,
      Labels: { [NAMESPACE]: stack },
      Data: encode(f.data ?? ""),
    });
    out.push({ kind: kind.slice(0, -1), name: f.name, status: "created" });
  }
  return out;
}

/** Deploys or updates a stack from a compose file and waits for every service to converge. */
export const stackDeploy: Handler = async (ctx) => {
  const stack = stackName(ctx);
  const ops = opsOf(ctx);
  const plan = await stackPlan(stack, await loadStack(stack, ctx.args, ctx.policy));
  // The policy sees every service before anything is made.
  for (const s of plan.services) await checkServiceSpec(ctx, s.spec);
  const resources = [];
  const networks = new Set((await listNetworks(ops)).map((n) => n.Name));
  for (const n of plan.networks) {
    if (networks.has(n.name)) {
      resources.push({ kind: "network", name: n.name, status: n.external ? "external" : "exists" });
    } else if (n.external) {
      throw new BerthError("not_found", `External network '${n.name}' does not exist`, {
        hint: "Create it first (an overlay network), or drop 'external'",
      });
    } else {
      await createNetwork(ops, n.body);
      resources.push({ kind: "network", name: n.name, status: "created" });
    }
  }
  resources.push(...await ensureFiles(ops, "secrets", stack, plan.secrets, plan.warnings));
  resources.push(...await ensureFiles(ops, "configs", stack, plan.configs, plan.warnings));

  const current = new Map(
    (await list(ops, "services", byStack(stack))).map((s) => [s.Spec?.Name, s]),
  );
  const since = Date.now();
  const changed: { id: string; name: string; status: string }[] = [];
  for (const s of plan.services) {
    const spec = await withFileReferences(ops, s.spec, s.secrets, s.configs);
    const existing = current.get(spec.Name);
    if (existing) {
      await update(ops, "services", existing.ID, existing.Version.Index, spec);
      changed.push({ id: existing.ID, name: spec.Name, status: "updated" });
    } else {
      const made = await create(ops, "services", spec);
      changed.push({ id: made.ID, name: spec.Name, status: "created" });
    }
  }
  const services = [];
  for (const [i, s] of changed.entries()) {
    const within = {
      ...ctx,
      progress: (p: { progress: number; total?: number; message?: string }) =>
        ctx.progress({
          progress: i,
          total: changed.length,
          message: `${s.name}: ${p.message ?? ""}`,
        }),
    };
    const result = await converge(within, s.id, s.name, since);
    services.push({ ...s, running: result.running, desired: result.desired });
  }
  ctx.progress({
    progress: changed.length,
    total: changed.length,
    message: `Stack ${stack} converged`,
  });
  return {
    structured: { stack_name: stack, services, resources, warnings: plan.warnings },
    text: [
      `Stack ${stack} deployed: ${counted(services.length, "services")} converged`,
      ...alignColumns([
        ["SERVICE", "STATUS", "RUNNING"],
        ...services.map((s) => [s.name, s.status, `${s.running}/${s.desired}`]),
      ]),
      ...resources.filter((r) => r.status === "created").map((r) => `${r.kind} ${r.name} created`),
      ...plan.warnings.map((w) => `warning: ${w}`),
    ].join("\n"),
  };
};

/** Stacks like `docker stack ls`: every namespace label among the visible services. */
export const stackList: Handler = async (ctx) => {
  const counts = new Map<string, number>();
  for (const s of await visibleServices(ctx, { label: [NAMESPACE] })) {
    const name = s.Spec?.Labels?.[NAMESPACE];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const stacks = [...counts].sort().map(([name, services]) => ({ name, services }));
  return {
    structured: { stacks, count: stacks.length },
    text: alignColumns([["NAME", "SERVICES"], ...stacks.map((s) => [s.name, String(s.services)])])
      .join("\n"),
  };
};

/** A stack's services and tasks, like `docker stack services` and `docker stack ps`. */
export const stackPs: Handler = async (ctx) => {
  const stack = stackName(ctx);
  const services = await visibleServices(ctx, byStack(stack), true);
  if (!services.length) throw noStack(stack);
  const filters: Record<string, string[]> = { service: services.map((s) => s.ID) };
  if (ctx.args.all !== true) filters["desired-state"] = ["running", "accepted"];
  const tasks = await visibleTaskRows(ctx, filters);
  const rows = services.map(serviceRow).sort((a, b) => a.name.localeCompare(b.name));
  return {
    structured: { stack_name: stack, services: rows, tasks },
    text: `${serviceTable(rows)}\n\n${taskTable(tasks)}`,
  };
};

function noStack(stack: string): BerthError {
  return new BerthError("not_found", `No such stack: ${stack}`, {
    hint: "List stacks with docker_stack_list",
  });
}

/** Removes a network, retrying while its last tasks still leave it. */
async function removeNetworkSoon(ops: Ops, id: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      return await removeNetwork(ops, id);
    } catch (error) {
      const busy = error instanceof BerthError && /active endpoints/i.test(error.message);
      if (!busy || attempt >= 20) throw error;
      await sleep(500, ops.signal);
    }
  }
}

/** Removes a stack's services, then its secrets, configs and networks (by label). */
export const stackRemove: Handler = async (ctx) => {
  const stack = stackName(ctx);
  const ops = opsOf(ctx);
  const all = await list(ops, "services", byStack(stack));
  const hidden = all.filter((s: Json) => !serviceVisible(ctx, s.Spec?.Name ?? ""));
  if (hidden.length) {
    // A stack berth cannot see whole is not berth's to remove.
    throw new BerthError("denied_by_policy", `Stack ${stack} has services the name lists hide`, {
      hint: "Remove its visible services one by one, or ask the operator",
    });
  }
  const [secrets, configs, networks] = await Promise.all([
    list(ops, "secrets", byStack(stack)),
    list(ops, "configs", byStack(stack)),
    listNetworks(ops, byStack(stack)),
  ]);
  if (!all.length && !secrets.length && !configs.length && !networks.length) throw noStack(stack);
  for (const s of all) await remove(ops, "services", s.ID);
  for (const s of secrets) await remove(ops, "secrets", s.ID);
  for (const c of configs) await remove(ops, "configs", c.ID);
  for (const n of networks) await removeNetworkSoon(ops, n.Id);
  const removed = {
    services: all.map((s: Json) => s.Spec.Name),
    secrets: secrets.map((s: Json) => s.Spec.Name),
    configs: configs.map((c: Json) => c.Spec.Name),
    networks: networks.map((n: Json) => n.Name),
  };
  return {
    structured: { stack_name: stack, removed },
    text: `Stack ${stack} removed: ${counted(all.length, "services")}, ` +
      `${counted(secrets.length, "secrets")}, ${counted(configs.length, "configs")}, ` +
      `${counted(networks.length, "networks")}`,
  };
};
