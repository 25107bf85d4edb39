/**
 * `docker_create_container`: the create body comes from the spec builder
 * (an allowlist of typed fields, docs/security.md rule 3), then the policy
 * decides (image allowed, name allowed, every bind mount source, the whole
 * body) before anything reaches the engine. `start: true` starts it too.
 *
 * Engine answers become the catalogue's errors with hints: image missing
 * locally → DKR-003 (pull it first), name in use → DKR-010, host port taken on
 * start → DKR-006. A container whose start failed is removed again, so that
 * nothing half-made is left behind and a corrected retry does not trip over its
 * name; the error says so, names the container, and tells how to keep one that
 * fails for docker_diagnose (create, then start: that container stays).
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { checkedSpec, createContainer, startCreated } from "./_create.ts";
import { readyDependencies } from "./_depends_on.ts";
import { stateAfter } from "./_lifecycle.ts";
import { containerRun } from "./run_container.ts";

/** Log lines a create with `detach: false` answers (docker_run_container's `tail` default). */
const RUN_TAIL = 100;

/**
 * Creates (and with `start: true` starts) a container. `detach: false` with
 * `start: true` waits for it to exit and answers its exit code and log tail,
 * as docker_run_container with `wait` does. `depends_on` names containers
 * that must exist; stopped ones are started first.
 */
export const containerCreate: Handler = async (ctx) => {
  const start = ctx.args.start === true;
  if (ctx.args.detach === false && !start) {
    throw invalidInput(
      "detach",
      "is false, which waits for the container to exit, but it is not started",
      "Add start: true, or leave detach out",
    );
  }
  const spec = checkedSpec(ctx, ctx.args);
  const needs = (ctx.args.depends_on as string[] | undefined) ?? [];
  const started = await readyDependencies(ctx, needs);
  const startedText = started.length ? `; started ${started.join(", ")} first` : "";
  if (ctx.args.detach === false) {
    // docker_create_container has no `tail`: the log lines of docker_run_container's default.
    const ran = await containerRun({ ...ctx, args: { ...ctx.args, wait: true, tail: RUN_TAIL } });
    return { ...ran, text: `${ran.text}${startedText}` };
  }
  const created = await createContainer(ctx, spec);
  if (start) await startCreated(ctx, created);
  const status = start ? await stateAfter(ctx, created.id) : "created";
  const warnings = created.warnings.length ? `; warnings: ${created.warnings.join("; ")}` : "";
  return {
    structured: {
      container_id: created.id,
      name: created.name,
      warnings: created.warnings,
      status,
    },
    text: `Container ${created.name} (${created.id.slice(0, 12)}) ${
      start ? "created and started" : "created"
    } from ${spec.image}${warnings}${startedText}`,
  };
};
