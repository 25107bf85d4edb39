/**
 * Resources, protocol-neutral: `container://logs/{container_id}` (recent
 * logs, text) and `container://stats/{container_id}` (one stats snapshot,
 * JSON), the running containers listed as log resources, and completion of
 * container names. Every read goes through the interpreter's tools
 * (docker_container_logs, docker_container_stats, docker_list_containers),
 * so levels, name lists, caps and deadlines apply exactly as for tools.
 *
 * @module
 */

import { BerthError, type ErrorPayload } from "../errors/mod.ts";
import { NAME_OR_ID } from "../guard/formats.ts";
import { redactLine } from "../docker/diagnose/data.ts";
import type { ToolResult } from "../interpreter/mod.ts";
import { depsOn, severalEngines, type UnderstandingDeps } from "./deps.ts";
import { ENGINE_PARAM } from "../interpreter/engines.ts";
import { CONTAINER_ARGUMENTS } from "./prompts.ts";

/** A resource template as listed. */
export interface ResourceTemplate {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

/** A concrete resource as listed. */
export interface ResourceEntry {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

/** The content of a read. */
export interface ResourceContent {
  uri: string;
  mimeType: string;
  text: string;
}

/** Lines of log a logs resource holds. */
export const RESOURCE_LOG_LINES = 100;
/** Completion answers at most this many values (the MCP limit). */
const MAX_COMPLETIONS = 100;

const LOGS = "container://logs/{container_id}";
const STATS = "container://stats/{container_id}";

/** The templates, in the order they are listed. */
export const RESOURCE_TEMPLATES: readonly ResourceTemplate[] = [
  {
    uriTemplate: LOGS,
    name: "container_logs",
    title: "Container logs",
    description:
      `The last ${RESOURCE_LOG_LINES} log lines of a container (stdout and stderr, secrets redacted)`,
    mimeType: "text/plain",
  },
  {
    uriTemplate: STATS,
    name: "container_stats",
    title: "Container resource usage",
    description: "One snapshot of a container's CPU, memory, network, block I/O and PIDs",
    mimeType: "application/json",
  },
];

/** A tool's error result as the error it carries. */
function resultError(result: ToolResult): BerthError {
  const e = result.structured.error as ErrorPayload;
  return new BerthError(e.type, e.message, { hint: e.hint, context: e.context });
}

async function callTool(
  deps: UnderstandingDeps,
  tool: string,
  args: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const result = await deps.interpreter.call(tool, args, { signal });
  if (result.isError) throw resultError(result);
  return result.structured;
}

/** Splits `container://logs/web` into its kind and container; null for other URIs. */
export function parseContainerUri(
  uri: string,
): { kind: "logs" | "stats"; containerId: string } | null {
  const match = /^container:\/\/(logs|stats)\/([^/?#]+)$/.exec(uri);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[2]);
  } catch {
    return null;
  }
  return { kind: match[1] as "logs" | "stats", containerId: id };
}

/** Reads one resource; DKR-002 for a missing or hidden container. */
export async function readResource(
  deps: UnderstandingDeps,
  uri: string,
  signal?: AbortSignal,
): Promise<ResourceContent> {
  const parsed = parseContainerUri(uri);
  if (!parsed) {
    throw new BerthError("invalid_input", `Unknown resource URI '${uri.slice(0, 200)}'`, {
      hint: `Resources are ${LOGS} and ${STATS}`,
    });
  }
  if (!NAME_OR_ID.test(parsed.containerId)) {
    throw new BerthError("invalid_input", "The container in the resource URI is not a name or ID", {
      hint: "Use the name or ID shown by docker_list_containers",
    });
  }
  const args = { container_id: parsed.containerId };
  if (parsed.kind === "stats") {
    const stats = await callTool(deps, "docker_container_stats", args, signal);
    return { uri, mimeType: "application/json", text: JSON.stringify(stats) };
  }
  const logs = await callTool(
    deps,
    "docker_container_logs",
    { ...args, tail: RESOURCE_LOG_LINES },
    signal,
  );
  const text = String(logs.logs ?? "").split("\n").map(redactLine).join("\n");
  return { uri, mimeType: "text/plain", text };
}

interface ListedContainer {
  name: string;
  image?: string;
  status?: string;
}

async function containerNames(
  deps: UnderstandingDeps,
  all: boolean,
  signal?: AbortSignal,
): Promise<ListedContainer[]> {
  const listed = await callTool(deps, "docker_list_containers", { all }, signal);
  return ((listed.containers ?? []) as ListedContainer[])
    .filter((c) => typeof c.name === "string" && deps.policy.containerVisible(c.name));
}

/** Every running, visible container as a logs resource. */
export async function listResources(
  deps: UnderstandingDeps,
  signal?: AbortSignal,
): Promise<ResourceEntry[]> {
  const running = await containerNames(deps, false, signal);
  return running.map((c) => ({
    uri: `container://logs/${encodeURIComponent(c.name)}`,
    name: `logs of ${c.name}`,
    title: `Logs of ${c.name}`,
    description: `Recent logs of ${c.name}${c.image ? ` (${c.image}` : ""}${
      c.status ? `, ${c.status})` : c.image ? ")" : ""
    }`,
    mimeType: "text/plain",
  }));
}

/** What a completion request refers to. */
export type CompletionRef = { type: "ref/prompt"; name: string } | {
  type: "ref/resource";
  uri: string;
};

/** Completion values: at most 100, with the total. */
export interface Completion {
  values: string[];
  total: number;
  hasMore: boolean;
}

/**
 * Completes container names for prompts' container_id and the templates'
 * {container_id}; with several engines, engine names for prompts' engine.
 */
export async function complete(
  deps: UnderstandingDeps,
  ref: CompletionRef,
  argument: { name: string; value: string },
  signal?: AbortSignal,
  context?: Record<string, string>,
): Promise<Completion> {
  const none = { values: [], total: 0, hasMore: false };
  if (argument.name === ENGINE_PARAM && ref.type === "ref/prompt" && severalEngines(deps)) {
    const names = deps.engines!.slots.map((s) => s.name).filter((n) =>
      n.startsWith(argument.value)
    );
    return { values: names, total: names.length, hasMore: false };
  }
  if (argument.name !== "container_id") return none;
  // A prompt's container is completed on the engine its arguments name so far.
  if (ref.type === "ref/prompt") deps = depsOn(deps, context);
  const forPrompt = ref.type === "ref/prompt" && CONTAINER_ARGUMENTS.has(ref.name);
  const forTemplate = ref.type === "ref/resource" && (ref.uri === LOGS || ref.uri === STATS);
  if (!forPrompt && !forTemplate) return none;
  // Stats exist only for running containers; logs and prompts serve stopped ones too.
  const all = !(ref.type === "ref/resource" && ref.uri === STATS);
  const prefix = argument.value.toLowerCase();
  const names = (await containerNames(deps, all, signal))
    .map((c) => c.name)
    .filter((n) => n.toLowerCase().startsWith(prefix))
    .sort();
  return {
    values: names.slice(0, MAX_COMPLETIONS),
    total: names.length,
    hasMore: names.length > MAX_COMPLETIONS,
  };
}
