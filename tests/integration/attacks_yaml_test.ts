/**
 * Compose YAML that broke the parser's callers (suite `attacks-yaml`): an
 * alias before its anchor threw a plain ReferenceError, and an alias inside
 * its own anchor (`a: &a {x: *a}`) made data without end that exhausted the
 * stack ("Maximum call stack size exceeded"); both reached the client as
 * internal errors. Compose up, compose down and stack deploy now answer
 * DKR-004, the call resolves, and `docker ps` shows no container was made.
 */

import assert from "node:assert/strict";
import { call, docker, errorCode, TEST_IMAGE, testApp, uniqueName } from "../helpers/mod.ts";

const app = await testApp({ allow: "all" });
const PROJECT = uniqueName("atkyaml").toLowerCase();

const HOSTILE = [
  `services:\n  a:\n    image: *nope\n`,
  `services:\n  a: &a\n    image: ${TEST_IMAGE}\n    labels: { x: "1" }\n    x-loop: *a\n`,
  `x-a: &a [*a]\nservices:\n  a:\n    image: ${TEST_IMAGE}\n`,
  `services:\n  a:\n    image: ${TEST_IMAGE}\nx-deep: ${"{a: ".repeat(80)}1${"}".repeat(80)}\n`,
];

Deno.test("yaml attack: bad aliases and endless nesting answer DKR-004 and create nothing", async () => {
  for (const yaml of HOSTILE) {
    for (
      const [tool, args] of [
        ["docker_compose_up", { project_name: PROJECT, compose_yaml: yaml }],
        ["docker_compose_down", { project_name: PROJECT, compose_yaml: yaml }],
        ["docker_stack_deploy", { name: PROJECT, compose_yaml: yaml }],
      ] as const
    ) {
      const result = await call(app, tool, args);
      assert.equal(errorCode(result), "DKR-004", `${tool} ${yaml}: ${result.text}`);
      assert.match(result.text, /compose_yaml/);
    }
    const made = await docker("ps", "-a", "--filter", `name=${PROJECT}`, "--format", "{{.Names}}");
    assert.equal(made, "", yaml);
  }
});
