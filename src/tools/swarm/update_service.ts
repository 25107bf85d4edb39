/**
 * `docker_update_service`: image, replicas, env or a forced rolling restart,
 * then waits for convergence.
 *
 * @module
 */

import { visibleService } from "../../docker/swarm/services.ts";
import { noChange, updatedSpec } from "../../docker/swarm/spec.ts";
import { invalidInput } from "../../errors/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { checkServiceSpec, sendUpdate } from "./_common.ts";

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
