/**
 * User manifests that tests write into a temporary folder, for tools the
 * built-in manifests do not provide.
 *
 * @module
 */

import { tempDirWith } from "./temp_dir.ts";

/**
 * Writes `docker_neverhang_wait` (POST /containers/{id}/wait, timeout class
 * long, 404 → container not found) into a new temporary folder and returns
 * the folder for `--manifest`; the caller removes it.
 */
export function waitManifestDir(prefix: string): string {
  return tempDirWith(prefix, {
    "docker_neverhang_wait.yaml": `name: docker_neverhang_wait
title: Wait (neverhang test)
description: Block until a container stops and return its exit code (test tool).
permission: lifecycle
timeout: long
input:
  container_id: { type: string, description: Container, required: true, format: name_or_id }
request:
  method: POST
  path: /containers/{container_id}/wait
  target: { container: container_id }
response:
  kind: json
  errors: { 404: container_not_found }
output:
  fields:
    exit_code: { type: integer, description: Exit code, from: StatusCode }
`,
  });
}
