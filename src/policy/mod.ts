/**
 * Policy: what a session may see and do. Levels decide which tools exist;
 * name lists decide which containers and images exist for berth at all.
 *
 * @module
 */

import type { Level } from "../manifest/types.ts";

export * from "./levels.ts";

/** The policy questions the interpreter asks. */
export interface Policy {
  /** True when tools of this level may be listed and called. */
  allowsLevel(level: Level): boolean;
}

/** A policy from granted levels (bypass grants everything). */
export class LevelPolicy implements Policy {
  readonly #levels: ReadonlySet<Level>;
  readonly #bypass: boolean;
  constructor(levels: Iterable<Level>, bypass = false) {
    this.#levels = new Set(levels);
    this.#bypass = bypass;
  }
  allowsLevel(level: Level): boolean {
    return this.#bypass || this.#levels.has(level);
  }
}
