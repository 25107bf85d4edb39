/**
 * The image step of docker_compose_up: every service gets its image, built
 * (services with `build:`, through the `docker_build_image` tool's handler,
 * when missing or asked to), pulled (through the `docker_pull_image` tool's
 * handler) when missing, or used as it is.
 * An image that exists locally is never pulled unless the call (`pull`) or
 * the service (`pull_policy: always`) asks for it.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import { checkFormat } from "../../guard/formats.ts";
import { buildImage } from "../images/build_image.ts";
import { localImage } from "../../docker/local_image.ts";
import { pullImage } from "../images/pull_image.ts";
import type { StepProgress } from "../../docker/progress/steps.ts";
import type { HandlerContext } from "../../interpreter/contract.ts";
import { serviceImage } from "../../docker/compose/engine_spec.ts";
import type { ProjectModel, ServiceModel } from "../../docker/compose/model.ts";
import { forService, keyError } from "../../docker/compose/syntax.ts";

/** What happened to one service's image. */
export interface ImageOutcome {
  service: string;
  image: string;
  image_id: string;
  action: "present" | "pulled" | "built";
}

/** The local image ID of a reference, or undefined when the engine has no such image. */
export async function localImageId(
  ctx: Pick<HandlerContext, "engine" | "signal">,
  reference: string,
): Promise<string | undefined> {
  return (await localImage<{ Id: string }>(ctx, reference))?.Id;
}

async function build(ctx: HandlerContext, service: ServiceModel, image: string): Promise<string> {
  const b = service.build!;
  const args: Record<string, unknown> = { path: b.context, tag: image };
  if (b.dockerfile) args.dockerfile = b.dockerfile;
  if (Object.keys(b.args).length) args.buildargs = b.args;
  if (Object.keys(b.labels).length) args.labels = b.labels;
  if (b.target) args.target = b.target;
  const result = await buildImage({ ...ctx, args });
  return String(result.structured.image_id);
}

async function pull(ctx: HandlerContext, image: string): Promise<string> {
  const result = await pullImage({ ...ctx, args: { image } });
  return String(result.structured.image_id);
}

/** Decides and performs the image step for one service. */
async function ensureOne(
  ctx: HandlerContext,
  project: ProjectModel,
  service: ServiceModel,
  options: { build: boolean; pull: boolean },
): Promise<ImageOutcome> {
  const image = serviceImage(project.name, service);
  if (!checkFormat("image_ref", image)) {
    throw keyError(`services.${service.name}.image`, `is not an image reference: '${image}'`);
  }
  const outcome = (action: ImageOutcome["action"], image_id: string): ImageOutcome => ({
    service: service.name,
    image,
    image_id,
    action,
  });
  const present = await localImageId(ctx, image);
  const policy = service.pull_policy ?? "missing";
  if (service.build) {
    // A service with build: is built, never pulled (its image may exist nowhere else).
    if (options.build || policy === "build" || !present) {
      return outcome("built", await build(ctx, service, image));
    }
    return outcome("present", present);
  }
  if (policy === "never" && !present) {
    throw new BerthError(
      "image_not_found",
      `Service '${service.name}': image '${image}' is not present locally`,
      {
        hint: "Its pull_policy is never: pull or build the image first",
      },
    );
  }
  if (options.pull || policy === "always" || !present) {
    return outcome("pulled", await pull(ctx, image));
  }
  return outcome("present", present!);
}

/**
 * Ensures the images of the given services, in order; services sharing an
 * image share one pull or build.
 */
export async function ensureImages(
  ctx: HandlerContext,
  project: ProjectModel,
  services: ServiceModel[],
  options: { build: boolean; pull: boolean; steps?: StepProgress },
): Promise<ImageOutcome[]> {
  const done = new Map<string, ImageOutcome>();
  const outcomes: ImageOutcome[] = [];
  // Service i's image is step i of the call's progress; its pull or build reports inside it.
  const { steps } = options;
  for (const [i, service] of services.entries()) {
    const image = serviceImage(project.name, service);
    const earlier = done.get(image);
    if (earlier && !service.build) {
      outcomes.push({ ...earlier, service: service.name, action: "present" });
      steps?.at(i + 1, `${service.name}: image ${image} present`);
      continue;
    }
    const within = steps ? { ...ctx, progress: steps.within(i, `${service.name}: `) } : ctx;
    try {
      const outcome = await ensureOne(within, project, service, options);
      done.set(image, outcome);
      outcomes.push(outcome);
      steps?.at(i + 1, `${service.name}: image ${image} ${outcome.action}`);
    } catch (error) {
      throw forService(service.name, error);
    }
  }
  return outcomes;
}
