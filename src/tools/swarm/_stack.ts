/**
 * What the stack tools share. A stack is its label,
 * `com.docker.stack.namespace`, as for the docker CLI.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { checkProjectName } from "../../docker/compose/naming.ts";
import { NAMESPACE } from "../../docker/swarm/stack_spec.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";

/** The filter of one stack's objects. */
export const byStack = (stack: string) => ({ label: [`${NAMESPACE}=${stack}`] });

/** The call's `stack_name`, checked like a compose project name. */
export function stackName(ctx: HandlerContext): string {
  const name = checkProjectName(ctx.args.stack_name);
  return name;
}

/** DKR-011 for a stack with nothing of it left. */
export function noStack(stack: string): BerthError {
  return new BerthError("not_found", `No such stack: ${stack}`, {
    hint: "List stacks with docker_stack_list",
  });
}
