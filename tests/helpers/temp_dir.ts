/**
 * Temporary folders of files that tests write: manifest folders, build
 * contexts. Pure Deno file system calls, no engine needed.
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

/** A temporary folder that `using` removes when the scope that holds it ends. */
export interface TempDir extends Disposable {
  path: string;
}

/** {@link tempDirWith}, removed (with all in it) by `using dir = tempDir(…)` at the scope's end. */
export function tempDir(prefix: string, files: Record<string, string> = {}): TempDir {
  const path = tempDirWith(prefix, files);
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}
