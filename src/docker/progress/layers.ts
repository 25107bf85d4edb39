/**
 * Pull and push progress: the engine reports each layer on its own NDJSON
 * line ("Downloading 1.2MB/4MB"); the client wants one number that only
 * grows. {@link LayerProgress} sums the layers' bytes and sends at most a
 * few notifications a second. Its total, once sent, never changes, and the
 * final notification reaches it: one unit past the layers is kept for the
 * end (the manifest written, the image tagged).
 *
 * @module
 */

import { ndjson } from "../../engine/streams.ts";
import { BerthError, isBerthError } from "../../errors/mod.ts";
import { formatBytes } from "../../guard/formats.ts";
import type { Progress } from "../../interpreter/contract.ts";

/** One line of the engine's progress stream (pull, push, build). */
export interface ProgressLine {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: Record<string, unknown>;
}

interface Layer {
  /** Bytes to transfer (unknown until the engine says). */
  size: number;
  /** Bytes transferred. */
  moved: number;
  /** Bytes extracted (pull only). */
  extracted: number;
  done: boolean;
}

// Statuses after which a layer needs no more transfer (or never needed one).
const TRANSFERRED =
  /^(Download complete|Verifying Checksum|Pushed|Layer already exists|Mounted from)/;
const FINISHED = /^(Pull complete|Already exists|Pushed|Layer already exists|Mounted from)/;

/** "1/3 layers, 2.5 MB/8 MB downloaded": bytes once some size is known, "so far" while sizes arrive. */
function layerSummary(
  t: { done: number; layers: number; moved: number; size: number; sizesKnown: boolean },
  verb: string,
): string {
  const layers = `${t.done}/${t.layers} layers`;
  if (t.size === 0) return `${layers} ${verb}`;
  if (!t.sizesKnown) return `${layers}, ${formatBytes(t.moved)} ${verb} so far`;
  return `${layers}, ${formatBytes(t.moved)}/${formatBytes(t.size)} ${verb}`;
}

/** Sums per-layer bytes of a pull or push into one growing progress value. */
export class LayerProgress {
  readonly #layers = new Map<string, Layer>();
  readonly #report: (p: Progress) => void;
  readonly #verb: string;
  readonly #minIntervalMs: number;
  #last = -1;
  #lastAt = 0;
  /** The total sent, fixed once every layer's size is known. */
  #total?: number;
  /** How many notifications were sent (for tests and benchmarks). */
  sent = 0;

  /** `verb` names the transfer in messages ("downloaded", "pushed"). */
  constructor(report: (p: Progress) => void, verb: string, minIntervalMs = 100) {
    this.#report = report;
    this.#verb = verb;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Takes one line of the stream; may send a notification. */
  update(line: ProgressLine): void {
    const status = line.status ?? "";
    if (line.id && /^[0-9a-f]{12,64}$/.test(line.id)) this.#updateLayer(line.id, status, line);
    else if (status) this.#send(status, status.startsWith("Status:") || status.includes("digest:"));
  }

  #updateLayer(id: string, status: string, line: ProgressLine): void {
    let layer = this.#layers.get(id);
    if (!layer) {
      layer = { size: 0, moved: 0, extracted: 0, done: false };
      this.#layers.set(id, layer);
    }
    const { current, total } = line.progressDetail ?? {};
    if (/^(Downloading|Pushing)/.test(status) && typeof current === "number") {
      if (typeof total === "number" && total > 0) layer.size = total;
      layer.moved = Math.max(layer.moved, current);
    } else if (status.startsWith("Extracting") && typeof current === "number") {
      if (typeof total === "number" && total > layer.size) layer.size = total;
      layer.moved = layer.size;
      layer.extracted = Math.max(layer.extracted, current);
    }
    if (TRANSFERRED.test(status)) layer.moved = layer.size;
    if (FINISHED.test(status)) {
      layer.done = true;
      layer.moved = layer.size;
      layer.extracted = layer.size;
    }
    this.#send(`${id.slice(0, 12)}: ${status}`, FINISHED.test(status));
  }

