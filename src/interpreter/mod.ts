/**
 * The interpreter: manifests become callable tools.
 *
 * @module
 */

export * from "./definition.ts";
export * from "./interpreter.ts";
export * from "./result.ts";
export { HANDLERS } from "../tools/mod.ts";
export { SHAPERS } from "../tools/shapers.ts";
