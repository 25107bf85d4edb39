/**
 * The dashboard MCP App in a real browser against the real engine: berth is
 * spawned as users run it, a client that declares MCP Apps reads the view,
 * and a host page built on the extension's own AppBridge shows it in
 * headless Chromium (Debian's `chromium`). The view's tool calls go through
 * the host page to berth over MCP, as in Claude Desktop.
 *
 * Screenshots are kept in $BERTH_TESTBED_DIR/artifacts (default
 * /tmp/berth-testbed/artifacts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Browser } from "../helpers/chromium.ts";
import { defer, docker, runContainer, uniqueName, waitFor } from "../helpers/mod.ts";
import { bundleBrowserScript } from "../tools/build_apps.ts";
import { callTool, codeOf, connect, type Session, SPAWN_TEST } from "./_mcp.ts";

const SUITE = "e2e-dashboard";
const UI = "io.modelcontextprotocol/ui";
const APP_MIME = "text/html;profile=mcp-app";
const DASHBOARD = "ui://berth/dashboard";
const APPS_CLIENT = { extensions: { [UI]: { mimeTypes: [APP_MIME] } } };
const ARTIFACTS = `${Deno.env.get("BERTH_TESTBED_DIR") ?? "/tmp/berth-testbed"}/artifacts`;

interface ViewRow {
  name: string;
  state: string;
  actions: string[];
  cpu: string;
}

/** A loopback host page for the view, forwarding its tool calls to `session`; `await using` ends it. */
async function hostPage(session: Session, hostScript: string) {
  const view = await session.client.readResource({ uri: DASHBOARD });
  const html = (view.contents[0] as { text: string }).text;
  const calls: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/view") return new Response(html, { headers: { "content-type": "text/html" } });
    if (path === "/call" && req.method === "POST") {
      const params = await req.json() as { name: string; arguments?: Record<string, unknown> };
      calls.push(params.name);
      return Response.json(await callTool(session, params.name, params.arguments ?? {}));
    }
    const page = `<!doctype html><html><body style="margin:0">` +
      `<script type="module">${hostScript}</script></body></html>`;
    return new Response(page, { headers: { "content-type": "text/html" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    calls,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** The rows the view shows, read from its DOM as a person would see them. */
async function viewRows(browser: Browser): Promise<ViewRow[]> {
  return await browser.evaluateInFrame<ViewRow[]>(
    `[...document.querySelectorAll(".row[data-name]")].map((row) => ({
      name: row.dataset.name,
      state: row.dataset.state,
      actions: [...row.querySelectorAll("button[data-action]")].map((b) => b.dataset.action),
      cpu: row.querySelector(".spark.cpu")?.dataset.points ?? "",
    }))`,
  ).catch(() => []);
}

/**
 * The rest of the MCP Apps protocol, against the SDK's own host side (the
 * view speaks it with its own code, src/server/apps/dashboard/mcp_app.ts):
 * size reports, ping, a tool result and a context change the host pushes,
 * and teardown.
 */
async function hostDrivenProtocol(browser: Browser, pushed: string): Promise<void> {
  // The host sizes its frame from the view's reports: the last one is the page's size.
  await waitFor(
    "the view's size report to match its page",
    async () => {
      const page = await browser.evaluateInFrame<{ width: number; height: number }>(
        `({ width: Math.ceil(innerWidth),
            height: Math.ceil(document.documentElement.getBoundingClientRect().height) })`,
      );
      const sent = await browser.evaluate<unknown>(`sizes.at(-1)`);
      return JSON.stringify(sent) === JSON.stringify(page) && page.height > 100
        ? ""
        : `page ${JSON.stringify(page)}, reported ${JSON.stringify(sent)}`;
    },
    (text) => text === "",
  );
  assert.deepEqual(await browser.evaluate(`bridge.request({ method: "ping" })`), {});

  // A tool result the host pushes is drawn at once (the next refresh redraws
  // the engine's rows, so an observer in the frame notes the pushed row).
  await browser.evaluateInFrame(`{
    const groups = document.getElementById("groups");
    const observer = new MutationObserver(() => {
      if (groups.querySelector('.row[data-name="${pushed}"]')) document.body.dataset.pushed = "seen";
    });
    observer.observe(groups, { childList: true, subtree: true });
  }`);
  await browser.evaluate(`bridge.sendToolResult({ content: [], structuredContent: { containers: [
    { id: "${pushed}", name: "${pushed}", image: "none", state: "exited", status: "",
      health: null, labels: {} }] } })`);
  await waitFor(
    "the pushed tool result's row",
    () => browser.evaluateInFrame<string>(`document.body.dataset.pushed ?? ""`),
    (seen) => seen === "seen",
  );

  // A context change: the host's theme and style variables apply without a reload.
  await browser.evaluate(`bridge.setHostContext({ theme: "dark",
    styles: { variables: { "--color-background-primary": "rgb(1, 2, 3)" } } })`);
  await waitFor(
    "the host's new context",
    () =>
      browser.evaluateInFrame<string>(
        `document.documentElement.dataset.theme + " " + getComputedStyle(document.body).backgroundColor`,
      ),
    (shown) => shown === "dark rgb(1, 2, 3)",
  );
  assert.deepEqual(await browser.evaluate(`bridge.teardownResource({})`), {});
}

/** `docker ps -a` names and states, the ground truth. */
async function engineRows(): Promise<Map<string, string>> {
  const out = await docker("ps", "-a", "--format", "{{.Names}}\t{{.State}}");
  return new Map(
    out.split("\n").filter(Boolean).map((line) => line.split("\t") as [string, string]),
  );
}

async function startedAt(name: string): Promise<string> {
  return await docker("inspect", "-f", "{{.State.StartedAt}}", name);
}

Deno.test({
  name: "dashboard: only a client that declares MCP Apps sees the view's links and resource",
  ...SPAWN_TEST,
  async fn() {
    await using plain = await connect(["--allow", "read"]);
    await using apps = await connect(["--allow", "read"], { capabilities: APPS_CLIENT });
    const plainTools = (await plain.client.listTools()).tools;
    assert.ok(plainTools.every((t) => t._meta === undefined), "no _meta for plain clients");
    const plainResources = (await plain.client.listResources()).resources;
    assert.ok(!plainResources.some((r) => r.uri === DASHBOARD));

    const tools = (await apps.client.listTools()).tools;
    const linked = tools.filter((t) =>
      (t._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri === DASHBOARD
    ).map((t) => t.name).sort();
    assert.deepEqual(linked, [
      "docker_compose_ps",
      "docker_container_stats",
      "docker_list_containers",
    ]);
    // Apart from the link, the entries are the plain client's, byte for byte.
    const strip = (t: Record<string, unknown>) => JSON.stringify({ ...t, _meta: undefined });
    assert.deepEqual(tools.map(strip), plainTools.map(strip));

    const resources = (await apps.client.listResources()).resources;
    const entry = resources.find((r) => r.uri === DASHBOARD);
    assert.equal(entry?.mimeType, APP_MIME);
    const read = await apps.client.readResource({ uri: DASHBOARD });
    const content = read.contents[0] as { mimeType: string; text: string; _meta?: unknown };
    assert.equal(content.mimeType, APP_MIME);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(content.text)?.[1];
    assert.match(csp ?? "", /default-src 'none'/);
    assert.match(csp ?? "", /connect-src 'none'/);
    assert.match(csp ?? "", /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp ?? "", /script-src[^;]*unsafe/);
    assert.deepEqual(content._meta, {
      ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true },
    });
    // A read-only server embeds no action in the page.
    assert.match(content.text, /"actions":\[\]/);
  },
});

Deno.test({
  name:
    "dashboard in headless Chromium: the containers of docker ps -a, a moving CPU sparkline, a restart click that is audited, light and dark",
  ...SPAWN_TEST,
  async fn() {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await Deno.mkdir("/var/log/berth", { recursive: true });
    const audit = `/var/log/berth/${uniqueName("dashboard-audit")}.jsonl`;
    const run = uniqueName("dash");
    const busy = await runContainer(SUITE, {
      name: `${run}-busy`,
      command: ["sh", "-c", "while :; do :; done"],
    });
    const idle = await runContainer(SUITE, {
      name: `${run}-web`,
      args: ["--label", `com.docker.compose.project=${run}`],
      command: ["sh", "-c", "while :; do echo tick; sleep 1; done"],
    });
    const exited = await runContainer(SUITE, { name: `${run}-done`, command: ["true"] });
    await using _cleanup = defer(async () => {
      await Deno.remove(audit).catch(() => {});
      await docker("rm", "-f", busy, idle, exited);
    });
    const hostScript = await bundleBrowserScript(new URL("../browser/host.ts", import.meta.url));
    await using session = await connect(["--allow", "read,lifecycle", "--audit-log", audit], {
      capabilities: APPS_CLIENT,
    });
    await using host = await hostPage(session, hostScript);
    await using browser = await Browser.launch();
    await browser.open(host.url);

    // The same containers and states as docker ps -a (read when both agree).
    await waitFor(
      "the view to match docker ps -a",
      async () => {
        const [rows, engine] = [await viewRows(browser), await engineRows()];
        const shown = new Map(rows.map((row) => [row.name, row.state]));
        const differ = [...new Set([...shown.keys(), ...engine.keys()])]
          .filter((name) => shown.get(name) !== engine.get(name))
          .map((name) => `${name}: view ${shown.get(name)}, engine ${engine.get(name)}`);
        return differ.join("; ");
      },
      (differences) => differences === "",
      30_000,
    );
    const rows = await viewRows(browser);
    const byName = new Map(rows.map((row) => [row.name, row]));
    assert.equal(byName.get(exited)?.state, "exited");
    assert.deepEqual(byName.get(exited)?.actions, ["start"]);
    assert.deepEqual(byName.get(idle)?.actions, ["stop", "restart"]);
    const groups = await browser.evaluateInFrame<string[]>(
      `[...document.querySelectorAll(".group h2")].map((h) => h.textContent)`,
    );
    assert.ok(groups.includes(run), `compose project ${run} has its group: ${groups}`);

    // The busy container's CPU sparkline gains points without a reload.
    const first = await waitFor(
      "a CPU sample",
      async () => (await viewRows(browser)).find((r) => r.name === busy)?.cpu ?? "",
      (p) => p.length > 0,
    );
    const later = await waitFor(
      "the sparkline to move",
      async () => (await viewRows(browser)).find((r) => r.name === busy)?.cpu ?? "",
      (p) => p.split(",").length > first.split(",").length,
      20_000,
    );
    assert.ok(later.split(",").some((v) => Number(v) > 1), `busy container uses CPU: ${later}`);

    // The log panel tails a container through docker_container_logs, filtered by grep.
    await browser.evaluateInFrame(`document.getElementById("grep").value = "tick";
         document.querySelector('.row[data-name="${idle}"] button.name').click()`);
    await waitFor(
      "log lines",
      () => browser.evaluateInFrame<string>(`document.getElementById("log").textContent`),
      (t) => t.includes("tick"),
    );
    await browser.screenshot(`${ARTIFACTS}/dashboard-light.png`);

    // A restart click restarts the container, through the audited tool call.
    const before = await startedAt(idle);
    await browser.evaluateInFrame(
      `document.querySelector('.row[data-name="${idle}"] button[data-action="restart"]').click()`,
    );
    await waitFor("the restart", () => startedAt(idle), (at) => at !== before);
    assert.ok(host.calls.includes("docker_restart_container"));
    // The engine restarts the container before berth answers: the record follows.
    const readAudit = async () =>
      (await Deno.readTextFile(audit)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const records = await waitFor("the audit record", readAudit, (r) => r.length > 0);
    const restart = records.find((r) => r.tool === "docker_restart_container");
    assert.equal(restart?.outcome, "ok", JSON.stringify(records));
    assert.deepEqual(restart?.arguments, { container_id: idle });

    await hostDrivenProtocol(browser, `${run}-pushed`);

    // Dark theme from the host context.
    await browser.open(`${host.url}?theme=dark`);
    await waitFor(
      "rows in the dark view",
      async () => (await viewRows(browser)).length,
      (n) => n > 0,
    );
    const background = await browser.evaluateInFrame<string>(
      `getComputedStyle(document.body).backgroundColor`,
    );
    assert.equal(background, "rgb(13, 17, 23)");
    await browser.screenshot(`${ARTIFACTS}/dashboard-dark.png`);
  },
});

Deno.test({
  name: "dashboard on a read-only server: no action offered, and a restart sent anyway is refused",
  ...SPAWN_TEST,
  async fn() {
    const name = await runContainer(SUITE, { name: uniqueName("dash-ro") });
    await using _cleanup = defer(() => docker("rm", "-f", name));
    const hostScript = await bundleBrowserScript(new URL("../browser/host.ts", import.meta.url));
    await using session = await connect(["--allow", "read"], { capabilities: APPS_CLIENT });
    await using host = await hostPage(session, hostScript);
    await using browser = await Browser.launch();
    await browser.open(host.url);
    const row = await waitFor(
      "the container's row",
      async () => (await viewRows(browser)).find((r) => r.name === name),
      (r) => r !== undefined,
    );
    assert.deepEqual(row?.actions, []);
    const buttons = await browser.evaluateInFrame<number>(
      `document.querySelectorAll("button[data-action]").length`,
    );
    assert.equal(buttons, 0, "no button that would change anything");

    // What a tampered view could send goes through the same policy: refused.
    const before = await startedAt(name);
    const refused = await browser.evaluate<Record<string, unknown>>(
      `fetch("/call", { method: "POST", body: JSON.stringify({
           name: "docker_restart_container", arguments: { container_id: "${name}" } }) })
         .then((r) => r.json())`,
    );
    assert.equal(codeOf(refused as never), "DKR-007");
    assert.equal(await startedAt(name), before, "the container was not restarted");
  },
});
