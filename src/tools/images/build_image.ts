/**
 * `docker_build_image`: packs a host directory (honouring `.dockerignore`),
 * streams it to `POST /build` for the classic builder, and turns the
 * builder's output into progress ("Step N/M") and a log tail. `remote=`
 * (a daemon-side fetch of a URL) is never mapped (docs/security.md rule 5).
 * The image lists hold for the tag and for every image the Dockerfile pulls
 * in (src/docker/build/bases.ts); compose builds through this handler too.
 *
 * @module
 */

import { images } from "../../engine/ops/mod.ts";
import { BerthError, type ErrorType, invalidInput } from "../../errors/mod.ts";
import { counted, formatBytes } from "../../guard/formats.ts";
import { normalizeHostPath } from "../../policy/host_paths.ts";
import { checkBaseImages } from "../../docker/build/bases.ts";
import {
  checkDockerfile,
  hostError,
  packContext,
  readExcludes,
} from "../../docker/build/context.ts";
import { lineError, progressLines } from "../../docker/progress/layers.ts";
import { StepProgress } from "../../docker/progress/steps.ts";
import {
  assertImageAllowed,
  formatReference,
  isImageId,
  parseReference,
  registryErrorType,
} from "../../docker/registry/references.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";

/** Lines of builder output kept for the result and for errors. */
const TAIL_LINES = 30;
const STEP = /^Step (\d+)\/(\d+) : /;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const INVALID =
  /unknown instruction|parse error|failed to reach build target|target stage|Cannot locate specified Dockerfile|invalid reference format|unknown flag|not a valid repository/i;

/** Builds an image from a context directory on the host. */
export const buildImage: Handler = async (ctx) => {
  const { args } = ctx;
  const tag = normalizeTag(args.tag as string);
  assertImageAllowed(ctx.policy, tag, "tag");
  const root = await contextRoot(ctx, args.path as string);
  const dockerfile = (args.dockerfile as string | undefined) ?? "Dockerfile";
  await checkDockerfile(root, dockerfile);
  const buildargs = stringMap("buildargs", args.buildargs, ARG_NAME);
  const labels = stringMap("labels", args.labels);
  const target = args.target as string | undefined;
  if (target !== undefined && !STAGE_NAME.test(target)) {
    throw invalidInput("target", "must be a stage name (letters, digits, '_', '.', '-')");
  }
  const pinned = await checkBaseImages(ctx, root, dockerfile, buildargs);
  const packed = packContext(root, await readExcludes(root, dockerfile), pinned);
  let response: Response;
  try {
    response = await ctx.engine.request(images.buildImage(
      {
        t: tag,
        dockerfile,
        target,
        buildargs: buildargs && JSON.stringify(buildargs),
        labels: labels && JSON.stringify(labels),
        nocache: args.nocache === true ? true : undefined,
        rm: true,
        forcerm: true, // intermediate containers go even when a step fails
        version: "1", // the classic builder: no BuildKit session to serve
      },
      packed.stream,
      { headers: { "content-type": "application/x-tar" }, signal: ctx.signal },
    ));
  } catch (error) {
    throw packed.failure() ?? error;
  }
  const result = await readBuild(ctx, response, tag);
  const shortId = result.imageId.replace(/^sha256:/, "").slice(0, 12);
  return {
    structured: {
      image_id: result.imageId,
      tags: [tag],
      status: "built",
      log_tail: result.tail.join("\n"),
    },
    text: `Built ${tag} (${shortId}) in ${counted(result.steps, "steps")} from ` +
      `${counted(packed.stats.files, "files")}, ${formatBytes(packed.stats.bytes)}` +
      lastOutput(result.tail),
  };
};

// What the classic builder says of itself on every build: step headers, layer
// IDs, intermediate containers, "Successfully built/tagged", and the pull of a
// missing base image. On success the text leaves it out (log_tail keeps it);
// what the steps printed stays.
const BUILDER_NOISE = new RegExp(
  "^(Step \\d+/\\d+ : | ---> |Removing intermediate container |Successfully (built|tagged) |" +
    "(\\S+: )?(Pulling from |Pulling fs layer|Waiting|Verifying Checksum|Download complete|" +
    "Pull complete|Already exists)|Digest: |Status: )",
);

/** The last lines the build's own steps printed, on lines after the summary; "" when none. */
export function lastOutput(tail: string[], lines = 5): string {
  const output = tail.filter((l) => !BUILDER_NOISE.test(l)).slice(-lines);
  return output.length ? `\nLast output:\n${output.join("\n")}` : "";
}

