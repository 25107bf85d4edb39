/**
 * The tools one MCP session lists. The entries are prepared at the first
 * `tools/list` (and again only when the list changes), so an answer does no
 * work. With
 * `--dynamic-toolsets` the list starts with the read tools and
 * `docker_toolsets`, which enables the other toolsets one at a time, within
 * the levels the operator granted (github-mcp-server's dynamic toolsets).
 *
 * @module
 */

import type { App } from "../app/mod.ts";
import { BerthError } from "../errors/mod.ts";
import {
  type Caller,
  errorResult,
  type ListedTool,
  listedTool,
  type ToolResult,
} from "../interpreter/mod.ts";
import type { ToolSpec } from "../manifest/types.ts";
import { needsSeveralEngines } from "../interpreter/engines.ts";

/** The name of the tool that lists and enables toolsets. */
export const TOOLSETS_TOOL = "docker_toolsets";

/** One toolset as `docker_toolsets` reports it. */
interface ToolsetRow {
  name: string;
  description: string;
  enabled: boolean;
  /** Tools of the set the session lists now. */
  listed: number;
  /** Tools enabling it would add (granted levels only). */
  available: number;
}

/** The listed tools of a session, and what changes them. */
export class ToolList {
  readonly #app: App;
  readonly #dynamic: boolean;
  /** The HTTP caller, whose levels narrow the server's (absent over stdio). */
  readonly #caller?: Caller;
  /** Toolsets enabled by `docker_toolsets` (dynamic mode). */
  readonly #enabled = new Set<string>();
  #listed: Map<string, ToolSpec> = new Map();
  /** Built when first asked for, after every change. */
  #entries: ListedTool[] | undefined;

  constructor(app: App, caller?: Caller) {
    this.#app = app;
    this.#caller = caller;
    this.#dynamic = app.config.dynamicToolsets;
    this.#prepare();
  }

  /** True when the list can change during the session. */
  get dynamic(): boolean {
    return this.#dynamic;
  }

