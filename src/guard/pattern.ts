/**
 * The one matcher for patterns a client sends (the `grep` of container and
 * compose logs, and any later tool that filters by a regular expression).
 *
 * JavaScript's `RegExp` backtracks: `((a+))+$` against 44 `a` and a `!`
 * runs for minutes, synchronously, so no deadline can fire and every other
 * call waits (docs/security.md, "Patterns"). Client patterns are compiled with
 * RE2 instead (`re2js`, a pure-JavaScript port): matching is linear in the
 * text, whatever the pattern. Linear is not free: the work per character
 * grows with the compiled program (programs are capped at
 * {@link MAX_PATTERN_STEPS} instructions), and a pattern that defeats RE2's
 * DFA still spends a few hundred ms on an 8 KiB line. So lines are matched in
 * a worker thread ({@link openLineFilter}) that the call's deadline
 * terminates: the server's own thread never waits for a pattern.
 *
 * re2js loads on first use (docs/performance.md, "Start fast, stay small"):
 * {@link loadPatternEngine} imports it, and the interpreter awaits it before it
 * validates the arguments of a tool with a `regex` parameter, so that
 * validation and {@link compilePattern} stay synchronous.
 *
 * @module
 */

import type { RE2JS } from "re2js";
import { BerthError, invalidInput } from "../errors/mod.ts";

/** What {@link loadPatternEngine} loads: the RE2 compiler, and the worker's module as a `data:` URL. */
interface Loaded {
  re2: typeof RE2JS;
  workerUrl: string;
}
let loaded: Loaded | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads re2js and the worker's module (about 7 ms and 1.5 MiB that most
 * sessions never need); every call after the first resolves at once.
 * Required before {@link compilePattern}, {@link patternProblem} or
 * {@link openLineFilter}.
 */
export function loadPatternEngine(): Promise<void> {
  return loading ??= Promise.all([import("re2js"), import("./re2_worker.ts")]).then(
    ([module, worker]) => {
      loaded = {
        re2: module.RE2JS,
        // A data: URL needs no read permission on berth's own files (the sandbox grants none),
        // and the script imports nothing: no npm package to resolve in a binary or a bundle.
        workerUrl: `data:text/javascript,${encodeURIComponent(worker.RE2_WORKER_SOURCE)}`,
      };
    },
    (error) => {
      loading = undefined;
      throw error;
    },
  );
}

/** What is loaded; a call before {@link loadPatternEngine} is a bug in berth. */
function patternEngine(): Loaded {
  if (!loaded) throw new Error("re2js is not loaded: await loadPatternEngine() first");
  return loaded;
}

/** Characters of a pattern accepted at most. */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * Instructions of a compiled pattern accepted at most: counted repeats
 * multiply a pattern (`(.*a){1000}` is 5,000 instructions), and the work per
 * character grows with them.
 */
export const MAX_PATTERN_STEPS = 1000;

/** A compiled client pattern. */
export interface Pattern {
  /** The pattern as the client wrote it. */
  readonly source: string;
  /** True when the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

type Compiled = { ok: true; re: RE2JS } | { ok: false; problem: string };

function compile(pattern: string): Compiled {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, problem: `must be at most ${MAX_PATTERN_LENGTH} characters` };
  }
  const compiler = patternEngine().re2;
  let re: RE2JS;
  try {
    // RE2 reads a leading (?i) (and (?i:…), (?s), (?m)) itself.
    re = compiler.compile(pattern);
  } catch (error) {
    // "error parsing regexp: missing closing ): `(`" → "missing closing ): `(`"
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    return {
      ok: false,
      problem: `is not a valid regular expression: ${reason} ` +
        "(RE2 syntax: no lookaround or backreferences; (?i) or (?i:…) ignores case)",
    };
  }
  const steps = re.re2().prog.inst.length;
  if (steps > MAX_PATTERN_STEPS) {
    return {
      ok: false,
      problem: `is too complex: it compiles to ${steps} steps, at most ${MAX_PATTERN_STEPS} ` +
        "(large counted repeats such as {200} multiply the pattern); use a simpler pattern",
    };
  }
  return { ok: true, re };
}

/**
 * What is wrong with a pattern, phrased to follow "Parameter 'x' ";
 * undefined when {@link compilePattern} takes it.
 */
export function patternProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return compiled.ok ? undefined : compiled.problem;
}

