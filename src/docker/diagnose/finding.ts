/**
 * The shape of a finding and the helpers rules share to phrase evidence.
 *
 * @module
 */

/** How sure a finding is. */
export type Confidence = "high" | "medium" | "low";

/** One explanation of what is wrong (or that nothing is). */
export interface Finding {
  /** A stable identifier of the rule that produced it. */
  rule: string;
  cause: string;
  evidence: string;
  suggested_fix: string;
  confidence: Confidence;
}

/** Bytes in a MiB, the unit of berth's memory figures. */
export const MB = 1024 * 1024;

/** Quotes a log line as evidence, cut to a readable length. */
export function quote(line: string): string {
  const cut = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  return JSON.stringify(cut);
}

/** Bytes as MiB with one decimal. */
export function mb(bytes: number): string {
  return `${Math.round((bytes / MB) * 10) / 10} MiB`;
}
