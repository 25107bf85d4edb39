/**
 * Lexical POSIX paths, for the paths berth names on the host (compose files,
 * their relative paths) and in a container (copies): `.` and `..` resolved,
 * repeated and trailing slashes dropped, never above `/`. No file system is
 * asked, so no symlink is followed.
 *
 * @module
 */

/** Joins and normalises POSIX paths (`..` and `.` resolved; never above `/`). */
export function resolvePath(base: string, path: string): string {
  const parts: string[] = [];
  for (const part of `${path.startsWith("/") ? "" : base}/${path}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}
