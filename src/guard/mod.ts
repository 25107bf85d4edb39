/**
 * Guards that keep berth from hanging: deadlines by class, cancellation,
 * retries of idempotent reads, the circuit breaker, background operations
 * and caps on what goes back to the client.
 *
 * @module
 */

export * from "./breaker.ts";
export * from "./caps.ts";
export * from "./deadline.ts";
export * from "./limiter.ts";
export * from "./operations.ts";
export * from "./progress.ts";
export * from "./retry.ts";
