/**
 * MCP sampling as a protocol-neutral {@link Sampler}: when the client
 * declared the `sampling` capability, `docker_diagnose` with `use_ai` asks
 * the client's model through `sampling/createMessage`.
 *
 * @module
 */

import type { Server, ServerContext } from "@modelcontextprotocol/server";
import type { Sampler } from "../interpreter/contract.ts";

/** The text of a sampling result (one content block, or a list of them). */
export function samplingText(content: unknown): string {
  const blocks = (Array.isArray(content) ? content : [content]) as {
    type?: string;
    text?: string;
  }[];
  return blocks.filter((b) => b?.type === "text" && typeof b.text === "string")
    .map((b) => b.text)
    .join("\n");
}

/**
 * A sampler bound to one request (so that transports can route the nested
 * request), or undefined when the client cannot sample.
 */
export function clientSampler(server: Server, ctx: ServerContext): Sampler | undefined {
  if (!server.getClientCapabilities()?.sampling) return undefined;
  return async ({ system, prompt, maxTokens, signal }) => {
    const result = await ctx.mcpReq.requestSampling({
      messages: [{ role: "user", content: { type: "text", text: prompt } }],
      systemPrompt: system,
      maxTokens,
      includeContext: "none",
      modelPreferences: { intelligencePriority: 0.7, speedPriority: 0.5 },
    }, { signal });
    return samplingText(result.content);
  };
}
