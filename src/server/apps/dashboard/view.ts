/**
 * The dashboard view: browser code, bundled into the `ui://berth/dashboard`
 * HTML resource by `deno task build:apps` (tests/tools/build_apps.ts).
 *
 * It talks only to its host, through the MCP Apps protocol (mcp_app.ts):
 * every figure comes from a berth tool call (`docker_list_containers`,
 * `docker_container_stats`, `docker_container_logs`) and every action is a
 * tool call too, so policy, confirmation, redaction and audit apply exactly
 * as they do to a model's call. The page has no network access of its own (see the CSP in
 * template.ts) and writes engine text with `textContent` only: container
 * names, labels and log lines are untrusted data.
 *
 * @module
 */

import { applyDocumentTheme, applyHostStyleVariables, McpApp } from "./mcp_app.ts";

/** What the server embedded in the page: the lifecycle actions its levels allow. */
interface ViewConfig {
  actions: string[];
  refreshMs: number;
}

/** A container row as docker_list_containers answers it. */
interface ContainerRow {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  health: string | null;
  labels: Record<string, string>;
}

/** A stats row as docker_container_stats answers it. */
interface StatsRow {
  container_id: string;
  name: string;
  cpu_percent: number | null;
  memory_usage_mb: number | null;
  memory_limit_mb: number | null;
}

/** Points kept per sparkline: one minute at the default refresh. */
const HISTORY = 30;
const COMPOSE_PROJECT = "com.docker.compose.project";

const config = readConfig();
const history = new Map<string, { cpu: number[]; mem: number[] }>();
let containers: ContainerRow[] = [];
let logTarget: string | undefined;
let busy = false;

const app = new McpApp({ name: "berth-dashboard", version: "1.0.0" });
app.onhostcontextchanged = (context) => applyContext(context);
app.ontoolresult = (result) => {
  const rows = (result.structuredContent as { containers?: ContainerRow[] } | undefined)
    ?.containers;
  if (Array.isArray(rows)) render(rows);
};
document.getElementById("grep")!.addEventListener("change", () => void loadLogs());
await app.connect();
applyContext(app.getHostContext());
await refresh();
setInterval(() => void refresh(), config.refreshMs);

/** Reads the JSON block the server put in the page. */
function readConfig(): ViewConfig {
  const text = document.getElementById("berth-config")?.textContent ?? "{}";
  const parsed = JSON.parse(text) as Partial<ViewConfig>;
  return { actions: parsed.actions ?? [], refreshMs: parsed.refreshMs ?? 2000 };
}

/** Follows the host's theme and style variables, falling back to the system's. */
function applyContext(context: ReturnType<McpApp["getHostContext"]>): void {
  if (context?.theme) applyDocumentTheme(context.theme);
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
}

/** One round: containers, then stats of the running ones, then the log panel. */
async function refresh(): Promise<void> {
  if (busy) return; // a slow engine must not pile calls up
  busy = true;
  try {
    const list = await call("docker_list_containers", { all: true });
    if (list) render((list.containers ?? []) as ContainerRow[]);
    if (logTarget) await loadLogs();
    // Stats of many containers take longer than the list: the rows show first.
    if (containers.some((row) => row.state === "running")) {
      const stats = await call("docker_container_stats", {});
      for (const row of (stats?.stats ?? []) as StatsRow[]) remember(row);
      if (stats) render(containers);
    }
  } finally {
    busy = false;
  }
}

/** Calls a berth tool; shows its error text in the status line and answers null. */
async function call(
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  try {
    const result = await app.callServerTool({ name, arguments: args });
    const text = result.content?.find((block) => block.type === "text");
    if (result.isError) {
      status(text && "text" in text ? String(text.text) : `${name} failed`);
      return null;
    }
    return (result.structuredContent ?? {}) as Record<string, unknown>;
  } catch (error) {
    status(error instanceof Error ? error.message : String(error));
    return null;
  }
}

/** Adds one sample to a container's sparkline history. */
function remember(row: StatsRow): void {
  if (row.cpu_percent === null || row.memory_usage_mb === null) return;
  const entry = history.get(row.container_id) ?? { cpu: [], mem: [] };
  entry.cpu = [...entry.cpu, row.cpu_percent].slice(-HISTORY);
  entry.mem = [...entry.mem, row.memory_usage_mb].slice(-HISTORY);
  history.set(row.container_id, entry);
}

