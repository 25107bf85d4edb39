/**
 * Small assertion helpers over node:assert (no network needed for jsr).
 *
 * @module
 */

import assertNode from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";

/** Asserts truthiness. */
export function assert(value: unknown, message?: string): asserts value {
  assertNode.ok(value, message);
}

/** Asserts falsiness. */
export function assertFalse(value: unknown, message?: string): void {
  assertNode.ok(!value, message);
}

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assertNode.deepEqual(actual, expected, message);
}

/** Asserts that a function throws an instance of a class; answers the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  message?: string,
): E {
  try {
    fn();
  } catch (error) {
    assertNode.ok(error instanceof type, `${message ?? ""} threw ${error}`);
    return error as E;
  }
  throw new assertNode.AssertionError({ message: message ?? "did not throw" });
}

/** Asserts that a function throws a BerthError with this DKR code; answers it. */
export function assertDenied(fn: () => unknown, code = "DKR-007", message?: string): BerthError {
  const error = assertThrows(fn, BerthError, message);
  assertNode.equal(error.code, code, `${message ?? ""}: ${error.message}`);
  return error;
}

/** Runs a cleanup again while the engine is still busy removing something. */
export async function settle(fn: () => Promise<void>): Promise<void> {
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= 4 || !/in progress|No such/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
