/**
 * The Docker Engine client: transport, version negotiation, error mapping and
 * stream decoding. Knows nothing of MCP.
 *
 * @module
 */

export * from "./client.ts";
export * from "./docker_host.ts";
export * from "./errors.ts";
export * from "./identity.ts";
export * from "./stats_streams.ts";
export * from "./streams.ts";
