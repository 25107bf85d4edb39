/**
 * `docker_diagnose` with `service_id`: why a service's tasks fail or keep
 * restarting, from the service, its tasks, its logs and its events (the
 * rules are in src/docker/swarm/diagnose.ts).
 *
 * @module
 */

import { system } from "../../engine/ops/mod.ts";
import { list, serviceLogs } from "../../docker/swarm/api.ts";
import { demultiplex, ndjson } from "../../engine/streams.ts";
import { diagnoseService } from "../../docker/swarm/diagnose.ts";
import {
  type Json,
  names,
  opsOf,
  shortImage,
  visibleService,
} from "../../docker/swarm/services.ts";
import { taskRows } from "../../docker/swarm/tasks.ts";
import { counted } from "../../guard/formats.ts";
import { collectLines } from "../../docker/log_window.ts";
import type { HandlerContext, Shaped } from "../../interpreter/contract.ts";
import { frameData } from "../../docker/diagnose/data.ts";
import { bestEffort } from "../../docker/diagnose/evidence.ts";

const TASKS_SHOWN = 10;
const LOG_LINES = 50;
const EVENTS_WINDOW_S = 3600;

async function logs(ctx: HandlerContext, id: string): Promise<string[]> {
  const response = await serviceLogs(opsOf(ctx), id, {
    stdout: true,
    stderr: true,
    tail: String(LOG_LINES),
  });
  if (!response.body) return [];
  const window = await collectLines(demultiplex(response.body), {
    maxBytes: 16 * 1024,
    maxLines: LOG_LINES,
    maxLineLength: 1000,
  });
  return window.lines;
}

async function events(ctx: HandlerContext, id: string) {
  const now = Date.now() / 1000;
  const response = await ctx.engine.request(system.events({
    since: (now - EVENTS_WINDOW_S).toFixed(9),
    until: now.toFixed(9),
    filters: JSON.stringify({ type: ["service"], service: [id] }),
  }, { signal: ctx.signal }));
  if (!response.body) return [];
  const out = [];
  for await (const e of ndjson<Json>(response.body, 64 * 1024)) {
    const attrs = e.Actor?.Attributes ?? {};
    out.push({
      time: new Date(e.timeNano ? e.timeNano / 1e6 : (e.time ?? 0) * 1000).toISOString(),
      action: e.Action ?? "",
      update_state: attrs["updatestate.new"] ?? null,
    });
    if (out.length > 20) out.shift();
  }
  return out;
}

/** Diagnoses one service. */
export async function diagnoseServiceCall(ctx: HandlerContext): Promise<Shaped> {
  const service = await visibleService(ctx, ctx.args.service_id as string);
  const gaps: string[] = [];
  const [tasks, known, lines, evs] = await Promise.all([
    list(opsOf(ctx), "tasks", { service: [service.ID] }),
    names(ctx),
    bestEffort(ctx, "logs", gaps, () => logs(ctx, service.ID)),
    bestEffort(ctx, "events", gaps, () => events(ctx, service.ID)),
  ]);
  const findings = diagnoseService(service, tasks);
  const rows = taskRows(tasks, known.services, known.nodes)
    .sort((a, b) => b.updated.localeCompare(a.updated)).slice(0, TASKS_SHOWN);
  const running =
    tasks.filter((t: Json) => t.DesiredState === "running" && t.Status?.State === "running").length;
  const desired = service.Spec?.Mode?.Replicated?.Replicas ?? null;
  const name = service.Spec?.Name ?? service.ID;
  const image = shortImage(service.Spec?.TaskTemplate?.ContainerSpec?.Image);
  const structured = {
    service: { id: service.ID, name, image },
    status: `${running}/${desired ?? "global"} tasks running`,
    update_status: service.UpdateStatus ?? null,
    tasks: rows,
    last_logs: lines ?? [],
    events: evs ?? [],
    findings,
    ai: {
      used: false,
      via: null,
      model: null,
      synthesis: null,
      reason: "use_ai applies to containers",
    },
  };
  const text = [
    `Diagnosis of service ${name} (${image}): ${structured.status}`,
    "Findings:",
    ...findings.map((f, i) =>
      `${i + 1}. [${f.confidence}] ${f.cause} | Evidence: ${f.evidence} | Fix: ${f.suggested_fix}`
    ),
    ...(gaps.length ? [`Not read: ${gaps.join("; ")}`] : []),
    ...(lines?.length
      ? [
        `Last ${counted(Math.min(lines.length, 15), "log lines")}:`,
        frameData("service logs", lines.slice(-15)),
      ]
      : ["No log output"]),
  ].join("\n");
  return { structured, text };
}
