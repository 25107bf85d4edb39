/**
 * `docker_stack_list`: stacks like `docker stack ls`.
 *
 * @module
 */

import { visibleServices } from "../../docker/swarm/services.ts";
import { NAMESPACE } from "../../docker/swarm/stack_spec.ts";
import { alignColumns } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";

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
