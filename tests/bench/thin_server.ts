/**
 * The floor for cold start, memory and the transport: the thinnest MCP
 * server on the same Deno, on the SDK most servers are written with
 * (@modelcontextprotocol/sdk 1.x, its `Server` over stdio; berth's own SDK 2.x
 * is tests/bench/thin_server_sdk2.ts), with two tools: `ping` answers the engine's `/_ping`, `get` answers
 * the body of `GET path` on the engine as text (the same request the bench
 * sends raw, so the gap between the two is what stdio and the SDK cost).
 * Both go through a unix-socket fetch client. `deno task bench` starts it
 * beside berth; it is a bench fixture, not a product.
 *
 *   deno run -A tests/bench/thin_server.ts
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/index"
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const http = Deno.createHttpClient({
  proxy: { transport: "unix", path: "/var/run/docker.sock" },
});

const server = new Server({ name: "thin", version: "0.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [{
    name: "ping",
    description: "Answers the engine's /_ping",
    inputSchema: { type: "object", properties: {} },
  }, {
    name: "get",
    description: "Answers the body of GET path on the engine",
    inputSchema: { type: "object", properties: { path: { type: "string" } } },
  }],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const path = request.params.name === "get" ? String(request.params.arguments?.path) : "/_ping";
  const response = await fetch(`http://192.0.2.1${path}`, { client: http });
  return { content: [{ type: "text", text: await response.text() }] };
});
await server.connect(new StdioServerTransport());