/** Draws the containers grouped by compose project. */
function render(rows: ContainerRow[]): void {
  containers = rows;
  const root = document.getElementById("groups")!;
  root.replaceChildren(
    ...groupByProject(rows).map(([project, members]) => {
      const section = element("section", { class: "group" });
      section.append(element("h2", {}, project ?? "standalone containers"));
      for (const row of members) section.append(containerRow(row));
      return section;
    }),
  );
  document.getElementById("count")!.textContent = `${rows.length} containers`;
}

/** Compose projects first (by name), then the containers that belong to none. */
function groupByProject(rows: ContainerRow[]): [string | undefined, ContainerRow[]][] {
  const groups = new Map<string | undefined, ContainerRow[]>();
  for (const row of rows) {
    const project = row.labels?.[COMPOSE_PROJECT];
    groups.set(project, [...(groups.get(project) ?? []), row]);
  }
  return [...groups].sort(([a], [b]) =>
    a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a.localeCompare(b)
  );
}

/** One container: state, health, sparklines, actions. */
function containerRow(row: ContainerRow): HTMLElement {
  const div = element("div", {
    class: `row ${row.state}`,
    "data-name": row.name,
    "data-state": row.state,
  });
  const title = element("button", { class: "name", title: "Show logs" }, row.name);
  title.addEventListener("click", () => {
    logTarget = row.name;
    void loadLogs();
  });
  div.append(
    title,
    element("span", { class: "state" }, row.health ? `${row.state} (${row.health})` : row.state),
    element("span", { class: "image" }, row.image),
    sparkline(row, "cpu", "%"),
    sparkline(row, "mem", " MiB"),
    actions(row),
  );
  return div;
}

/** An SVG sparkline of one figure's history, with its latest value. */
function sparkline(row: ContainerRow, figure: "cpu" | "mem", unit: string): HTMLElement {
  const points = history.get(row.id)?.[figure] ?? [];
  const cell = element("span", {
    class: `spark ${figure}`,
    "data-points": points.map((p) => p.toFixed(2)).join(","),
  });
  if (points.length === 0) {
    cell.textContent = "–";
    return cell;
  }
  const max = Math.max(...points, figure === "cpu" ? 1 : 0.001);
  // Few points still span the cell, so a new sample is visible at once.
  const step = 100 / Math.max(points.length - 1, 1);
  const coords = points.map((p, i) => `${i * step},${19 - (p / max) * 17}`);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 100 20");
  svg.setAttribute("preserveAspectRatio", "none");
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", coords.join(" "));
  svg.append(line);
  cell.append(svg, element("small", {}, `${points.at(-1)!.toFixed(1)}${unit}`));
  return cell;
}

/** The lifecycle buttons this server allows for a container in this state. */
function actions(row: ContainerRow): HTMLElement {
  const span = element("span", { class: "actions" });
  const fits: Record<string, boolean> = {
    start: row.state !== "running",
    stop: row.state === "running",
    restart: row.state === "running",
  };
  for (const action of config.actions) {
    if (!fits[action]) continue;
    const button = element("button", { "data-action": action }, action);
    button.addEventListener("click", () => void act(action, row.name, button));
    span.append(button);
  }
  return span;
}

/** Runs an action through the same tool a model would call. */
async function act(action: string, name: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  status(`${action} ${name}…`);
  const result = await call(`docker_${action}_container`, { container_id: name });
  if (result) status(`${action} ${name}: done`);
  await refresh();
}

/** Tails the chosen container, filtered by the grep box. */
async function loadLogs(): Promise<void> {
  if (!logTarget || !containers.some((row) => row.name === logTarget)) return;
  const grep = (document.getElementById("grep") as HTMLInputElement).value.trim();
  const result = await call("docker_container_logs", {
    container_id: logTarget,
    tail: 200,
    ...(grep ? { grep } : {}),
  });
  document.getElementById("log-title")!.textContent = `Logs: ${logTarget}`;
  document.getElementById("log")!.textContent = String(result?.logs ?? "");
}

/** The status line under the header. */
function status(text: string): void {
  document.getElementById("status")!.textContent = text;
}

/** Creates an element with attributes and text (never HTML). */
function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}
