/**
 * Command strings → argv. Two rules, both pure:
 *
 * - {@link splitShellWords} splits like a POSIX shell splits words (single
 *   quotes, double quotes, backslashes) but expands nothing: no variables,
 *   globs or substitutions. Compose splits `command: "…"` the same way.
 * - {@link execArgv} runs a string through `sh -c` only when it needs a
 *   shell (pipes, redirects, globs, `&&`, `;`, `$`, quotes, a leading
 *   `VAR=value`); a plain command is split on whitespace and run directly, so
 *   images without a shell can still exec it.
 *
 * @module
 */

/** Characters that only a shell gives meaning to. */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~#\n!]/;
/** `NAME=value cmd`: an environment assignment only a shell understands. */
const LEADING_ASSIGNMENT = /^\s*[A-Za-z_][A-Za-z0-9_]*=/;

/** Thrown for an unbalanced quote or a trailing backslash. */
export class ShellWordsError extends Error {}

/**
 * Splits a command line into words the way a POSIX shell does, without any
 * expansion. `echo "a b" c\ d 'e'` → `["echo", "a b", "c d", "e"]`.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError("has an unterminated single quote");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        // Inside double quotes a backslash escapes only these characters.
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) i++;
        word += line[i++];
      }
      if (i >= line.length) throw new ShellWordsError("has an unterminated double quote");
      inWord = true;
      i++;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new ShellWordsError("ends with a lone backslash");
      if (line[i + 1] !== "\n") word += line[i + 1]; // backslash-newline joins lines
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** True when a command string needs `sh -c` to mean what it says. */
export function needsShell(command: string): boolean {
  return SHELL_SYNTAX.test(command) || LEADING_ASSIGNMENT.test(command);
}

/**
 * The argv an exec runs: arrays as given; strings through `sh -c` when they
 * use shell syntax, otherwise split on whitespace.
 */
export function execArgv(command: string | string[]): string[] {
  if (Array.isArray(command)) return command;
  if (needsShell(command)) return ["sh", "-c", command];
  return command.trim().split(/\s+/).filter(Boolean);
}
