/**
 * Argument validation: lenient about how clients encode values (JSON strings
 * for objects and arrays, "10" for 10), strict about what they mean, and every
 * error names the field (DKR-004).
 */

import assert from "node:assert/strict";
import { BerthError } from "../../src/errors/mod.ts";
import { inputJsonSchema, InputValidator } from "../../src/interpreter/input.ts";
import type { ParamSpec } from "../../src/manifest/types.ts";
import { loadPatternEngine } from "../../src/guard/pattern.ts";

// re2js loads on first use; the interpreter loads it before a pattern's validation.
await loadPatternEngine();

const INPUT: Record<string, ParamSpec> = {
  container_id: {
    type: "string",
    description: "Container name or ID",
    required: true,
    format: "name_or_id",
  },
  tail: { type: "integer", description: "Lines from the end", minimum: 0, default: 100 },
  ratio: { type: "number", description: "A ratio", maximum: 1 },
  timestamps: { type: "boolean", description: "Prefix timestamps" },
  section: {
    type: "string",
    description: "Which part",
    enum: ["config", "state", "network", "mounts", "all"],
  },
  filters: {
    type: "object",
    description: "Engine filters",
    values: {
      type: ["string", "array"],
      description: "One value or a list",
      items: { type: "string", description: "A value" },
    },
  },
  command: {
    type: ["string", "array"],
    description: "Command",
    items: { type: "string", description: "An argument" },
  },
  ports: { type: "array", description: "Ports", items: { type: "integer", description: "Port" } },
  services: {
    type: "array",
    description: "Only these services",
    items: { type: "string", description: "Service" },
  },
  policy: { type: ["object", "string"], description: 'Policy: {"Name": …} or "always"' },
  workers: { type: "integer", description: "Workers", minimum: 1, maximum: 64 },
  stderr: { type: "boolean", description: "Include stderr (default true)" },
  grep: { type: "string", description: "Keep matching lines", format: "regex" },
  since: { type: "string", description: "Since when", format: "time" },
  restart: {
    type: "object",
    description: "Restart policy",
    properties: {
      name: { type: "string", description: "Policy name", required: true },
      retries: { type: "integer", description: "Retries" },
    },
  },
};

const validator = new InputValidator(INPUT);

