/**
 * Confirmation of calls that cannot be undone (remove, prune, kill, system
 * prune, compose down; see call_guard.ts needsConfirmation) through MCP
 * elicitation: a form with one boolean `confirm` field, sent only when the
 * client declared the elicitation capability. Only an explicit accept with `confirm: true` lets the call go
 * on; a decline, a cancel, an error or a timeout refuses it. Nothing secret is
 * ever asked for.
 *
 * @module
 */

import type { Server, ServerContext } from "@modelcontextprotocol/server";

/** The form the user answers. */
export const CONFIRM_SCHEMA = {
  type: "object" as const,
  properties: {
    confirm: {
      type: "boolean" as const,
      title: "Proceed",
      description: "Check to run this call; it cannot be undone",
      default: false,
    },
  },
  required: ["confirm"],
};

/** True when an elicitation result is an explicit yes. */
export function isExplicitYes(
  result: { action?: string; content?: Record<string, unknown> },
): boolean {
  return result.action === "accept" && result.content?.confirm === true;
}

/**
 * A confirmer bound to one request, or undefined when the client cannot
 * answer form elicitations (the call then proceeds without asking).
 */
export function clientConfirm(
  server: Server,
  ctx: ServerContext,
): ((message: string) => Promise<boolean>) | undefined {
  if (!server.getClientCapabilities()?.elicitation?.form) return undefined;
  return async (message) => {
    try {
      // Sent on the request's own stream, so an HTTP client reads it beside the call.
      const result = await ctx.mcpReq.elicitInput(
        { mode: "form", message, requestedSchema: CONFIRM_SCHEMA },
        { signal: ctx.mcpReq.signal },
      );
      return isExplicitYes(result);
    } catch {
      return false; // no answer is not a yes
    }
  };
}
