/**
 * Sizes in text: the docker CLI's decimal units (kB, MB, GB = 1000^n) with
 * three significant digits, so berth's figures match `docker images` and
 * `docker system df`.
 */

import assert from "node:assert/strict";
import { formatBytes } from "../../src/interpreter/formats.ts";

Deno.test("formatBytes: decimal units, three significant digits, never '1000 kB'", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1000), "1 kB");
  assert.equal(formatBytes(1234), "1.23 kB");
  assert.equal(formatBytes(33_000), "33 kB");
  assert.equal(formatBytes(999_600), "1 MB");
  // `docker system df` said 11.42MB where berth said 10.9 (MiB) before.
  assert.equal(formatBytes(11_420_000), "11.4 MB");
  assert.equal(formatBytes(5_000_000), "5 MB");
  assert.equal(formatBytes(4_300_000_000), "4.3 GB");
  assert.equal(formatBytes(2.5e12), "2.5 TB");
  assert.equal(formatBytes(-1), "?");
  assert.equal(formatBytes(Number.NaN), "?");
});
