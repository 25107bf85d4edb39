/**
 * Manifests: the YAML declarations of every tool, loaded and validated.
 *
 * @module
 */

export * from "./loader.ts";
export * from "./types.ts";
