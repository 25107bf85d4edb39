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

import {
  inputRequired,
  type InputRequiredResult,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { App } from "../app/mod.ts";
import { confirmMessage, needsConfirmation } from "../interpreter/call_guard.ts";

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

/** What a 2026-07-28 call does about confirmation: answer input_required first, or go on. */
export type ConfirmRound =
  | { ask: InputRequiredResult }
  | { confirm?: (message: string) => Promise<boolean> };

/**
 * Confirmation on protocol 2026-07-28, where a server sends no request in the
 * middle of a call: the first round answers `input_required` with the form,
 * and the client's retry carries the answer in `inputResponses.confirm`
 * (multi-round-trip requests). Only an explicit yes lets the call run.
 */
export function confirmRound(
  app: App,
  tool: string,
  args: Record<string, unknown>,
  ctx: ServerContext,
): ConfirmRound {
  const spec = app.allTools.find((t) => t.name === tool);
  if (!spec || !app.config.confirmDestructive || !needsConfirmation(spec)) return {};
  const answer = ctx.mcpReq.inputResponses?.confirm as
    | { action?: string; content?: Record<string, unknown> }
    | undefined;
  if (answer) {
    const yes = isExplicitYes(answer);
    return { confirm: () => Promise.resolve(yes) };
  }
  return {
    ask: inputRequired({
      inputRequests: {
        confirm: inputRequired.elicit({
          mode: "form",
          message: confirmMessage(spec, args),
          requestedSchema: CONFIRM_SCHEMA,
        }),
      },
    }),
  };
}
