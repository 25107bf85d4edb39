/**
 * Redaction's first looks (docs/performance.md, "Per-call overhead"): a text,
 * an argv or a list of lines is passed untouched when a quick scan finds
 * nothing any rule needs. These tests hold the first looks to the rules, so a
 * rule added without its hint fails here instead of letting a secret through.
 */

import { redactText, redactTextRules } from "../../src/policy/redact.ts";
import { secretWordIndexes } from "../../src/policy/argv_secrets.ts";
import { redactLineBlocks } from "../../src/policy/secret_shapes.ts";
import { assert, assertEquals } from "../helpers/asserts.ts";

/** Pieces of text that trigger every rule, in several spellings, and harmless ones. */
const FRAGMENTS = [
  "password",
  "PASSWORD",
  "Passwd",
  "db_token",
  "accessToken",
  "key",
  "API key",
  "primary key",
  "AWSSecretKey",
  "auth",
  "client_credentials",
  "x-api-key",
  "dbpasswd",
  "monkey",
  "=",
  ":",
  ": ",
  "\t",
  '"',
  "'",
  '\\"',
  "[",
  "]",
  ",",
  "{",
  "}",
  "\0",
  "\n",
  "-p",
  "-pX9secret",
  "-a",
  "-u",
  "--password",
  "--Token",
  "--api-key",
  "--token-file",
  "mysql",
  "MySQL",
  "/usr/bin/mysql",
  "sshpass",
  "redis-cli",
  "curl",
  "docker",
  "podman",
  "login",
  "sudo",
  "sh -c",
  "&&",
  ";",
  "|",
  "Bearer",
  "bearer",
  "Basic",
  "TOKEN",
  "abcdefghij12345",
  "hunter2xyz",
  "$TOKEN",
  "${TOKEN}",
  "eyJhbGciOiJIUzI1NiJ9",
  ".",
  "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
  "AKIAIOSFODNN7EXAMPLE",
  `ghp_${"a".repeat(36)}`,
  `github_pat_${"b".repeat(30)}`,
  `glpat-${"c".repeat(20)}`,
  "xoxb-1234567890-abcdef",
  `sk-ant-${"d".repeat(40)}`,
  `sk_live_${"e".repeat(20)}`,
  `AIza${"f".repeat(35)}`,
  `npm_${"g".repeat(36)}`,
  `hooks.slack.com/services/${"T".repeat(24)}`,
  "https://",
  "postgres://",
  "app",
  "@",
  "db:5432",
  "-----BEGIN PRIVATE KEY-----",
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEvQIBADANBg",
  "-----END PRIVATE KEY-----",
  "private key",
  "web-1",
  "Up 2 minutes",
  "berth-test/busybox:latest",
  "a666f524ce50",
  "running",
];

/** A small seeded generator, so a failure can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function sample(next: () => number, parts: number): string[] {
  return Array.from({ length: 1 + Math.floor(next() * parts) }, () => pick(next, FRAGMENTS));
}

Deno.test("redactText: the first look passes only texts no rule changes", () => {
  const next = random(13);
  let changed = 0;
  for (let i = 0; i < 20_000; i++) {
    const words = sample(next, 8);
    const text = words.join(pick(next, ["", " ", "", "\n", "="]));
    const full = redactTextRules(text);
    assertEquals(redactText(text), full, `first look differs on ${JSON.stringify(text)}`);
    if (full !== text) changed++;
  }
  // The corpus must exercise the rules, or the equality above proves nothing.
  assert(changed > 4_000, `only ${changed} texts were redacted`);
});

Deno.test("redactArgv's first look: an argv without a flag-like word hides nothing", () => {
  const next = random(7);
  const flagLike = (word: string) => /^["']?-/.test(word);
  let tried = 0;
  for (let i = 0; i < 20_000; i++) {
    const words = sample(next, 10).flatMap((w) => w.split(" "));
    if (words.some(flagLike)) continue;
    tried++;
    assertEquals(secretWordIndexes(words).size, 0, `hid a word of ${JSON.stringify(words)}`);
  }
  assert(tried > 2_000, `only ${tried} argvs without flags were tried`);
});

Deno.test("redactLineBlocks' first look: lines without a private key block pass unchanged", () => {
  const lines = ["-----BEGIN CERTIFICATE-----", "MIIEvQIBADANBg", "-----END CERTIFICATE-----"];
  assertEquals(redactLineBlocks(lines), lines);
  const key = ["-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBg", "-----END PRIVATE KEY-----"];
  assertEquals(redactLineBlocks(key)[1], "***REDACTED***");
});
