/**
 * Progress counted in steps (a build's Dockerfile steps, compose up's
 * images and services), held to what MCP asks of progress and what a
 * progress bar needs: every notification's value is larger than the last,
 * the total never changes once sent, and the final notification's value is
 * the total. Work inside a step (a pull during compose up) reports through
 * {@link StepProgress.within}, which maps its own numbers into that step.
 *
 * @module
 */

import type { Progress } from "../../interpreter/contract.ts";

/** Share of a step that nested work without a total moves with each notification. */
const NUDGE = 0.1;

/** A step counter that only sends notifications a progress bar can trust. */
export class StepProgress {
  readonly #report: (p: Progress) => void;
  #total?: number;
  #last = -1;

  /** `total`, when known up front, is sent with every notification. */
  constructor(report: (p: Progress) => void, total?: number) {
    this.#report = report;
    this.#total = total && total > 0 ? total : undefined;
  }

  /** The total sent (fixed from the first time it is known). */
  get total(): number | undefined {
    return this.#total;
  }

  /**
   * `done` steps are complete. `total` is taken only while none is known;
   * a value that would not grow, or would reach the total before
   * {@link finish}, sends nothing.
   */
  at(done: number, message: string, total?: number): void {
    if (this.#total === undefined && total !== undefined && total > done) this.#total = total;
    if (this.#total !== undefined && done >= this.#total) return;
    this.#send(done, message);
  }

  /**
   * A report function for work inside step `step` (from `step` done to
   * `step + 1`): its progress over its own total becomes a share of the
   * step; without a total each notification moves a tenth of what is left.
   */
  within(step: number, prefix = ""): (p: Progress) => void {
    let share = 0;
    return (p) => {
      const own = p.total && p.total > 0 ? Math.min(p.progress / p.total, 1) : undefined;
      share = own !== undefined && own > share ? own : share + (1 - share) * NUDGE;
      // Three decimals: enough for a bar, short on the wire; the step's end is the next step's.
      const value = Math.min(Math.round((step + share) * 1000) / 1000, step + 0.999);
      if (this.#total !== undefined && value >= this.#total) return;
      this.#send(value, `${prefix}${p.message ?? ""}`);
    };
  }

  /** The final notification: its value is the total (the last sent, when none was given). */
  finish(message: string): void {
    const total = this.#total ?? Math.max(this.#last + 1, 1);
    this.#total = total;
    if (total <= this.#last) return;
    this.#send(total, message);
  }

  #send(value: number, message: string): void {
    if (value <= this.#last) return;
    this.#last = value;
    this.#report({ progress: value, total: this.#total, message });
  }
}
