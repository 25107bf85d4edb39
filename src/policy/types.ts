/**
 * The policy contract: the questions the interpreter, the tools and the
 * enforcement ask. Its implementations are ConfigPolicy (berth's own,
 * src/policy/config_policy.ts) and LevelPolicy (src/policy/level_policy.ts).
 *
 * @module
 */

import type { Level } from "../manifest/types.ts";
import type { RefusingList } from "./names.ts";

/** The exec handler's output cap and deadline (`exec_safety`). */
export interface ExecLimits {
  maxOutput: number;
  timeoutMs: number;
}

/**
 * The policy questions the interpreter and handlers ask. Every member is
 * required: a policy that lacks a check is a type error, never a check
 * silently skipped.
 */
export interface Policy {
  /** True under --bypass-permissions: every guard is off. */
  readonly bypass: boolean;
  /** True when container name lists are set: references must be resolved before use. */
  readonly filtersContainers: boolean;
  /** True when image lists are set: image IDs must be resolved to their tags. */
  readonly filtersImages: boolean;
  /** True when an allow list exists, so a new container must be given an allowed name. */
  readonly requiresContainerName: boolean;
  /** The allow globs for images, for hints (deny globs are never shown). */
  readonly allowedImageGlobs: readonly string[];
  /** The allow globs for container names, for hints. */
  readonly allowedContainerGlobs: readonly string[];
  /** exec_safety limits the exec handler applies; undefined leaves the handler's defaults. */
  readonly execLimits: ExecLimits | undefined;

  /** True when tools of this level may be listed and called. */
  allowsLevel(level: Level): boolean;
  /**
   * True when a container with this name (no leading '/') may be seen.
   * Hidden containers must look exactly like missing ones (DKR-002).
   */
  containerVisible(name: string): boolean;
  /** True when an image reference may be used (pull, create, run, build tags, tag, push). */
  imageAllowed(reference: string): boolean;
  /** Like imageAllowed, for a resolved image known by all these references (its tags). */
  imageTagsAllowed(references: readonly string[]): boolean;
  /**
   * Which image list refuses a reference, for the refusal's wording: `allow`
   * when an allow list exists and does not cover it, else `deny` when a deny
   * glob matches; undefined when neither refuses it (bypass not consulted).
   */
  imageRefusedBy(reference: string): RefusingList | undefined;
  /** Like imageRefusedBy, for the name of a container to be created. */
  containerNameRefusedBy(name: string): RefusingList | undefined;
  /** Throws DKR-007 naming the rule when an exec command is blocked. */
  checkExecCommand(argv: string[]): void;
  /** Throws DKR-007 when an exec create body asks for dangerous options (Privileged). */
  checkExecOptions(body: Record<string, unknown>): void;
  /** Throws DKR-007 naming the option when a container create body is dangerous. */
  checkCreateBody(body: Record<string, unknown>): void;
  /** Throws DKR-007 when a volume create body points the volume at a sensitive host path. */
  checkVolumeBody(body: Record<string, unknown>): void;
  /** Throws DKR-007 when a host path may not be read (copy source, build context) or bind-mounted. */
  checkHostPath(path: string, purpose: "bind" | "copy" | "build"): void;
}
