/**
 * Understanding: the parts of berth that explain rather than act — prompts,
 * resources, completion and the fallback model — built on the interpreter
 * and free of MCP types, so the server only adapts them to the protocol.
 *
 * @module
 */

export type { UnderstandingDeps } from "./deps.ts";
export { ANTHROPIC_HOST, createFallbackModel, type FallbackDeps } from "./fallback.ts";
export {
  getPrompt,
  type PromptArgument,
  type PromptDefinition,
  promptDefinitions,
  PROMPTS,
  type PromptText,
} from "./prompts.ts";
export {
  complete,
  type Completion,
  type CompletionRef,
  listResources,
  parseContainerUri,
  readResource,
  RESOURCE_TEMPLATES,
  type ResourceContent,
  type ResourceEntry,
  type ResourceTemplate,
} from "./resources.ts";
