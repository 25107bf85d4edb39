/**
 * `GET /healthz`, answered without authentication: whether the engine answers
 * `/_ping`, its API version and the breaker state; 200 when the engine is
 * reachable, 503 otherwise. Nothing else (no engine address, no berth
 * version, no error text), and one ping at most every two seconds, so the
 * endpoint neither informs nor amplifies an attacker.
 *
 * @module
 */

import type { App } from "../../app/mod.ts";

const CACHE_MS = 2_000;
const PING_TIMEOUT_MS = 2_000;

let cached: { at: number; app: App; answer: Promise<Record<string, unknown>> } | undefined;

async function probe(app: App): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(PING_TIMEOUT_MS);
  const reachable = await app.engine.ping(signal).catch(() => false);
  const apiVersion = reachable
    ? await app.engine.apiVersion(signal).catch(() => undefined)
    : undefined;
  return {
    status: reachable ? "ok" : "unavailable",
    engine: reachable ? "reachable" : "unreachable",
    ...(apiVersion ? { api_version: apiVersion } : {}),
    breaker: app.breaker.state,
  };
}

/** The health answer, probed at most once per two seconds. */
export async function health(app: App): Promise<Response> {
  const now = Date.now();
  if (!cached || cached.app !== app || now - cached.at > CACHE_MS) {
    cached = { at: now, app, answer: probe(app) };
  }
  const body = await cached.answer;
  return Response.json(body, {
    status: body.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