/** A build tag as the engine stores it: `name:tag` (latest when none). */
function normalizeTag(value: string): string {
  if (isImageId(value)) {
    throw invalidInput("tag", "must be a repository name such as app:1.0, not an ID");
  }
  const ref = parseReference(value);
  if (ref.digest) throw invalidInput("tag", "cannot carry a digest; give name[:tag]");
  return formatReference({ name: ref.name, tag: ref.tag ?? "latest" });
}

/**
 * The context directory, cleared by the policy as given and again once
 * resolved (a symlink on the way may lead somewhere refused).
 */
async function contextRoot(ctx: HandlerContext, path: string): Promise<string> {
  // Judged before berth reads anything: a refused place is refused (DKR-007), never
  // answered with a sandbox error that tells the operator to open it. A relative path
  // can only be judged once resolved.
  if (normalizeHostPath(path) !== undefined) ctx.policy.checkHostPath(path, "build");
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw invalidInput(
        "path",
        `names no directory on the host (${path})`,
        "Give the build context directory's absolute path",
      );
    }
    throw hostError(error, path);
  }
  ctx.policy.checkHostPath(real, "build");
  const info = await Deno.stat(real).catch((error) => {
    throw hostError(error, real);
  });
  if (!info.isDirectory) throw invalidInput("path", "must be a directory (the build context)");
  return real;
}

/** Validates a string → string map (build args, labels) field by field. */
function stringMap(
  field: string,
  value: unknown,
  keyPattern?: RegExp,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!key || (keyPattern && !keyPattern.test(key))) {
      throw invalidInput(`${field}.${key}`, "is not a valid name");
    }
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw invalidInput(`${field}.${key}`, "must be a string");
    }
    out[key] = String(v);
  }
  return out;
}

interface BuildOutcome {
  imageId: string;
  steps: number;
  tail: string[];
}

/** Reads the builder's stream: steps become progress, `aux.ID` the image, `error` a failure. */
async function readBuild(
  ctx: HandlerContext,
  response: Response,
  tag: string,
): Promise<BuildOutcome> {
  const tail: string[] = [];
  let step = "";
  let steps = 0;
  let imageId = "";
  // Progress counts finished steps: "Step 3/8" starting is 2 of 8, the image 8 of 8.
  const progress = new StepProgress(ctx.progress);
  for await (const line of progressLines(response.body, `build ${tag}`)) {
    const failure = lineError(line);
    if (failure) throw buildFailure(failure, step, tail);
    const id = line.aux?.ID;
    if (typeof id === "string") imageId = id;
    // Byte counters of a base-image pull would flood the tail: keep status lines without them.
    const counting = line.progressDetail?.current !== undefined;
    const text = line.stream ?? (line.status && !counting ? line.status : "");
    for (const raw of text.split("\n")) {
      const l = raw.replace(/\r/g, "").trimEnd();
      if (!l) continue;
      tail.push(l);
      if (tail.length > TAIL_LINES) tail.shift();
      const m = STEP.exec(l);
      if (m) {
        step = l;
        steps = Math.max(steps, Number(m[2]));
        progress.at(Number(m[1]) - 1, l.slice(0, 200), Number(m[2]));
      }
    }
  }
  if (!imageId) {
    throw new BerthError("engine_error", "The build ended without an image ID", {
      context: tail.slice(-10).join("\n"),
      hint: "Read the log above; the engine may have stopped the build",
    });
  }
  progress.finish(`Built ${tag}`);
  return { imageId, steps, tail };
}

function buildFailure(message: string, step: string, tail: string[]): BerthError {
  let type: ErrorType = registryErrorType(message) ?? "engine_error";
  if (INVALID.test(message)) type = "invalid_input";
  const where = step ? ` at ${step.slice(0, 300)}` : "";
  const text = message.charAt(0).toUpperCase() + message.slice(1).replace(/\.$/, "");
  return new BerthError(type, `Build failed${where}: ${text}`.replace(/\n/g, " "), {
    context: tail.slice(-15).join("\n"),
    hint: type === "invalid_input"
      ? "Fix the Dockerfile or the parameter the message names (target, dockerfile, tag)"
      : type === "engine_error"
      ? "Fix the failing step shown above (its output is in the context), then build again"
      : undefined,
  });
}
