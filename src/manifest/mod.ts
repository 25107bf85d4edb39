/**
 * Manifests: the YAML declarations of every tool, loaded and validated.
 *
 * @module
 */

export * from "./expr.ts";
export * from "./loader.ts";
export * from "./output_check.ts";
export * from "./types.ts";
