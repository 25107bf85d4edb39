/**
 * Files that tests write into a temporary folder: user manifests for tools
 * the built-in manifests do not provide, or that must be refused at load.
 *
 * @module
 */

/**
 * A new temporary folder holding `files` (path inside it → text; folders are
 * made as needed). The caller removes it.
 */
export function tempDirWith(prefix: string, files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix });
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(path, text);
  }
  return dir;
}

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
