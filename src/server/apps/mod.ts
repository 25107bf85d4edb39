/**
 * MCP Apps (the `io.modelcontextprotocol/ui` extension): berth's dashboard
 * view, offered only to clients that declare the extension, so every other
 * client sees exactly the tools and resources it always did.
 *
 * The view is an HTML resource linked from the tools whose answers it shows.
 * Whatever it does, it does through ordinary tool calls the host forwards, so
 * policy, confirmation, redaction and audit apply as to any call.
 *
 * @module
 */

import { CONFIG_SLOT } from "./dashboard/template.ts";

/** The extension's identifier in client capabilities. */
export const UI_EXTENSION = "io.modelcontextprotocol/ui";
/** The MIME type of an MCP App's HTML resource. */
export const APP_MIME_TYPE = "text/html;profile=mcp-app";
/** The dashboard's resource URI. */
export const DASHBOARD_URI = "ui://berth/dashboard";

/** Tools whose answers the dashboard shows (their tool entries link to it). */
const LINKED_TOOLS = new Set([
  "docker_list_containers",
  "docker_container_stats",
  "docker_compose_ps",
]);

/** Lifecycle actions the view can offer, each the tool `docker_<action>_container`. */
const ACTIONS = ["start", "stop", "restart"] as const;

/** True when a client's capabilities declare MCP Apps with HTML views. */
export function supportsApps(capabilities: unknown): boolean {
  const extensions = (capabilities as { extensions?: Record<string, unknown> } | undefined)
    ?.extensions;
  const ui = extensions?.[UI_EXTENSION] as { mimeTypes?: unknown } | undefined;
  if (!ui || typeof ui !== "object") return false;
  // A client that lists MIME types must list ours; one that lists none takes the default.
  return !Array.isArray(ui.mimeTypes) || ui.mimeTypes.includes(APP_MIME_TYPE);
}

/** A tools/list entry, with the dashboard link added when the tool shows containers. */
export function withAppLink<T extends { name: string }>(tool: T): T {
  if (!LINKED_TOOLS.has(tool.name)) return tool;
  const meta = (tool as { _meta?: Record<string, unknown> })._meta ?? {};
  // `ui/resourceUri` is the extension's older spelling, still read by some hosts.
  return {
    ...tool,
    _meta: { ...meta, ui: { resourceUri: DASHBOARD_URI }, "ui/resourceUri": DASHBOARD_URI },
  };
}

/** The dashboard's entry in resources/list. */
export const DASHBOARD_RESOURCE = {
  uri: DASHBOARD_URI,
  name: "dashboard",
  title: "berth dashboard",
  description: "Live containers by compose project: state, health, CPU and memory, logs, actions",
  mimeType: APP_MIME_TYPE,
} as const;

/** What resources/read answers for the dashboard. */
export interface DashboardContents {
  uri: string;
  mimeType: string;
  text: string;
  _meta: Record<string, unknown>;
}

/**
 * The dashboard page for a session whose listed tools are `listedTools`: it
 * offers exactly the lifecycle actions those tools allow (a read-only server
 * lists none, so the page offers none).
 */
export async function readDashboard(listedTools: Iterable<string>): Promise<DashboardContents> {
  // Loaded on first read: the page is large and most sessions never ask for it.
  const { DASHBOARD_HTML } = await import("./dashboard/bundle.ts");
  const listed = new Set(listedTools);
  const config = {
    actions: ACTIONS.filter((action) => listed.has(`docker_${action}_container`)),
    refreshMs: 2000,
  };
  // `<` escaped so no value can close the data block.
  const json = JSON.stringify(config).replaceAll("<", "\\u003c");
  const block = `<script type="application/json" id="berth-config">${json}</script>`;
  return {
    uri: DASHBOARD_URI,
    mimeType: APP_MIME_TYPE,
    text: DASHBOARD_HTML.replace(CONFIG_SLOT, block),
    _meta: {
      ui: {
        // The view needs no origin at all: every byte it shows comes through tool calls.
        csp: { connectDomains: [], resourceDomains: [] },
        prefersBorder: true,
      },
    },
  };
}
