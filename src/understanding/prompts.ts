/**
 * The prompts berth offers, protocol-neutral: their definitions and the text
 * of each, built from the engine through the same policy as the tools. The
 * server only adapts them to MCP.
 *
 * @module
 */

import { BerthError, invalidInput } from "../errors/mod.ts";
import { startDeadline } from "../guard/deadline.ts";
import { callRedactor, engineForCall } from "../interpreter/call_guard.ts";
import { NAME_OR_ID } from "../guard/formats.ts";
import { levelDenied } from "../policy/mod.ts";
import { securityReviewPrompt, troubleshootPrompt } from "./container_prompts.ts";
import { cleanupPrompt, planStackPrompt } from "./ops_prompts.ts";
import { depsOn, severalEngines, type UnderstandingDeps } from "./deps.ts";
import { ENGINE_PARAM } from "../interpreter/engines.ts";

/** One argument of a prompt (MCP prompt arguments are strings). */
export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

/** A prompt as listed. */
export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  arguments: PromptArgument[];
}

/** A prompt's text, ready for the model. */
export interface PromptText {
  description: string;
  text: string;
}

const CONTAINER_ID: PromptArgument = {
  name: "container_id",
  description: "Container name or ID",
  required: true,
};

/** Every prompt, in the order they are listed. */
export const PROMPTS: readonly PromptDefinition[] = [
  {
    name: "troubleshoot_container",
    title: "Troubleshoot a container",
    description:
      "A container's state, configuration, limits, recent events and logs (secrets redacted), ready for finding what is wrong",
    arguments: [CONTAINER_ID],
  },
  {
    name: "security_review",
    title: "Security review of a container",
    description:
      "Review a container's privileges, capabilities, namespaces, mounts, ports, user, limits and environment (values redacted)",
    arguments: [CONTAINER_ID],
  },
  {
    name: "plan_stack_deployment",
    title: "Plan a stack deployment",
    description:
      "Turn a description of an application stack into a compose plan deployed with docker_compose_up",
    arguments: [{
      name: "description",
      description: "What to deploy, e.g. 'WordPress with MySQL, reachable on port 8080'",
      required: true,
    }],
  },
  {
    name: "cleanup_plan",
    title: "Disk cleanup plan",
    description: "A safe, ordered plan to reclaim disk space, from the engine's disk usage figures",
    arguments: [],
  },
];

/**
 * The prompts as this berth lists them: with several engines each takes an
 * optional `engine` argument (completion offers the names).
 */
export function promptDefinitions(deps: UnderstandingDeps): PromptDefinition[] {
  if (!severalEngines(deps)) return [...PROMPTS];
  const engine: PromptArgument = {
    name: ENGINE_PARAM,
    description: `Engine to read from (default ${deps.engines!.defaultName})`,
    required: false,
  };
  return PROMPTS.map((p) => ({ ...p, arguments: [...p.arguments, engine] }));
}

/** Names of prompt arguments that take a container (for completion). */
export const CONTAINER_ARGUMENTS: ReadonlySet<string> = new Set(
  PROMPTS.filter((p) => p.arguments.some((a) => a.name === "container_id")).map((p) => p.name),
);

function containerArg(args: Record<string, string>): string {
  const id = args.container_id;
  if (!id) throw invalidInput("container_id", "is required", "Give a container name or ID");
  if (!NAME_OR_ID.test(id)) {
    throw invalidInput(
      "container_id",
      "must be a name or ID (letters, digits, '_', '.', '-')",
      "Pass the exact name or ID as shown by docker_list_containers",
    );
  }
  return id;
}

/**
 * Builds a prompt's text; DKR errors (a missing or hidden container answers
 * DKR-002). The text is redacted as a tool result is: secret keys and
 * patterns, and the secret values of the containers read for it (a command
 * or log line that prints one without its key).
 */
export async function getPrompt(
  deps: UnderstandingDeps,
  name: string,
  args: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<PromptText> {
  const definition = PROMPTS.find((p) => p.name === name);
  if (!definition) {
    throw new BerthError("invalid_input", `Unknown prompt '${name}'`, {
      hint: `Prompts are ${PROMPTS.map((p) => p.name).join(", ")}`,
    });
  }
  deps = depsOn(deps, args);
  if (!deps.policy.allowsLevel("read")) throw levelDenied(`prompt ${name}`, "read");
  const deadline = startDeadline("read", deps.config.timeouts.read, signal);
  // One engine per prompt, as per tool call: it keeps the secret values it reads.
  const engine = engineForCall(deps.engine, true);
  const ctx = { ...deps, engine, signal: deadline.signal };
  try {
    const text = callRedactor(engine)(await build(ctx, name, args));
    return { description: definition.description, text };
  } catch (error) {
    const reason = deadline.signal.aborted ? deadline.signal.reason : undefined;
    throw reason instanceof BerthError ? reason : error;
  } finally {
    deadline.dispose();
  }
}

function build(
  ctx: UnderstandingDeps & { signal: AbortSignal },
  name: string,
  args: Record<string, string>,
): Promise<string> {
  switch (name) {
    case "troubleshoot_container":
      return troubleshootPrompt(ctx, containerArg(args));
    case "security_review":
      return securityReviewPrompt(ctx, containerArg(args));
    case "plan_stack_deployment": {
      const description = args.description?.trim();
      if (!description) {
        throw invalidInput("description", "is required", "Describe the stack to deploy");
      }
      return Promise.resolve(planStackPrompt(ctx.policy, description.slice(0, 4000)));
    }
    default:
      return cleanupPrompt(ctx);
  }
}