  /** The prepared `tools/list` entries (the same array until the list changes). */
  get entries(): ListedTool[] {
    if (this.#entries) return this.#entries;
    const options = { outputSchemas: this.#app.config.outputSchemas };
    const entries = [...this.#listed.keys()].map((name) =>
      listedTool(this.#app.interpreter.definition(name)!, options)
    );
    this.#entries = this.#dynamic ? [this.#toolsetsEntry(), ...entries] : entries;
    return this.#entries;
  }

  /** True when the session lists this tool. */
  lists(name: string): boolean {
    return this.#listed.has(name);
  }

  /** Names the session lists (for "did you mean"). */
  names(): string[] {
    return [...this.#listed.keys()];
  }

  /**
   * Why a loaded tool this session does not list cannot be called yet, or
   * undefined when the interpreter should decide (a level not granted is its
   * DKR-007, said the same way on every surface).
   */
  notEnabled(name: string): BerthError | undefined {
    const spec = this.#app.allTools.find((t) => t.name === name);
    const engines = this.#app.engines.slots.length;
    if (!spec || this.lists(name) || !this.#granted(spec) || needsSeveralEngines(spec, engines)) {
      return undefined;
    }
    const offered = this.#app.tools.some((t) => t.name === name);
    return new BerthError(
      "denied_by_policy",
      `Tool '${name}' belongs to toolset '${spec.toolset}', which is not enabled`,
      {
        hint: this.#dynamic && offered
          ? `Enable it first: call ${TOOLSETS_TOOL} with {"enable": "${spec.toolset}"}`
          : `Add ${spec.toolset} to --toolsets to enable it`,
      },
    );
  }

  /**
   * Answers a `docker_toolsets` call: the toolsets, and with `enable` the
   * tools that enabling one added. `changed` says the list changed.
   */
  call(args: Record<string, unknown>): { result: ToolResult; changed: boolean } {
    const unknown = Object.keys(args).filter((k) => k !== "enable" && args[k] !== null);
    if (unknown.length) {
      return {
        result: errorResult(
          new BerthError("invalid_input", `Parameter '${unknown[0]}' is not known`, {
            hint: "Known parameters: enable",
          }),
        ),
        changed: false,
      };
    }
    const enable = args.enable ?? undefined;
    if (enable === undefined) return { result: this.#report([]), changed: false };
    const names = this.#app.toolsets.map((t) => t.name);
    if (typeof enable !== "string" || !names.includes(enable)) {
      return {
        result: errorResult(
          new BerthError("invalid_input", `Parameter 'enable' must be one of ${names.join(", ")}`, {
            hint: `Call ${TOOLSETS_TOOL} without parameters to see the toolsets`,
          }),
        ),
        changed: false,
      };
    }
    const before = new Set(this.#listed.keys());
    this.#enabled.add(enable);
    this.#prepare();
    const added = [...this.#listed.keys()].filter((n) => !before.has(n));
    const held = this.#app.allTools.filter((t) =>
      t.toolset === enable && !this.#listed.has(t.name)
    );
    if (!added.length && held.length) {
      const levels = [...new Set(held.map((t) => t.permission))];
      return {
        result: errorResult(
          new BerthError(
            "denied_by_policy",
            `Toolset '${enable}' adds no tool: ${held.map((t) => t.name).join(", ")} need ` +
              `level ${levels.join(", ")}, which the operator did not grant`,
            { hint: `The operator can grant it with --allow ${levels.join(",")}` },
          ),
        ),
        changed: false,
      };
    }
    return { result: this.#report(added, enable), changed: added.length > 0 };
  }

  #report(added: string[], enabled?: string): ToolResult {
    const rows: ToolsetRow[] = this.#app.toolsets.map((set) => {
      const offered = this.#offered().filter((t) => t.toolset === set.name);
      const listed = offered.filter((t) => this.#listed.has(t.name)).length;
      return {
        name: set.name,
        description: set.description,
        enabled: listed > 0 && listed === offered.length,
        listed,
        available: offered.length - listed,
      };
    });
    const lines = rows.map((r) =>
      `${r.name}: ${r.enabled ? "enabled" : `${r.available} more tools`}; ${r.description}`
    );
    if (enabled) {
      lines.unshift(
        added.length ? `Enabled ${enabled}: added ${added.join(", ")}` : `${enabled} was enabled`,
      );
    }
    return {
      text: lines.join("\n"),
      structured: { toolsets: rows, added, ...(enabled ? { enabled } : {}) },
      isError: false,
    };
  }

  /** True when the server (some engine of it) and the caller both grant the tool's level. */
  #granted(spec: ToolSpec): boolean {
    return this.#app.grantsLevel(spec.permission) &&
      this.#caller?.allowsLevel(spec.permission) !== false;
  }

  /** The tools this caller may see at all. */
  #offered(): ToolSpec[] {
    return this.#caller ? this.#app.tools.filter((t) => this.#granted(t)) : this.#app.tools;
  }

  /** Recomputes the listed tools; their entries are prepared when next asked for. */
  #prepare(): void {
    const offered = this.#offered();
    const shown = this.#dynamic
      ? offered.filter((t) => t.permission === "read" || this.#enabled.has(t.toolset))
      : offered;
    this.#listed = new Map(shown.map((t) => [t.name, t]));
    // Built by the first `entries` after this: building them here, in the
    // constructor, put 15–25 ms of schema work before the initialize answer.
    this.#entries = undefined;
  }

  /** The `tools/list` entry of `docker_toolsets`. */
  #toolsetsEntry(): ListedTool {
    const entry: ListedTool = {
      name: TOOLSETS_TOOL,
      description: "List the toolsets, or enable one to add its tools to this session's list.",
      inputSchema: {
        type: "object",
        properties: {
          enable: {
            type: "string",
            enum: this.#app.toolsets.map((t) => t.name),
            description: "Toolset to enable",
          },
        },
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true },
    };
    if (!this.#app.config.outputSchemas) return entry;
    return {
      ...entry,
      title: "Toolsets",
      outputSchema: {
        type: "object",
        properties: {
          toolsets: { type: "array" },
          added: { type: "array" },
          enabled: { type: "string" },
        },
      },
    };
  }
}
