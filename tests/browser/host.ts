/**
 * A minimal MCP Apps host page for the dashboard test: it embeds the view in
 * a sandboxed iframe and speaks the host side of the extension through the
 * package's own AppBridge. Tool calls from the view go to the test's HTTP
 * endpoint `/call`, which forwards them to a real berth over MCP.
 *
 * Bundled by the test with tests/tools/build_apps.ts; `?theme=dark` picks the theme.
 * The test drives the bridge as `bridge` and reads the view's size reports as
 * `sizes`, both globals of this page.
 *
 * @module
 */

import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

const theme = new URLSearchParams(location.search).get("theme") === "dark" ? "dark" : "light";
document.body.style.background = theme === "dark" ? "#0d1117" : "#ffffff";
const iframe = document.createElement("iframe");
// No allow-same-origin: the view gets an opaque origin, as real hosts give it.
iframe.setAttribute("sandbox", "allow-scripts");
iframe.style.cssText = "width:100%;height:740px;border:0";
document.body.append(iframe);

const bridge = new AppBridge(
  null,
  { name: "berth-test-host", version: "1.0.0" },
  { serverTools: {} },
  { hostContext: { theme } },
);
const sizes: { width?: number; height?: number }[] = [];
bridge.onsizechange = (size) => void sizes.push(size);
Object.assign(globalThis, { bridge, sizes });
bridge.oncalltool = async (params) => {
  const response = await fetch("/call", { method: "POST", body: JSON.stringify(params) });
  return await response.json();
};
await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
iframe.srcdoc = await (await fetch("/view")).text();
