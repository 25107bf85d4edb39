/**
 * The images a Dockerfile pulls into a build, so that the image lists hold
 * for them as they hold for the tags a build makes: every `FROM` (after the
 * engine's ARG substitution; `scratch` and earlier stages are not images) and
 * every `COPY --from=` that names an image rather than an earlier stage.
 * `ONBUILD COPY --from=` counts too: the trigger runs in a later build, where
 * no stage of this file is in scope, so its source is taken as an image; and a
 * base image's own triggers are read by {@link triggerImages}.
 *
 * A reference berth cannot work out exactly as the engine would is reported
 * with a `problem` and refused by the caller, never guessed.
 *
 * @module
 */

import { isImageId, parseImageReference } from "../../policy/names.ts";
import {
  expandWord,
  extractFlags,
  type Instruction,
  instructions,
  splitWords,
  Unresolved,
  type Variable,
} from "./dockerfile.ts";

/** One image a build uses, or why berth cannot tell which image it is. */
export interface ImageUse {
  /** 1-based line of the instruction in the Dockerfile. */
  line: number;
  /** The instruction as written (continuations joined), for messages. */
  instruction: string;
  /** The image reference the engine will use. */
  ref?: string;
  /** Set instead of `ref` when the reference cannot be resolved. */
  problem?: string;
  /**
   * For a base image (`FROM`): the stages finished before it, in whose scope
   * the image's ONBUILD triggers run (see {@link triggerImages}).
   */
  stages?: string[];
}

/** Where the walk through a Dockerfile stands. */
interface Scan {
  escape: string;
  /** Global ARGs (declared before the first FROM) with their values. */
  vars: Map<string, Variable>;
  /** Build args of the call: they override the defaults of declared ARGs. */
  buildArgs: Readonly<Record<string, string>>;
  /** Names (lower case; "" when unnamed) of the stages finished so far, in order. */
  done: string[];
  /** The name of the stage being read; undefined before the first FROM. */
  current?: string;
  uses: ImageUse[];
}

/**
 * The images a Dockerfile uses. `buildArgs` are the call's build args
 * (`buildargs` of docker_build_image, `build.args` of compose).
 */
export function dockerfileImages(
  source: string,
  buildArgs: Readonly<Record<string, string>> = {},
): ImageUse[] {
  const { escape, list } = instructions(source);
  const scan: Scan = { escape, vars: new Map(), buildArgs, done: [], uses: [] };
  for (const ins of list) {
    if (ins.keyword === "arg" && scan.current === undefined) declareArgs(scan, ins.rest);
    else if (ins.keyword === "from") from(scan, ins);
    else if (ins.keyword === "copy" && scan.current !== undefined) copyFrom(scan, ins);
    else if (ins.keyword === "onbuild") onbuild(scan, ins);
  }
  return scan.uses;
}

/**
 * The images a base image's ONBUILD triggers pull in when a stage starts from
 * it (`Config.OnBuild` of the image), with `stages` in scope as they are
 * there. `FROM` is not allowed as a trigger, so `COPY --from=` is all there is.
 */
export function triggerImages(triggers: readonly string[], stages: readonly string[]): ImageUse[] {
  const scan: Scan = {
    escape: "\\",
    vars: new Map(),
    buildArgs: {},
    done: [...stages],
    current: "",
    uses: [],
  };
  for (const trigger of triggers) {
    for (const ins of instructions(trigger).list) {
      if (ins.keyword === "copy") copyFrom(scan, ins);
    }
  }
  return scan.uses;
}

/**
 * `ONBUILD COPY --from=x`: x is read in a later build, with none of this
 * file's stages; the use names the ONBUILD line.
 */
function onbuild(scan: Scan, ins: Instruction): void {
  for (const use of triggerImages([ins.rest], [])) {
    scan.uses.push({ ...use, line: ins.line, instruction: ins.text.slice(0, 200) });
  }
}

