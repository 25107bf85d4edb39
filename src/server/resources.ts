/**
 * MCP resources and completion: resource templates, the running containers
 * as log resources, reads, and `completion/complete` of container names,
 * adapted from the protocol-neutral src/understanding/.
 *
 * @module
 */

import type { Server } from "@modelcontextprotocol/server";
import {
  complete,
  listResources,
  readResource,
  RESOURCE_TEMPLATES,
  type UnderstandingDeps,
} from "../understanding/mod.ts";
import { protocolError } from "./errors.ts";
import { DASHBOARD_RESOURCE, DASHBOARD_URI, readDashboard, supportsApps } from "./apps/mod.ts";

/**
 * Registers resource and completion handlers (capabilities `resources` and
 * `completions`). `listedTools` names the tools this session lists, which
 * decide the actions the dashboard offers.
 */
export function registerResources(
  server: Server,
  deps: UnderstandingDeps,
  listedTools: () => string[],
): void {
  server.setRequestHandler("resources/templates/list", () => ({
    resourceTemplates: [...RESOURCE_TEMPLATES],
  }));
  server.setRequestHandler("resources/list", async (_request, ctx) => {
    try {
      const resources = await listResources(deps, ctx.mcpReq.signal);
      const apps = supportsApps(server.getClientCapabilities()) ? [DASHBOARD_RESOURCE] : [];
      return { resources: [...apps, ...resources] };
    } catch (error) {
      throw protocolError(error);
    }
  });
  server.setRequestHandler("resources/read", async (request, ctx) => {
    try {
      if (request.params.uri === DASHBOARD_URI) {
        return { contents: [await readDashboard(listedTools())] };
      }
      return { contents: [await readResource(deps, request.params.uri, ctx.mcpReq.signal)] };
    } catch (error) {
      throw protocolError(error);
    }
  });
  server.setRequestHandler("completion/complete", async (request, ctx) => {
    try {
      const { ref, argument, context } = request.params;
      return {
        completion: {
          ...await complete(deps, ref, argument, ctx.mcpReq.signal, context?.arguments),
        },
      };
    } catch (error) {
      throw protocolError(error);
    }
  });
}
