/**
 * `docker_diagnose`: why is this container failing? Evidence from the engine
 * (src/docker/diagnose/evidence.ts) → deterministic findings (rules.ts) →
 * optionally a model's synthesis (_synthesis.ts: MCP sampling or the
 * fallback model) → one structured answer and a compact text.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import { counted } from "../../guard/formats.ts";
import { diagnoseServiceCall } from "./_service.ts";
import type { Handler, Shaped } from "../../interpreter/contract.ts";
import { frameData } from "../../docker/diagnose/data.ts";
import { type Evidence, gatherEvidence } from "../../docker/diagnose/evidence.ts";
import { MB } from "../../docker/diagnose/finding.ts";
import { diagnose, type Finding } from "../../docker/diagnose/rules.ts";
import { type AiOutcome, synthesize } from "./_synthesis.ts";

/** Log lines returned in `last_logs`. */
export const LAST_LOG_LINES = 50;
/** Log lines shown in the text block. */
const TEXT_LOG_LINES = 15;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Diagnoses one container, or one swarm service (`service_id`). */
export const diagnoseContainer: Handler = async (ctx) => {
  const { container_id: container, service_id: service } = ctx.args;
  if ((container === undefined) === (service === undefined)) {
    throw invalidInput("container_id", "or 'service_id' must be given, not both", "Name one");
  }
  if (service !== undefined) return await diagnoseServiceCall(ctx);
  const evidence = await gatherEvidence(ctx, ctx.args.container_id as string);
  const findings = diagnose(evidence);
  const ai: AiOutcome = ctx.args.use_ai === true
    ? await synthesize(ctx, evidence, findings)
    : { used: false, via: null, model: null, synthesis: null, reason: "use_ai was not set" };
  return shape(evidence, findings, ai);
};

/** Memory figures in MiB, for people and models. */
function memoryOf(ev: Evidence) {
  const { limit, usage } = ev.memory;
  return {
    limit_mb: limit ? round1(limit / MB) : null,
    usage_mb: usage === null ? null : round1(usage / MB),
    percent: limit && usage !== null ? round1((usage / limit) * 100) : null,
  };
}

function shape(ev: Evidence, findings: Finding[], ai: AiOutcome): Shaped {
  const memory = memoryOf(ev);
  const structured = {
    container: { id: ev.id, name: ev.name, image: ev.image },
    status: ev.status,
    exit_code: ev.exitCode,
    oom_killed: ev.oomKilled,
    restart_count: ev.restartCount,
    health: ev.health,
    memory,
    last_logs: ev.logs.slice(-LAST_LOG_LINES),
    events: ev.events,
    findings,
    ai,
  };
  return { structured, text: text(ev, memory, findings, ai) };
}

function text(
  ev: Evidence,
  memory: ReturnType<typeof memoryOf>,
  findings: Finding[],
  ai: AiOutcome,
): string {
  const facts = [
    ev.status,
    ev.running && !ev.restarting ? null : `exit ${ev.exitCode ?? "-"}`,
    ev.oomKilled ? "OOM killed" : null,
    `restarts ${ev.restartCount}`,
    ev.health ? `health ${ev.health.status}` : null,
    memory.limit_mb ? `memory ${memory.usage_mb ?? "?"}/${memory.limit_mb} MiB` : "no memory limit",
  ].filter(Boolean).join(", ");
  const lines = [`Diagnosis of ${ev.name} (${ev.image}): ${facts}`, "Findings:"];
  findings.forEach((f, i) => {
    lines.push(
      `${i + 1}. [${f.confidence}] ${f.cause} | Evidence: ${f.evidence} | Fix: ${f.suggested_fix}`,
    );
  });
  if (ai.used) {
    lines.push(`AI synthesis (${ai.via}${ai.model ? ` ${ai.model}` : ""}):`, ai.synthesis!);
  } else if (ai.reason !== "use_ai was not set") lines.push(`AI synthesis not used: ${ai.reason}`);
  if (ev.gaps.length) lines.push(`Not read: ${ev.gaps.join("; ")}`);
  const tail = ev.logs.slice(-TEXT_LOG_LINES);
  if (tail.length) {
    lines.push(`Last ${counted(tail.length, "log lines")}:`, frameData("container logs", tail));
  } else lines.push("No log output");
  return lines.join("\n");
}
