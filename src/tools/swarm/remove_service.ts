/**
 * `docker_remove_service`: removes a service (its tasks stop).
 *
 * @module
 */

import { remove } from "../../docker/swarm/api.ts";
import { opsOf, visibleService } from "../../docker/swarm/services.ts";
import type { Handler } from "../../interpreter/contract.ts";

/** Removes a service (its tasks stop). */
export const removeService: Handler = async (ctx) => {
  const service = await visibleService(ctx, ctx.args.service_id as string);
  await remove(opsOf(ctx), "services", service.ID);
  return {
    structured: { service_id: service.ID, name: service.Spec.Name, removed: true },
    text: `Service ${service.Spec.Name} removed`,
  };
};
