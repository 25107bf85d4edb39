/**
 * The policy of levels alone, for tests and embedding.
 *
 * @module
 */

import type { Level } from "../manifest/types.ts";
import type { RefusingList } from "./names.ts";
import type { ExecLimits, Policy } from "./types.ts";

/**
 * A policy from granted levels only: no name lists, no guards. For tests and
 * embedding; berth itself runs with ConfigPolicy (src/policy/config_policy.ts).
 */
export class LevelPolicy implements Policy {
  readonly #levels: ReadonlySet<Level>;
  readonly bypass: boolean;
  readonly filtersContainers = false;
  readonly filtersImages = false;
  readonly requiresContainerName = false;
  readonly allowedImageGlobs: readonly string[] = [];
  readonly allowedContainerGlobs: readonly string[] = [];
  readonly execLimits: ExecLimits | undefined = undefined;
  constructor(levels: Iterable<Level>, bypass = false) {
    this.#levels = new Set(levels);
    this.bypass = bypass;
  }
  allowsLevel(level: Level): boolean {
    return this.bypass || this.#levels.has(level);
  }
  containerVisible(_name: string): boolean {
    return true;
  }
  imageAllowed(_reference: string): boolean {
    return true;
  }
  imageTagsAllowed(_references: readonly string[]): boolean {
    return true;
  }
  imageRefusedBy(_reference: string): RefusingList | undefined {
    return undefined;
  }
  containerNameRefusedBy(_name: string): RefusingList | undefined {
    return undefined;
  }
  checkExecCommand(_argv: string[]): void {}
  checkExecOptions(_body: Record<string, unknown>): void {}
  checkCreateBody(_body: Record<string, unknown>): void {}
  checkVolumeBody(_body: Record<string, unknown>): void {}
  checkHostPath(_path: string, _purpose: "bind" | "copy" | "build"): void {}
}
