/**
 * The numbers behind `GET /metrics`, in the Prometheus text format (0.0.4):
 * calls by tool and outcome, call latency by tool, engine request latency,
 * the breaker state and the sessions open.
 *
 * @module
 */

/** Histogram buckets in seconds: engine requests and tool calls both fit. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) this.counts[i]++;
  }

  lines(name: string, labels: string): string[] {
    const sep = labels ? "," : "";
    return [
      ...BUCKETS.map((le, i) => `${name}_bucket{${labels}${sep}le="${le}"} ${this.counts[i]}`),
      `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`,
      `${name}_sum{${labels}} ${this.sum}`,
      `${name}_count{${labels}} ${this.count}`,
    ];
  }
}

/** A label value escaped as the format requires. */
function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** What the gauges read at scrape time. */
export interface Gauges {
  breakerOpen: () => boolean;
  sessions: () => number;
  callsInFlight: () => number;
}

/** Counters and histograms, fed by the app's hooks. */
export class Metrics {
  readonly #calls = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #engine = new Histogram();
  #rejected = new Map<string, number>();

  /** A tool call ended (the app's onCallDone hook). */
  callDone(tool: string, ms: number, outcome: string): void {
    const key = `tool="${label(tool)}",outcome="${label(outcome)}"`;
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    let histogram = this.#latency.get(tool);
    if (!histogram) this.#latency.set(tool, histogram = new Histogram());
    histogram.observe(ms / 1000);
  }

  /** An engine request got its answer. */
  engineRequest(ms: number): void {
    this.#engine.observe(ms / 1000);
  }

  /** The HTTP layer refused a request (401, 403, 413, 429...). */
  rejected(status: number): void {
    const key = String(status);
    this.#rejected.set(key, (this.#rejected.get(key) ?? 0) + 1);
  }

  /** The exposition text. */
  render(gauges: Gauges): string {
    const out: string[] = [
      "# HELP berth_tool_calls_total Tool calls by tool and outcome (ok, running, abandoned or DKR code).",
      "# TYPE berth_tool_calls_total counter",
      ...[...this.#calls].map(([labels, n]) => `berth_tool_calls_total{${labels}} ${n}`),
      "# HELP berth_tool_call_duration_seconds Tool call latency by tool.",
      "# TYPE berth_tool_call_duration_seconds histogram",
      ...[...this.#latency].flatMap(([tool, h]) =>
        h.lines("berth_tool_call_duration_seconds", `tool="${label(tool)}"`)
      ),
      "# HELP berth_engine_request_duration_seconds Engine API request latency.",
      "# TYPE berth_engine_request_duration_seconds histogram",
      ...this.#engine.lines("berth_engine_request_duration_seconds", ""),
      "# HELP berth_http_rejected_total HTTP requests refused before MCP, by status.",
      "# TYPE berth_http_rejected_total counter",
      ...[...this.#rejected].map(([s, n]) => `berth_http_rejected_total{status="${s}"} ${n}`),
      "# HELP berth_breaker_open 1 while the engine circuit breaker is open.",
      "# TYPE berth_breaker_open gauge",
      `berth_breaker_open ${gauges.breakerOpen() ? 1 : 0}`,
      "# HELP berth_sessions_open MCP sessions open (2025-era clients).",
      "# TYPE berth_sessions_open gauge",
      `berth_sessions_open ${gauges.sessions()}`,
      "# HELP berth_tool_calls_in_flight Tool calls running now over HTTP.",
      "# TYPE berth_tool_calls_in_flight gauge",
      `berth_tool_calls_in_flight ${gauges.callsInFlight()}`,
    ];
    return out.join("\n") + "\n";
  }
}
