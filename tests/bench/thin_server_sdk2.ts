/**
 * The same thin MCP server as tests/bench/thin_server.ts on berth's own SDK
 * (@modelcontextprotocol/server 2.x, which also loads zod): a second floor
 * for cold start and memory, so the bench shows what the SDK generation
 * alone costs beside what berth adds. A bench fixture, not a product.
 *
 *   deno run -A tests/bench/thin_server_sdk2.ts
 *
 * @module
 */

import { Server } from "@modelcontextprotocol/server";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";

const NO_PROPERTIES: Record<string, { type: string }> = {};

const http = Deno.createHttpClient({
  proxy: { transport: "unix", path: "/var/run/docker.sock" },
});

const server = new Server({ name: "thin-sdk2", version: "0.0.0" }, {
  capabilities: { tools: {} },
});
server.setRequestHandler("tools/list", () => ({
  tools: [{
    name: "ping",
    description: "Answers the engine's /_ping",
    inputSchema: { type: "object", properties: NO_PROPERTIES },
  }, {
    name: "get",
    description: "Answers the body of GET path on the engine",
    inputSchema: { type: "object", properties: { path: { type: "string" } } },
  }],
}));
server.setRequestHandler("tools/call", async (request) => {
  const path = request.params.name === "get" ? String(request.params.arguments?.path) : "/_ping";
  const response = await fetch(`http://192.0.2.1${path}`, { client: http });
  return { content: [{ type: "text", text: await response.text() }] };
});
await server.connect(new StdioServerTransport());
