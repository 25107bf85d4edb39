/**
 * The policy berth runs with: levels, container and image name lists, the
 * exec guard, the create guard and host path rules, all from the
 * configuration. `--bypass-permissions` turns every check off.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import type { Level } from "../manifest/types.ts";
import {
  capabilityName,
  checkCreateBody,
  checkVolumeBody,
  type CreateRules,
  field,
} from "./create_guard.ts";
import { ExecGuard } from "./exec_guard.ts";
import { type HostPathPurpose, HostPathRules } from "./host_paths.ts";
import type { ExecLimits, Policy } from "./types.ts";
import {
  bareContainerName,
  imageSpellings,
  type NameGlobs,
  NameList,
  type RefusingList,
  swarmServiceOfContainer,
} from "./names.ts";

/** Dangerous options the operator allows (`permissions.allow_*` keys); all off by default. */
export interface GuardSettings {
  allowPrivileged: boolean;
  allowHostNamespaces: boolean;
  allowedCapabilities: string[];
  allowDevices: boolean;
  allowGpus: boolean;
  allowUnconfined: boolean;
  allowVolumesFrom: boolean;
  /** Published ports on non-loopback addresses (on by default: publishing is everyday use). */
  allowPublicPorts: boolean;
  /** Host paths that bind mounts, copy sources and build contexts must lie in (empty: any not sensitive). */
  allowedHostPaths: string[];
  /** Volume driver options beyond a tmpfs (bind, overlay, nfs …). */
  allowVolumeDriverOpts: boolean;
  /** Volume drivers besides `local`. */
  allowedVolumeDrivers: string[];
}

/** Safe defaults: Baseline, with public ports allowed. */
export const DEFAULT_GUARDS: GuardSettings = {
  allowPrivileged: false,
  allowHostNamespaces: false,
  allowedCapabilities: [],
  allowDevices: false,
  allowGpus: false,
  allowUnconfined: false,
  allowVolumesFrom: false,
  allowPublicPorts: true,
  allowedHostPaths: [],
  allowVolumeDriverOpts: false,
  allowedVolumeDrivers: [],
};

/** What the policy is built from. */
export interface PolicyOptions {
  levels: Iterable<Level>;
  /**
   * The engine's own levels (its config block's `permissions`): never more,
   * not even under bypass, which drops guards but not an engine's ceiling.
   */
  ceiling?: Iterable<Level>;
  bypass?: boolean;
  containers?: NameGlobs;
  images?: NameGlobs;
  blockedCommands?: readonly string[];
  /** Let computed commands through the exec guard (`exec_safety.allow_indirection`). */
  execIndirection?: boolean;
  guards?: Partial<GuardSettings>;
  exec?: ExecLimits;
  /** The user's home, so that bind mounts of it are refused as well. */
  home?: string;
}

/** The full policy. */
export class ConfigPolicy implements Policy {
  readonly #levels: ReadonlySet<Level>;
  readonly #ceiling?: ReadonlySet<Level>;
  readonly #containers: NameList;
  readonly #images: NameList;
  readonly #exec: ExecGuard;
  readonly #rules: CreateRules;
  readonly bypass: boolean;
  readonly execLimits: ExecLimits | undefined;

  constructor(options: PolicyOptions) {
    this.#levels = new Set(options.levels);
    if (options.ceiling) this.#ceiling = new Set(options.ceiling);
    this.bypass = options.bypass ?? false;
    this.#containers = new NameList(options.containers ?? { allow: [], deny: [] });
    this.#images = new NameList(options.images ?? { allow: [], deny: [] });
    this.#exec = new ExecGuard(options.blockedCommands ?? [], {
      allowIndirection: options.execIndirection,
    });
    const guards = { ...DEFAULT_GUARDS, ...options.guards };
    this.#rules = {
      ...guards,
      allowedCapabilities: guards.allowedCapabilities.map(capabilityName),
      hostPaths: new HostPathRules(guards.allowedHostPaths, options.home),
    };
    this.execLimits = options.exec;
  }

  get filtersContainers(): boolean {
    return !this.bypass && this.#containers.active;
  }

  get filtersImages(): boolean {
    return !this.bypass && this.#images.active;
  }

  get requiresContainerName(): boolean {
    return !this.bypass && this.#containers.restrictive;
  }

  get allowedImageGlobs(): readonly string[] {
    return this.#images.allowGlobs;
  }

  get allowedContainerGlobs(): readonly string[] {
    return this.#containers.allowGlobs;
  }

  allowsLevel(level: Level): boolean {
    if (this.#ceiling && !this.#ceiling.has(level)) return false;
    return this.bypass || this.#levels.has(level);
  }

  containerVisible(name: string): boolean {
    if (this.bypass) return true;
    const bare = bareContainerName(name);
    if (!this.#containers.allows([bare])) return false;
    // A swarm task's container is its service's workload: a denied service name
    // (`--deny-containers db`) hides `db.1.<task id>` too, which exec would reach.
    const service = swarmServiceOfContainer(bare);
    return service === undefined || !this.#containers.denies([service]);
  }

  imageAllowed(reference: string): boolean {
    return this.bypass || this.#images.allows(imageSpellings(reference));
  }

  imageRefusedBy(reference: string): RefusingList | undefined {
    return this.#images.refusedBy(imageSpellings(reference));
  }

  /**
   * The name is compared as given, unlike containerVisible's bare name: the
   * names of containers to create are what the refusal has always matched.
   */
  containerNameRefusedBy(name: string): RefusingList | undefined {
    return this.#containers.refusedBy([name]);
  }

  imageTagsAllowed(references: readonly string[]): boolean {
    return this.bypass || this.#images.allows(references.flatMap((r) => imageSpellings(r)));
  }

  checkExecCommand(argv: string[]): void {
    if (!this.bypass) this.#exec.check(argv);
  }

  checkExecOptions(body: Record<string, unknown>): void {
    if (this.bypass || this.#rules.allowPrivileged) return;
    const privileged = field(body, "Privileged");
    if (privileged !== undefined && privileged !== null && privileged !== false) {
      throw new BerthError("denied_by_policy", "Option 'Privileged' is not allowed for exec", {
        hint:
          "The operator can allow it with permissions.allow_privileged: true in the config file",
      });
    }
  }

  checkCreateBody(body: Record<string, unknown>): void {
    if (!this.bypass) checkCreateBody(body, this.#rules);
  }

  checkVolumeBody(body: Record<string, unknown>): void {
    if (!this.bypass) checkVolumeBody(body, this.#rules);
  }

  checkHostPath(path: string, purpose: HostPathPurpose): void {
    if (!this.bypass) this.#rules.hostPaths.check(path, purpose);
  }
}