  /** Totals over all layers seen so far. */
  totals(): {
    layers: number;
    done: number;
    size: number;
    moved: number;
    value: number;
    total: number;
    sizesKnown: boolean;
  } {
    let size = 0, moved = 0, extracted = 0, done = 0, sizesKnown = true;
    for (const layer of this.#layers.values()) {
      size += layer.size;
      moved += Math.min(layer.moved, layer.size || layer.moved);
      extracted += Math.min(layer.extracted, layer.size);
      if (layer.done) done++;
      // The engine gives a layer's size only when its transfer starts.
      else if (layer.size === 0) sizesKnown = false;
    }
    // A pull moves each byte twice (download, then extract); a push once.
    const twice = this.#verb === "downloaded";
    const total = twice ? 2 * size : size;
    const value = twice ? moved + extracted : moved;
    return { layers: this.#layers.size, done, size, moved, value, total, sizesKnown };
  }

  #send(what: string, force: boolean): void {
    const t = this.totals();
    // Layers that need no transfer still count: one unit each, so progress grows.
    let value = t.value + t.done;
    // A total that grows as layer sizes arrive misleads a progress bar; until
    // every size is known there is none, which clients show as indeterminate.
    // The unit past the layers is the finish's.
    if (this.#total === undefined && t.sizesKnown && t.total > 0) {
      this.#total = Math.max(t.total + t.layers, this.#last + 1) + 1;
    }
    // A layer the engine names after the total was sent cannot move it.
    if (this.#total !== undefined) value = Math.min(value, this.#total - 1);
    const now = Date.now();
    if (value <= this.#last) return;
    if (!force && now - this.#lastAt < this.#minIntervalMs) return;
    this.#last = value;
    this.#lastAt = now;
    this.sent++;
    this.#report({
      progress: value,
      total: this.#total,
      message: t.layers ? `${layerSummary(t, this.#verb)} (${what})` : what,
    });
  }

  /** The final notification: everything done; its progress is the total. */
  finish(message: string): void {
    const t = this.totals();
    const value = this.#total ?? Math.max(t.total + t.layers + 1, this.#last + 1);
    this.#last = value;
    this.sent++;
    this.#report({ progress: value, total: value, message });
  }
}

// Terminal control sequences: CSI (colours, cursor moves; ESC [ or the 8-bit
// CSI), OSC (titles, links) up to BEL or ESC \, other escapes (ESC ( B), then
// any C0 control left but tab, newline and carriage return (a lone ESC too).
const TERMINAL_CONTROL =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * Removes terminal control sequences (ANSI colours, cursor moves, titles)
 * that a build step's programs print for a terminal: in a tool result they
 * are noise like `\u001b[91m`.
 */
export function stripTerminalControl(text: string): string {
  return text.replace(TERMINAL_CONTROL, "");
}

/** A progress line with terminal control sequences removed from its text fields. */
function plainLine(line: ProgressLine): ProgressLine {
  const out: ProgressLine = { ...line };
  for (const key of ["status", "progress", "stream", "error"] as const) {
    const text = line[key];
    if (typeof text === "string") out[key] = stripTerminalControl(text);
  }
  const message = line.errorDetail?.message;
  if (typeof message === "string") {
    out.errorDetail = { ...line.errorDetail, message: stripTerminalControl(message) };
  }
  return out;
}

/**
 * Reads a progress stream line by line, without terminal control sequences;
 * a malformed line or a broken connection becomes an engine error rather
 * than a bug.
 */
export async function* progressLines(
  body: ReadableStream<Uint8Array> | null,
  context: string,
): AsyncGenerator<ProgressLine> {
  if (!body) return;
  try {
    for await (const line of ndjson<ProgressLine>(body)) yield plainLine(line);
  } catch (error) {
    if (isBerthError(error) || (error instanceof DOMException && error.name === "AbortError")) {
      throw error;
    }
    throw new BerthError("engine_error", "The engine's progress stream broke off", {
      context: `${context}: ${String((error as Error)?.message ?? error).slice(0, 200)}`,
      hint: "Retry; the engine log may say why it stopped",
      cause: error,
    });
  }
}

/** The message of an `error` line, or undefined for any other line. */
export function lineError(line: ProgressLine): string | undefined {
  const message = line.errorDetail?.message ?? line.error;
  return typeof message === "string" && message ? message : undefined;
}
