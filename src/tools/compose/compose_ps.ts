/**
 * `docker_compose_ps`: compose projects and their service containers, found
 * by the `com.docker.compose.*` labels alone (no compose file needed), so
 * projects made by the compose CLI are listed as well as berth's.
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { alignColumns } from "../../guard/formats.ts";
import { label, projectContainers } from "../../docker/compose/engine_ops.ts";
import { checkProjectName, LABEL } from "../../docker/compose/naming.ts";
import {
  type ContainerInfo,
  containerInfo,
  groupBy,
  stateSummary,
} from "../../docker/compose/summary.ts";

/** Lists compose projects (or one) with services, containers and state. */
export const composePs: Handler = async (ctx) => {
  const only = ctx.args.project_name === undefined
    ? undefined
    : checkProjectName(ctx.args.project_name);
  const includeStopped = ctx.args.all !== false;
  const listed = await projectContainers(ctx, only);
  const byProject = groupBy(listed, (c) => label(c, LABEL.project));
  const projects = [...byProject.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(
    ([name, cs]) => {
      const first = cs[0];
      const infos = cs.map((c) => ({
        ...containerInfo(c),
        oneoff: label(c, LABEL.oneoff) === "True",
      }))
        .filter((c) => includeStopped || c.state === "running");
      const services = [...groupBy(infos, (c) => c.service).entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([service, containers]) => ({
          name: service,
          containers: containers.sort((a, b) => a.number - b.number),
        }));
      return {
        name,
        status: stateSummary(cs.map(containerInfo)),
        working_dir: label(first, LABEL.workingDir),
        config_files: label(first, LABEL.configFiles),
        services,
      };
    },
  );
  return { structured: { projects, count: projects.length }, text: text(projects, only) };
};

function text(
  projects: { name: string; status: string; services: { containers: ContainerInfo[] }[] }[],
  only: string | undefined,
): string {
  if (!projects.length) {
    return only ? `No containers for compose project ${only}` : "No compose projects";
  }
  const rows = [["PROJECT", "SERVICE", "NAME", "STATE", "STATUS", "PORTS"]];
  for (const p of projects) {
    for (const s of p.services) {
      for (const c of s.containers) {
        rows.push([p.name, c.service, c.name, c.state, c.status || "-", c.ports.join(",") || "-"]);
      }
    }
  }
  const lines = alignColumns(rows);
  const head = projects.map((p) => `${p.name}: ${p.status}`).join("; ");
  return `${projects.length} compose project${projects.length === 1 ? "" : "s"} (${head})\n${
    lines.join("\n")
  }`;
}