/**
 * Compiles a client pattern for linear-time matching, or throws `DKR-004`
 * naming `field` with the reason.
 */
export function compilePattern(field: string, pattern: string): Pattern {
  const compiled = compile(pattern);
  if (!compiled.ok) {
    throw invalidInput(
      field,
      compiled.problem,
      "Send an RE2 regular expression, e.g. 'error|warn'",
    );
  }
  const { re } = compiled;
  return { source: pattern, test: (text) => re.test(text) };
}

/**
 * {@link compilePattern} after loading re2js: what a handler calls, since a
 * user manifest may name the handler for a parameter without `format: regex`
 * (validation then did not load it).
 */
export async function compilePatternLoaded(field: string, pattern: string): Promise<Pattern> {
  await loadPatternEngine();
  return compilePattern(field, pattern);
}

/** Milliseconds of matching between two yields to the event loop. */
const SLICE_MS = 5;

/**
 * Lets a loop of synchronous matching give other calls their turn: `tick()`
 * resolves at once while the slice lasts and after a macrotask otherwise, and
 * throws the signal's reason once it is aborted (the call's deadline).
 */
export class TimeSlicer {
  readonly #signal?: AbortSignal;
  #start = performance.now();

  constructor(signal?: AbortSignal) {
    this.#signal = signal;
  }

  /** Yields when the slice is used up; throws once the signal is aborted. */
  async tick(): Promise<void> {
    this.#signal?.throwIfAborted();
    if (performance.now() - this.#start < SLICE_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#signal?.throwIfAborted();
    this.#start = performance.now();
  }
}

/** Tests lines against one pattern, a batch at a time. */
export interface LineFilter {
  /** The pattern as the client wrote it. */
  readonly source: string;
  /** One boolean per line: true when the pattern matches it. */
  test(lines: readonly string[]): Promise<boolean[]>;
  /** Releases the filter (stops its worker). */
  close(): void;
}

/**
 * Filters on the calling thread, yielding between lines: the fallback where a
 * worker cannot start. One line can still hold the thread for as long as RE2
 * takes on it (up to a few hundred ms for an 8 KiB line and a pattern that
 * defeats RE2's DFA).
 */
export function inThreadFilter(pattern: Pattern, signal?: AbortSignal): LineFilter {
  return {
    source: pattern.source,
    async test(lines) {
      const slicer = new TimeSlicer(signal);
      const out: boolean[] = [];
      for (const line of lines) {
        await slicer.tick();
        out.push(pattern.test(line));
      }
      return out;
    },
    close() {},
  };
}

/**
 * Filters in a worker thread: however long RE2 takes on a line, berth's own
 * thread stays free, and the call's signal (its deadline, a cancel) ends the
 * matching at once by terminating the worker. Batches are answered in order.
 */
export function openLineFilter(
  pattern: Pattern,
  signal?: AbortSignal,
  /** The worker's module; tests pass a broken one (fault injection). */
  moduleUrl: string = patternEngine().workerUrl,
): LineFilter {
  let worker: Worker;
  try {
    worker = new Worker(moduleUrl, { type: "module", name: "berth-pattern" });
  } catch {
    return inThreadFilter(pattern, signal);
  }
  worker.postMessage({ pattern: pattern.source });
  type Batch = { lines: readonly string[]; resolve(v: boolean[]): void; reject(e: unknown): void };
  const waiting: Batch[] = [];
  let answered = false;
  let failure: unknown;
  // Where the worker's module cannot load (a runtime without it), match here instead.
  let local: LineFilter | undefined;
  const fail = (reason: unknown) => {
    failure ??= reason;
    worker.terminate();
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  const onAbort = () => fail(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  worker.onmessage = (event) => {
    answered = true;
    waiting.shift()?.resolve(event.data as boolean[]);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (answered) {
      fail(new BerthError("engine_error", `The pattern matcher failed: ${event.message}`));
      return;
    }
    worker.terminate();
    local = inThreadFilter(pattern, signal);
    for (const w of waiting.splice(0)) local.test(w.lines).then(w.resolve, w.reject);
  };
  return {
    source: pattern.source,
    test(lines) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (failure !== undefined) return Promise.reject(failure);
      if (local) return local.test(lines);
      return new Promise((resolve, reject) => {
        waiting.push({ lines, resolve, reject });
        worker.postMessage({ lines });
      });
    },
    close() {
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
    },
  };
}
