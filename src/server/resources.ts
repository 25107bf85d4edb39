/**
 * MCP resources and completion: resource templates, the running containers
 * as log resources, reads, and `completion/complete` of container names,
 * adapted from the protocol-neutral src/understanding/.
 *
 * @module
 */

// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/server/index"
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="npm:@modelcontextprotocol/sdk@1.32.2/types"
import {
  CompleteRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
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
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [...RESOURCE_TEMPLATES],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => {
    try {
      const resources = await listResources(deps, extra.signal);
      const apps = supportsApps(server.getClientCapabilities()) ? [DASHBOARD_RESOURCE] : [];
      return { resources: [...apps, ...resources] };
    } catch (error) {
      throw protocolError(error);
    }
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    try {
      if (request.params.uri === DASHBOARD_URI) {
        return { contents: [await readDashboard(listedTools())] };
      }
      return { contents: [await readResource(deps, request.params.uri, extra.signal)] };
    } catch (error) {
      throw protocolError(error, true);
    }
  });
  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    try {
      const { ref, argument } = request.params;
      return { completion: await complete(deps, ref, argument, extra.signal) };
    } catch (error) {
      throw protocolError(error);
    }
  });
}
