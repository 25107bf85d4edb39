/**
 * `docker_create_service`: creates a service and waits for it to converge
 * (`2/3 tasks running` as progress); a failure answers the tasks' errors.
 *
 * @module
 */

import { create } from "../../docker/swarm/api.ts";
import { opsOf, withFileReferences } from "../../docker/swarm/services.ts";
import { fileRefs, serviceSpec } from "../../docker/swarm/spec.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { checkServiceSpec, converge, converged } from "./_common.ts";

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
