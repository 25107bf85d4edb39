/**
 * Deterministic diagnosis: evidence → findings, each with its cause, the
 * evidence that supports it, a fix and a confidence. Pure functions, tested
 * on hand-made evidence. Root causes come before symptoms at equal
 * confidence, and the answer is never empty.
 *
 * @module
 */

import type { Evidence } from "./evidence.ts";
import { exitCodeRule, nothingWrong } from "./exit_rules.ts";
import type { Confidence, Finding } from "./finding.ts";
import { scanLogs } from "./log_patterns.ts";
import { logRules } from "./log_rules.ts";
import { crashLoopRule, healthRule, oomRules, stateErrorRule } from "./state_rules.ts";

export { EXIT_MEANINGS, exitMeaning } from "./exit_rules.ts";
export type { Confidence, Finding } from "./finding.ts";

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** Runs every rule; findings sorted by confidence, root causes first. */
export function diagnose(ev: Evidence): Finding[] {
  const hits = scanLogs(ev.stateError ? [...ev.logs, ev.stateError] : ev.logs);
  const findings = [
    ...oomRules(ev, hits),
    ...stateErrorRule(ev),
    ...healthRule(ev),
    ...logRules(ev, hits),
    ...crashLoopRule(ev),
    ...exitCodeRule(ev, hits),
  ];
  if (findings.length === 0) findings.push(nothingWrong(ev));
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.confidence] - RANK[b.f.confidence] || a.i - b.i)
    .map(({ f }) => f);
}
