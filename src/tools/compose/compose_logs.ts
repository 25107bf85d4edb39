/**
 * `docker_compose_logs`: the newest lines of every service container of a
 * project, read with the same bounded line window as
 * `docker_container_logs` (TTY from `Config.Tty`, byte and line caps),
 * the byte budget shared between the containers.
 *
 * @module
 */

import { bareName } from "../../guard/formats.ts";
import { invalidInput } from "../../errors/mod.ts";
import { compilePatternLoaded, type LineFilter, openLineFilter } from "../../guard/pattern.ts";
import { counted } from "../../guard/formats.ts";
import { readContainerLogs } from "../../docker/log_window.ts";
import { inspectVisibleContainer } from "../../docker/visible_container.ts";
import { MAX_LINE_LENGTH, MAX_LOG_BYTES } from "../containers/container_logs.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";
import { label, projectContainers } from "../../docker/compose/engine_ops.ts";
import { checkProjectName, LABEL } from "../../docker/compose/naming.ts";
import { containerInfo, groupBy } from "../../docker/compose/summary.ts";

/** No container gets less than this share of the byte budget. */
const MIN_SHARE = 4 * 1024;

interface ContainerLogs {
  name: string;
  lines: number;
  truncated: boolean;
  logs: string;
}

async function read(
  ctx: HandlerContext,
  id: string,
  options: { tail: number; timestamps: boolean; maxBytes: number; grep?: LineFilter },
): Promise<ContainerLogs> {
  const info = await inspectVisibleContainer(ctx, id);
  const query = { tail: options.tail, timestamps: options.timestamps };
  const window = await readContainerLogs(ctx, info, query, {
    maxBytes: options.maxBytes,
    maxLines: options.tail,
    maxLineLength: MAX_LINE_LENGTH,
    timestamps: options.timestamps,
    grep: options.grep,
  });
  return {
    name: bareName(info.Name),
    lines: window.lines.length,
    truncated: window.truncated,
    logs: window.lines.join("\n"),
  };
}

/** Reads the logs of a project's services. */
export const composeLogs: Handler = async (ctx) => {
  const name = checkProjectName(ctx.args.project_name);
  const wanted = ctx.args.services as string[] | undefined;
  const tail = ctx.args.tail as number; // the manifest's default applies
  const timestamps = ctx.args.timestamps === true;
  const grep = typeof ctx.args.grep === "string"
    ? await compilePatternLoaded("grep", ctx.args.grep)
    : undefined;
  const containers = (await projectContainers(ctx, name))
    .filter((c) => label(c, LABEL.oneoff) !== "True")
    .map(containerInfo)
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number));
  const known = new Set(containers.map((c) => c.service));
  for (const service of wanted ?? []) {
    if (!known.has(service)) {
      throw invalidInput(
        "services",
        `names '${service}', which has no container in project ${name}`,
        known.size
          ? `Services with containers: ${[...known].join(", ")}`
          : "The project has no containers",
      );
    }
  }
  const chosen = containers.filter((c) => !wanted?.length || wanted.includes(c.service));
  const maxBytes = Math.max(MIN_SHARE, Math.floor(MAX_LOG_BYTES / Math.max(1, chosen.length)));
  // One matcher (one worker) for the whole call, shared by every container.
  const filter = grep ? openLineFilter(grep, ctx.signal) : undefined;
  const read_ = await Promise.all(chosen.map(async (c) => ({
    service: c.service,
    ...(await read(ctx, c.id, { tail, timestamps, maxBytes, grep: filter })),
  }))).finally(() => filter?.close());
  const services = [...groupBy(read_, (r) => r.service).entries()].map(([service, list]) => ({
    name: service,
    containers: list.map(({ service: _s, ...rest }) => rest),
  }));
  const sections = read_.map((r) =>
    `== ${r.service} (${r.name}, ${counted(r.lines, "lines")}${
      r.truncated ? ", truncated" : ""
    }) ==\n${r.logs}`
  );
  return {
    structured: { project_name: name, services },
    text: sections.length
      ? `Logs of compose project ${name}:\n${sections.join("\n")}`
      : `No containers in compose project ${name}`,
  };
};
