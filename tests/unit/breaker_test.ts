/**
 * The circuit breaker with an injected clock and probe: opens after N
 * counted failures in the window, refuses with DKR-009 and the time left,
 * runs one probe after the cooldown, and counts only transport failures and
 * timeouts of the health classes.
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import {
  type Admitted,
  type BreakerChange,
  CircuitBreaker,
  countsAsEngineFailure,
  formatLeft,
  type Refused,
} from "../../src/guard/breaker.ts";

class Clock {
  t = 1_000_000;
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

function breaker(
  clock: Clock,
  probe: (s: AbortSignal) => Promise<boolean> = () => Promise.resolve(true),
) {
  return new CircuitBreaker({
    failures: 3,
    windowMs: 60_000,
    cooldownMs: 300_000,
    probe,
    now: clock.now,
  });
}

async function admitted(b: CircuitBreaker): Promise<number> {
  const a = await b.admit();
  assert(a.ok, `expected the call to be let through, got ${(a as Refused).error?.message}`);
  return (a as Admitted).ticket;
}

async function refused(b: CircuitBreaker): Promise<BerthError> {
  const a = await b.admit();
  assert(!a.ok, "expected DKR-009");
  return (a as Refused).error;
}

Deno.test("breaker: opens after 3 failures within the window and refuses with DKR-009 and the time left", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  for (let i = 0; i < 3; i++) {
    b.record(await admitted(b), true, "DKR-008 The engine did not answer");
  }
  assert.equal(b.state, "open");
  clock.advance(48_000);
  const error = await refused(b);
  assert.equal(error.code, "DKR-009");
  assert.equal(error.type, "circuit_open");
  assert.match(error.message, /failed 3 times within 1m; berth probes the engine again in 4m 12s/);
  assert.match(error.context ?? "", /Last failure: DKR-008/);
  assert.match(error.hint, /Retry after 4m 12s/);
});

Deno.test("breaker: failures spread wider than the window never open it", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  for (let i = 0; i < 10; i++) {
    b.record(await admitted(b), true);
    clock.advance(31_000); // at most two failures fall within any 60 s
  }
  assert.equal(b.state, "closed");
});

Deno.test("breaker: successes and non-counted outcomes never open it", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  for (let i = 0; i < 20; i++) b.record(await admitted(b), false);
  assert.equal(b.state, "closed");
});

Deno.test("breaker: after the cooldown one probe closes it when the engine answers", async () => {
  const clock = new Clock();
  let probes = 0;
  const b = breaker(clock, () => {
    probes++;
    return Promise.resolve(true);
  });
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(299_999);
  await refused(b);
  assert.equal(probes, 0, "no probe before the cooldown ends");
  clock.advance(1);
  await admitted(b);
  assert.equal(probes, 1);
  assert.equal(b.state, "closed");
  await admitted(b);
  assert.equal(probes, 1, "a closed breaker does not probe");
});

Deno.test("breaker: a failed probe reopens it for a full cooldown", async () => {
  const clock = new Clock();
  const b = breaker(clock, () => Promise.resolve(false));
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(300_000);
  const error = await refused(b);
  assert.match(error.message, /again in 5m 0s/);
  assert.match(error.context ?? "", /probe/);
  clock.advance(299_000);
  await refused(b);
});

Deno.test("breaker: onChange tells the log when it opens, stays open after a failed probe, and closes", async () => {
  const clock = new Clock();
  const changes: BreakerChange[] = [];
  let healthy = false;
  const b = new CircuitBreaker({
    failures: 3,
    windowMs: 60_000,
    cooldownMs: 300_000,
    probe: () => Promise.resolve(healthy),
    now: clock.now,
    onChange: (change) => changes.push(change),
  });
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true, "DKR-001 Cannot reach");
  assert.equal(changes.length, 1, "told once, when it opened");
  assert.equal(changes[0].state, "open");
  assert.match(changes[0].reason, /3 failures within 1m \(last: DKR-001 Cannot reach\)/);
  clock.advance(300_000);
  await refused(b);
  assert.equal(changes[1].state, "open");
  assert.match(changes[1].reason, /probe .* failed/);
  clock.advance(300_000);
  healthy = true;
  await admitted(b);
  assert.deepEqual(changes.map((c) => c.state), ["open", "open", "closed"]);
});

Deno.test("breaker: a probe that throws or hangs counts as failed", async () => {
  const clock = new Clock();
  const b = new CircuitBreaker({
    failures: 1,
    windowMs: 60_000,
    cooldownMs: 1_000,
    probeTimeoutMs: 50,
    now: clock.now,
    probe: (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error("aborted")))
      ),
  });
  b.record(await admitted(b), true);
  clock.advance(1_000);
  await refused(b);
  assert.equal(b.state, "open");
});

Deno.test("breaker: only one probe in flight; other calls get DKR-009 meanwhile", async () => {
  const clock = new Clock();
  let release!: (ok: boolean) => void;
  let probes = 0;
  const b = breaker(clock, () => {
    probes++;
    return new Promise<boolean>((resolve) => (release = resolve));
  });
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(300_000);
  const first = b.admit();
  assert.equal(b.state, "probing");
  const others = await Promise.all([b.admit(), b.admit(), b.admit()]);
  assert(others.every((a) => !a.ok));
  assert.match((others[0] as Refused).error.message, /a probe of the engine is running now/);
  release(true);
  assert((await first).ok);
  assert.equal(probes, 1);
  assert.equal(b.state, "closed");
});

Deno.test("breaker: after a probe closed it, the first failure reopens it (ping is no proof)", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(300_000);
  const ticket = await admitted(b);
  b.record(ticket, true);
  assert.equal(b.state, "open");
});

Deno.test("breaker: a success after the probe ends probation", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(300_000);
  b.record(await admitted(b), false);
  b.record(await admitted(b), true);
  assert.equal(b.state, "closed", "one failure after a success is just one failure");
});

Deno.test("breaker: outcomes of calls admitted before it opened are ignored after it closes", async () => {
  const clock = new Clock();
  const b = breaker(clock);
  const stale = await admitted(b); // a call that will hang until its deadline
  for (let i = 0; i < 3; i++) b.record(await admitted(b), true);
  clock.advance(300_000);
  await admitted(b); // probe closes it
  b.record(stale, true); // the old call times out now
  assert.equal(b.state, "closed");
});

Deno.test("breaker: counts DKR-001 always, DKR-008 of read and lifecycle calls, never cancels or other errors", () => {
  const unreachable = new BerthError("daemon_unreachable", "No answer");
  const timeout = new BerthError("timeout", "The engine did not answer");
  assert(countsAsEngineFailure(unreachable, "read", false));
  assert(countsAsEngineFailure(unreachable, "long", false));
  assert(countsAsEngineFailure(timeout, "read", false));
  assert(countsAsEngineFailure(timeout, "lifecycle", false));
  assert(!countsAsEngineFailure(timeout, "read", true), "the client cancelled");
  assert(!countsAsEngineFailure(timeout, "exec", false), "a long exec measures the command");
  assert(!countsAsEngineFailure(timeout, "long", false), "a slow pull measures the network");
  for (
    const type of [
      "container_not_found",
      "not_found",
      "denied_by_policy",
      "invalid_input",
      "permission_denied",
      "conflict",
      "engine_error",
    ] as const
  ) {
    assert(!countsAsEngineFailure(new BerthError(type, "x"), "read", false), type);
  }
});

Deno.test("breaker: time left is rounded up to the second", () => {
  assert.equal(formatLeft(1), "1s");
  assert.equal(formatLeft(59_001), "1m 0s");
  assert.equal(formatLeft(252_000), "4m 12s");
});