/** `ARG A B=1 C="x"` before the first FROM: the meta args FROM lines may use. */
function declareArgs(scan: Scan, rest: string): void {
  for (const word of splitWords(rest, scan.escape)) {
    const eq = word.indexOf("=");
    const name = eq < 0 ? word : word.slice(0, eq);
    const given = scan.buildArgs[name];
    if (given !== undefined) {
      scan.vars.set(name, { value: given });
    } else if (eq < 0) {
      scan.vars.set(name, {});
    } else {
      // A default is expanded against the ARGs declared above it.
      try {
        scan.vars.set(name, { value: expandWord(word.slice(eq + 1), scan.vars, scan.escape) });
      } catch (error) {
        if (!(error instanceof Unresolved)) throw error;
        scan.vars.set(name, { problem: `has a default berth cannot resolve: ${error.message}` });
      }
    }
  }
}

/** `FROM [--platform=…] image [AS name]`. */
function from(scan: Scan, ins: Instruction): void {
  if (scan.current !== undefined) scan.done.push(scan.current);
  const use: ImageUse = {
    line: ins.line,
    instruction: ins.text.slice(0, 200),
    stages: [...scan.done],
  };
  let args: string[] = [];
  try {
    // The engine reads flags byte by byte; an image reference is ASCII anyway.
    if ([...ins.rest].some((c) => c > "\x7f")) {
      throw new Unresolved("it holds non-ASCII characters");
    }
    args = extractFlags(ins.rest).rest.trim().split(/[\t\v\f\r\n ]+/).filter(Boolean);
    const name = expandWord(args[0] ?? "", scan.vars, scan.escape);
    // Stages are looked up by the expanded name, ignoring case; scratch is no image.
    if (name !== "scratch" && !isStage(scan, name)) {
      use.ref = checkedReference(name);
      scan.uses.push(use);
    }
  } catch (error) {
    if (!(error instanceof Unresolved)) throw error;
    use.problem = error.message;
    scan.uses.push(use);
  }
  const named = args.length === 3 && args[1].toLowerCase() === "as";
  scan.current = named ? args[2].toLowerCase() : "";
}

/** True when a name is a finished stage (the engine's lookup ignores case). */
function isStage(scan: Scan, name: string): boolean {
  return name !== "" && scan.done.includes(name.toLowerCase());
}

/** `COPY --from=<stage, stage index or image>`: an image is pulled like a base image. */
function copyFrom(scan: Scan, ins: Instruction): void {
  let flags: string[];
  try {
    flags = extractFlags(ins.rest).flags;
  } catch (error) {
    if (!(error instanceof Unresolved)) throw error;
    scan.uses.push({ line: ins.line, instruction: ins.text.slice(0, 200), problem: error.message });
    return;
  }
  for (const flag of flags) {
    const m = /^--from=(.*)$/is.exec(flag);
    if (!m) continue;
    const value = m[1];
    // A finished stage by name or index; the stage being read is not one yet, so the
    // engine takes its name for an image.
    const index = /^[0-9]+$/.test(value) ? Number(value) : -1;
    if ((index >= 0 && index < scan.done.length) || isStage(scan, value)) continue;
    const use: ImageUse = { line: ins.line, instruction: ins.text.slice(0, 200) };
    try {
      // Whether and how the engine expands variables here depends on its version: do not guess.
      if (/[$"'\\`]/.test(value)) throw new Unresolved("it uses a variable or quotes");
      use.ref = checkedReference(value);
    } catch (error) {
      if (!(error instanceof Unresolved)) throw error;
      use.problem = error.message;
    }
    scan.uses.push(use);
  }
}

/** The reference, when it is one (a name or an image ID); otherwise Unresolved. */
function checkedReference(name: string): string {
  if (!name) throw new Unresolved("the image name is empty after ARG substitution");
  if (!isImageId(name) && !parseImageReference(name)) {
    throw new Unresolved(`'${name.slice(0, 100)}' is not an image reference`);
  }
  return name;
}
