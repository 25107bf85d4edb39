/**
 * The dashboard page around its bundled script: markup, styles for light and
 * dark themes, and a Content-Security-Policy that lets the page run only its
 * own script (by hash) and reach no network at all.
 *
 * Used by tests/tools/build_apps.ts to write bundle.ts; kept apart from the
 * view so the server never loads browser code.
 *
 * @module
 */

/** Where the server puts the per-session view configuration (see mod.ts). */
export const CONFIG_SLOT = "<!--berth-config-->";

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #5b6575; --line: #d9dde5;
  --accent: #1f6feb; --ok: #1a7f37; --bad: #cf222e; --row: #f6f8fa;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
[data-theme="dark"] { --bg: #0d1117; --fg: #e6edf3; --muted: #8b949e; --line: #30363d;
  --accent: #58a6ff; --ok: #3fb950; --bad: #f85149; --row: #161b22; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --bg: #0d1117;
  --fg: #e6edf3; --muted: #8b949e; --line: #30363d; --accent: #58a6ff; --ok: #3fb950;
  --bad: #f85149; --row: #161b22; } }
body { margin: 0; padding: 12px; background: var(--color-background-primary, var(--bg));
  color: var(--color-text-primary, var(--fg)); }
header { display: flex; gap: 12px; align-items: baseline; }
h1 { font-size: 15px; margin: 0; } h2 { font-size: 13px; color: var(--muted); margin: 12px 0 4px; }
#status, #count { color: var(--muted); }
.row { display: grid; grid-template-columns: minmax(140px, 2fr) 130px minmax(100px, 2fr) 110px 130px 130px;
  gap: 8px; align-items: center; padding: 4px 6px; border-bottom: 1px solid var(--line); }
.row:nth-child(even) { background: var(--row); }
.row.running .state { color: var(--ok); } .row.exited .state, .row.dead .state { color: var(--bad); }
.image { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
button { font: inherit; color: inherit; background: none; border: 1px solid var(--line);
  border-radius: 4px; padding: 1px 8px; cursor: pointer; }
button.name { border: none; padding: 0; color: var(--accent); text-align: left; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
button:disabled { opacity: .5; cursor: default; }
.spark { display: flex; gap: 4px; align-items: center; }
.spark svg { width: 60px; height: 20px; }
.spark polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark small { color: var(--muted); }
.actions { display: flex; gap: 4px; justify-content: flex-end; }
.head { font-size: 11px; color: var(--muted); border-bottom: 1px solid var(--line); }
#groups { max-height: 55vh; overflow: auto; }
#logs { margin-top: 16px; }
#logs header input { flex: 1; font: inherit; color: inherit; background: var(--row);
  border: 1px solid var(--line); border-radius: 4px; padding: 2px 6px; }
pre#log { max-height: 260px; overflow: auto; background: var(--row); border: 1px solid var(--line);
  padding: 8px; margin: 6px 0 0; white-space: pre-wrap; word-break: break-all; }
`;

/** The whole page for a script whose SHA-256 (base64) is `scriptHash`. */
export function pageHtml(script: string, scriptHash: string): string {
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${scriptHash}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>berth dashboard</title>
<style>${STYLE}</style>
${CONFIG_SLOT}
</head>
<body>
<header><h1>Docker containers</h1><span id="count"></span><span id="status"></span></header>
<div class="row head"><span>name</span><span>state</span><span>image</span><span>CPU</span>
<span>memory</span><span></span></div>
<main id="groups"></main>
<section id="logs">
<header><h2 id="log-title">Logs: click a container name</h2>
<input id="grep" placeholder="grep (regex)" aria-label="Filter log lines"></header>
<pre id="log"></pre>
</section>
<script type="module">${script}</script>
</body>
</html>
`;
}
