/**
 * `docker_rollback_service`: a service back to its previous spec, then waits
 * for convergence.
 *
 * @module
 */

import { visibleService } from "../../docker/swarm/services.ts";
import { BerthError } from "../../errors/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { checkServiceSpec, sendUpdate } from "./_common.ts";

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
