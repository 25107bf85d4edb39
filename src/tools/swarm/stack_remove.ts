/**
 * `docker_stack_remove`: a stack's services, then its secrets, configs and
 * networks (by label).
 *
 * @module
 */

import { list, listNetworks, type Ops, remove, removeNetwork } from "../../docker/swarm/api.ts";
import { BerthError } from "../../errors/mod.ts";
import { sleep } from "../../guard/retry.ts";
import { counted } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { type Json, opsOf, serviceVisible } from "../../docker/swarm/services.ts";
import { byStack, noStack, stackName } from "./_stack.ts";

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
