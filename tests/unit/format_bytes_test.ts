/**
 * Sizes in text follow the docker CLI: sizes on disk and transfers in
 * decimal units (kB, MB, GB = 1000^n), as `docker images` and `docker
 * system df` print them; memory in binary units (MiB, GiB), as `docker
 * stats` and `docker info` do. Three significant digits.
 */

import assert from "node:assert/strict";
import { formatBytes, formatMemory } from "../../src/guard/formats.ts";
import type { HandlerContext } from "../../src/interpreter/contract.ts";
import { systemDf } from "../../src/tools/system/system_df.ts";

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

Deno.test("formatMemory: binary units, as docker stats and docker info print memory", () => {
  assert.equal(formatMemory(512), "512 B");
  assert.equal(formatMemory(64 * 1024 * 1024), "64 MiB");
  assert.equal(formatMemory(1536 * 1024), "1.5 MiB");
  assert.equal(formatMemory(8_217_542_656), "7.65 GiB");
  assert.equal(formatMemory(1023.6 * 1024 * 1024), "1 GiB");
  assert.equal(formatMemory(-1), "?");
});

Deno.test("system df: the text in decimal units from the bytes, the structured figures in MiB", async () => {
  const shaped = await systemDf({
    LayersSize: 11_420_000,
    Images: [{ Containers: 0, Size: 11_420_000, SharedSize: 0 }],
    Containers: [{ State: "exited", SizeRw: 33_000 }],
    Volumes: [],
    BuildCache: [],
  }, {} as HandlerContext);
  // Columns may be padded; the figures are what counts.
  const line = (kind: string) => shaped.text.split("\n").find((l) => l.startsWith(`${kind} `));
  assert.match(line("images") ?? "", /^images\s+1\s+0\s+11\.4 MB\s+11\.4 MB$/);
  assert.match(line("containers") ?? "", /^containers\s+1\s+0\s+33 kB\s+33 kB$/);
  assert.match(line("volumes") ?? "", /^volumes\s+0\s+0\s+0 B\s+0 B$/);
  // Aligned: every SIZE figure starts under its header.
  const [header, ...rows] = shaped.text.split("\n");
  const at = header.indexOf("SIZE");
  assert.deepEqual(rows.map((r) => /\d/.test(r[at]) && r[at - 1] === " "), rows.map(() => true));
  const images = (shaped.structured as Record<string, { size_mb: number }>).images;
  assert.equal(images.size_mb, 10.9, "MiB, as the manifest says");
});
