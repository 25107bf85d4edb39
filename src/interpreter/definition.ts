/**
 * The protocol-neutral description of a tool: what `tools/list` sends.
 *
 * @module
 */

import type { ToolSpec } from "../manifest/types.ts";
import { annotationsFor, type ToolAnnotations, wireAnnotations } from "./annotations.ts";
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
  /** The hints that differ from the MCP defaults ({@link wireAnnotations}). */
  annotations: Partial<ToolAnnotations>;
}

/** Describes one tool. */
export function defineTool(spec: ToolSpec): ToolDefinition {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description.trim(),
    inputSchema: inputJsonSchema(spec.input),
    outputSchema: withSchemaId(allowRunning(outputJsonSchema(spec.output), spec.timeout)),
    annotations: wireAnnotations(annotationsFor(spec)),
  };
}

/**
 * Names an output schema by its content (`$id`, a decimal FNV-1a hash of its
 * JSON). A client validates structured results with a validator compiled from
 * each outputSchema; JSON Schema validators (ajv, the one the MCP TypeScript
 * SDK uses) reuse a compiled schema by its `$id`, so a client that lists the
 * tools again (after `notifications/tools/list_changed`, or on every turn)
 * compiles nothing twice: compiling 51 schemas cost 10–20 ms per list. The id
 * changes with the content, so a validator cached for an older schema is never
 * reused for a newer one.
 */
export function withSchemaId(schema: JsonSchema): JsonSchema {
  const { $id: _, ...rest } = schema;
  return { $id: String(fnv1a(JSON.stringify(rest))), ...rest };
}

/** FNV-1a, 32 bits: a short, stable, non-cryptographic content hash. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A `tools/list` entry: what a client is sent of a {@link ToolDefinition}. */
export type ListedTool = Omit<ToolDefinition, "title" | "outputSchema"> & Partial<ToolDefinition>;

/**
 * The entry `tools/list` sends. Every token of the list is paid for in the
 * model's context on every turn, and a model reads only the name, the
 * description and the inputSchema, so by default the title (a display name)
 * and the outputSchema (for clients that validate structured results) are
 * left out; `outputSchemas` (`--output-schemas`) sends them. The
 * structured content of a result is the same either way.
 */
export function listedTool(
  definition: ToolDefinition,
  options: { outputSchemas: boolean },
): ListedTool {
  if (options.outputSchemas) return definition;
  const { title: _title, outputSchema: _output, ...lean } = definition;
  return lean;
}
