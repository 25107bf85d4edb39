/**
 * MCP prompts: `prompts/list` and `prompts/get` on the low-level server,
 * adapted from the protocol-neutral prompts of src/understanding/.
 *
 * @module
 */

import type { Server } from "@modelcontextprotocol/server";
import { getPrompt, promptDefinitions, type UnderstandingDeps } from "../understanding/mod.ts";
import { protocolError } from "./errors.ts";

/** Registers the prompt handlers (the server must declare the `prompts` capability). */
export function registerPrompts(server: Server, deps: UnderstandingDeps): void {
  server.setRequestHandler("prompts/list", () => ({
    prompts: promptDefinitions(deps).map((p) => ({
      name: p.name,
      title: p.title,
      description: p.description,
      arguments: p.arguments,
    })),
  }));
  server.setRequestHandler("prompts/get", async (request, ctx) => {
    const { name, arguments: args } = request.params;
    try {
      const prompt = await getPrompt(deps, name, args ?? {}, ctx.mcpReq.signal);
      return {
        description: prompt.description,
        messages: [{
          role: "user" as const,
          content: { type: "text" as const, text: prompt.text },
        }],
      };
    } catch (error) {
      throw protocolError(error);
    }
  });
}