function fails(raw: unknown, pattern: RegExp): BerthError {
  try {
    validator.parse(raw);
  } catch (error) {
    assert.ok(error instanceof BerthError, String(error));
    assert.equal(error.code, "DKR-004");
    assert.match(error.message, pattern);
    assert.ok(!error.message.endsWith("."), "no trailing period");
    assert.match(error.message, /^[A-Z]/, "starts uppercase");
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

Deno.test("input: plain values pass and defaults are filled", () => {
  assert.deepEqual(validator.parse({ container_id: "web" }), { container_id: "web", tail: 100 });
  assert.deepEqual(validator.parse({ container_id: "web", tail: 5, timestamps: true }), {
    container_id: "web",
    tail: 5,
    timestamps: true,
  });
});

Deno.test("input: JSON-encoded strings are accepted for objects and arrays", () => {
  const args = validator.parse({
    container_id: "web",
    filters: '{"status": ["exited"], "name": "api"}',
    ports: " [80, 443] ",
    restart: '{"name":"always","retries":3}',
  });
  assert.deepEqual(args.filters, { status: ["exited"], name: "api" });
  assert.deepEqual(args.ports, [80, 443]);
  assert.deepEqual(args.restart, { name: "always", retries: 3 });
});

Deno.test("input: a string stays a string where a string is allowed", () => {
  for (const command of ["echo hi", "[ -f /x ] && echo y", '["a", 1]', "[broken", '{"a": 1}']) {
    assert.equal(validator.parse({ container_id: "web", command }).command, command);
  }
  for (const policy of ["always", "{broken", '["always"]', "{}x"]) {
    assert.equal(validator.parse({ container_id: "web", policy }).policy, policy);
  }
});

Deno.test("input: a JSON-encoded argv or object is taken as such where a string is allowed too", () => {
  const args = validator.parse({
    container_id: "web",
    command: ' ["sh", "-c", "echo hi"] ',
    policy: '{"Name": "on-failure", "MaximumRetryCount": 3}',
  });
  assert.deepEqual(args.command, ["sh", "-c", "echo hi"]);
  assert.deepEqual(args.policy, { Name: "on-failure", MaximumRetryCount: 3 });
  assert.deepEqual(validator.parse({ container_id: "web", command: "[]" }).command, []);
});

Deno.test("input: one string where a list of strings is wanted is a list of one", () => {
  assert.deepEqual(validator.parse({ container_id: "web", services: "api" }).services, ["api"]);
  assert.deepEqual(validator.parse({ container_id: "web", services: '["a","b"]' }).services, [
    "a",
    "b",
  ]);
  // Not for lists of other things: "80" is not a port list.
  fails({ container_id: "web", ports: "80" }, /^Parameter 'ports' must be an array of integers$/);
});

Deno.test("input: a container name as inspect prints it ('/web') loses its one slash", () => {
  assert.equal(validator.parse({ container_id: "/web" }).container_id, "web");
  assert.equal(validator.parse({ container_id: "/3f4e8a9b" }).container_id, "3f4e8a9b");
  for (const hostile of ["//x", "/../x", "/x/y", "/", "/.", "/-x", "../x"]) {
    fails({ container_id: hostile }, /^Parameter 'container_id' must be a name or ID/);
  }
});

Deno.test("input: a wrong type's fix says what to send, with the description after", () => {
  const flag = fails(
    { container_id: "web", stderr: "no" },
    /^Parameter 'stderr' must be a boolean$/,
  );
  assert.equal(flag.hint, "Send true or false (stderr: Include stderr (default true))");
  const count = fails({ container_id: "web", tail: "all" }, /'tail' must be an integer$/);
  assert.equal(
    count.hint,
    "Send a whole number of at least 0 such as 10 (tail: Lines from the end)",
  );
  const bounded = fails({ container_id: "web", workers: "many" }, /'workers' must be an integer/);
  assert.match(bounded.hint, /^Send a whole number from 1 to 64 such as 10 \(workers: Workers\)$/);
  const list = fails(
    { container_id: "web", services: 5 },
    /'services' must be an array of strings/,
  );
  assert.match(list.hint, /^Send a JSON array such as \["a"\] \(services: /);
  const either = fails(
    { container_id: "web", command: 5 },
    /'command' must be a string or an array/,
  );
  assert.match(either.hint, /^Send a string or a JSON array such as \["a"\]/);
  const ratio = fails({ container_id: "web", ratio: true }, /'ratio' must be a number/);
  assert.match(ratio.hint, /^Send a number of at most 1 such as 0\.5/);
});

Deno.test("input: a regex gets RE2's reason, and (?i) ignores case", () => {
  assert.equal(validator.parse({ container_id: "web", grep: "(?i)LINE 5" }).grep, "(?i)LINE 5");
  assert.equal(validator.parse({ container_id: "web", grep: "(?i:line) 5" }).grep, "(?i:line) 5");
  const error = fails(
    { container_id: "web", grep: "(?<x" },
    /^Parameter 'grep' is not a valid regular expression: invalid named capture: `\(\?<x` \(RE2 syntax: no lookaround or backreferences; \(\?i\) or \(\?i:…\) ignores case\)$/,
  );
  assert.match(error.hint, /grep: Keep matching lines/);
  assert.equal(validator.parse({ container_id: "web", grep: "x(?i)y" }).grep, "x(?i)y");
  fails({ container_id: "web", grep: "(a)\\1" }, /not a valid regular expression: invalid escape/);
  fails({ container_id: "web", grep: "x".repeat(1001) }, /'grep' must be at most 1000 characters/);
});

Deno.test("input: numbers and booleans as strings", () => {
  const args = validator.parse({
    container_id: "web",
    tail: "10",
    ratio: "0.5",
    timestamps: "true",
  });
  assert.deepEqual(args, { container_id: "web", tail: 10, ratio: 0.5, timestamps: true });
  fails({ container_id: "web", tail: "ten" }, /^Parameter 'tail' must be an integer$/);
  fails({ container_id: "web", tail: "1.5" }, /'tail'/);
  fails({ container_id: "web", timestamps: "yes" }, /'timestamps' must be a boolean/);
});

Deno.test("input: null means not given", () => {
  assert.deepEqual(validator.parse({ container_id: "web", tail: null, section: null }), {
    container_id: "web",
    tail: 100,
  });
  assert.deepEqual(new InputValidator({}).parse(undefined), {});
  assert.deepEqual(new InputValidator({}).parse(null), {});
});

Deno.test("input: an unknown parameter is named, with the known ones in the hint", () => {
  const error = fails({ container_id: "web", tial: 5 }, /^Parameter 'tial' is not known$/);
  assert.match(error.hint, /container_id, tail/);
  const none = new InputValidator({});
  assert.throws(() => none.parse({ x: 1 }), (e: BerthError) => /no parameters/.test(e.hint));
});

Deno.test("input: a missing required parameter is named", () => {
  const error = fails({}, /^Parameter 'container_id' is required$/);
  assert.match(error.hint, /container_id: Container name or ID/);
});

Deno.test("input: a bad enum value lists the allowed ones", () => {
  fails({ container_id: "web", section: "everything" }, /'section' must be one of config, state/);
});

Deno.test("input: bounds, formats, nested fields and wrong types", () => {
  fails({ container_id: "web", tail: -1 }, /'tail' must be at least 0/);
  fails({ container_id: "web", ratio: 2 }, /'ratio' must be at most 1/);
  fails({ container_id: "web", since: "yesterday-ish" }, /'since' must be a time/);
  fails({ container_id: "web", ports: ["80"] }, /'ports\.0'/);
  fails({ container_id: "web", restart: { retries: 1 } }, /'restart\.name' is required/);
  fails({ container_id: "web", restart: { name: "no", other: 1 } }, /'other' is not known/);
  fails({ container_id: "web", filters: { status: 5 } }, /'filters\.status'/);
  fails({ container_id: "web", filters: "{broken" }, /'filters' must be an object/);
  fails({ container_id: "web", command: 5 }, /'command' must be a string or an array/);
  fails({ container_id: ["web"] }, /'container_id' must be a string/);
});

Deno.test("input: arguments that are not an object", () => {
  for (const raw of [[], "x", 5, true]) fails(raw, /Arguments must be a JSON object/);
});

Deno.test("inputJsonSchema: compact object with descriptions, required list and defaults", () => {
  const schema = inputJsonSchema(INPUT) as {
    type: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { description?: string; default?: unknown; enum?: string[] }>;
  };
  assert.equal(schema.type, "object");
  assert.deepEqual(schema.required, ["container_id"]);
  // The validator refuses unknown keys, and the schema says so.
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.properties.tail.default, 100);
  assert.deepEqual(schema.properties.section.enum, ["config", "state", "network", "mounts", "all"]);
  for (const [name, property] of Object.entries(schema.properties)) {
    assert.equal(property.description, INPUT[name].description, name);
  }
  assert.ok(!("$schema" in schema));
  assert.ok(!JSON.stringify(schema).includes("propertyNames"), "records carry no propertyNames");
});

const HABITS: Record<string, ParamSpec> = {
  container_id: {
    type: "string",
    description: "Name or ID",
    required: true,
    format: "name_or_id",
    aliases: ["container_name", "name"],
  },
  tail: { type: "integer", description: "Lines", maximum: 5000, words: { all: 5000 } },
  all: { type: "boolean", description: "Everything is listed", const: true, hidden: true },
};

Deno.test("input: an alias is taken as its parameter, words as their value", () => {
  const v = new InputValidator(HABITS);
  assert.deepEqual(v.parse({ container_name: "/web", tail: "all" }), {
    container_id: "web",
    tail: 5000,
  });
  assert.deepEqual(v.parse({ name: "web", container_id: "web", all: true }), {
    container_id: "web",
    all: true,
  });
});

Deno.test("input: an alias and its parameter that disagree are refused, naming both", () => {
  const v = new InputValidator(HABITS);
  assert.throws(
    () => v.parse({ container_id: "a", container_name: "b" }),
    (e: BerthError) =>
      e.code === "DKR-004" && /'container_id' and 'container_name'/.test(e.message),
  );
  // A const habit with another value is refused, never ignored.
  assert.throws(() => v.parse({ container_id: "a", all: false }), /Parameter 'all' must be/);
  assert.throws(() => v.parse({ container_id: "a", tail: "many" }), /Parameter 'tail'/);
});

Deno.test("inputJsonSchema: hidden parameters and aliases are not published", () => {
  const schema = inputJsonSchema(HABITS) as { properties: Record<string, unknown> };
  assert.deepEqual(Object.keys(schema.properties), ["container_id", "tail"]);
  assert.ok(!JSON.stringify(schema).includes("container_name"));
});

Deno.test("input: a habit that stands for a key of an object parameter moves there", () => {
  const v = new InputValidator({
    filters: { type: "object", description: "Filters" },
    name: { type: "string", description: "A reference", hidden: true, into: "filters.reference" },
  });
  assert.deepEqual(v.parse({ name: "nginx", filters: { label: ["a"] } }), {
    filters: { label: ["a"], reference: "nginx" },
  });
  assert.throws(
    () => v.parse({ name: "nginx", filters: { reference: ["redis"] } }),
    /'name' and 'filters.reference' both given/,
  );
});
