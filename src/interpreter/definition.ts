/**
 * The protocol-neutral description of a tool: what `tools/list` sends.
 *
 * @module
 */

import type { ToolSpec } from "../manifest/types.ts";
import { annotationsFor, type ToolAnnotations } from "./annotations.ts";
import { inputJsonSchema, type JsonSchema } from "./input.ts";
import { outputJsonSchema } from "./shape.ts";
import { allowRunning } from "./supervise.ts";

/** A tool as a client sees it. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  annotations: ToolAnnotations;
}

/** Describes one tool. */
export function defineTool(spec: ToolSpec): ToolDefinition {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description.trim(),
    inputSchema: inputJsonSchema(spec.input),
    outputSchema: allowRunning(outputJsonSchema(spec.output), spec.timeout),
    annotations: annotationsFor(spec),
  };
}
