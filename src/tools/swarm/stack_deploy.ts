/**
 * `docker_stack_deploy`: networks, secrets, configs, then each service
 * created or updated, then every service watched until it converges.
 *
 * @module
 */

import {
  create,
  createNetwork,
  list,
  listNetworks,
  type Ops,
  update,
} from "../../docker/swarm/api.ts";
import { BerthError } from "../../errors/mod.ts";
import { alignColumns, counted } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { opsOf, withFileReferences } from "../../docker/swarm/services.ts";
import { loadStack } from "../../docker/swarm/stack_load.ts";
import { NAMESPACE, type StackFile, stackPlan } from "../../docker/swarm/stack_spec.ts";
import { base64Text, checkServiceSpec, converge } from "./_common.ts";
import { byStack, stackName } from "./_stack.ts";

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
      Data: base64Text(f.data ?? ""),
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
