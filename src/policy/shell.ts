/**
 * A small POSIX-shell lexer for the exec guard: enough of the grammar to see
 * the commands a shell string would run (quotes removed, escapes applied,
 * `;`, `&&`, `|`, newlines and subshells split, `$(…)` and backticks found),
 * never to run anything.
 *
 * @module
 */

/** The simple commands of a shell string and the texts of its substitutions. */
export interface Lexed {
  /** One array of words per simple command; redirections are the words `>` and `<`. */
  commands: string[][];
  /** The insides of `$(…)`, `$((…))` and backticks, to analyse in turn. */
  nested: string[];
}

/**
 * Marks the part of a word whose value is only known when the shell runs
 * (`$x`, `"$@"`, `${IFS}`, `$(…)`, backticks). A private-use character, so a
 * literal `$` (in single quotes, or in an argv sent without a shell) is not
 * mistaken for one.
 */
export const DYNAMIC = "\uE000";

const SEPARATORS = new Set([";", "&", "|", "\n", "(", ")"]);

/** Finds the `)` closing a `$(` that starts at `open` (the index of `(`). */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "'") i = Math.max(i, text.indexOf("'", i + 1));
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
    if (i < 0) break;
  }
  return text.length;
}

/** Splits shell text into simple commands of words. */
export function lexShell(text: string): Lexed {
  const commands: string[][] = [];
  const nested: string[] = [];
  let words: string[] = [];
  let word = "";
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  const substitution = (i: number): number => {
    // i points at `$` followed by `(`: $( … ) or $(( … ))
    const end = closing(text, i + 1);
    nested.push(text.slice(i + 2, end).replace(/^\(|\)$/g, ""));
    word += DYNAMIC;
    inWord = true;
    return end;
  };
  const backtick = (i: number): number => {
    let end = i + 1;
    while (end < text.length && text[end] !== "`") end += text[end] === "\\" ? 2 : 1;
    nested.push(text.slice(i + 1, end).replace(/\\(.)/g, "$1"));
    word += DYNAMIC;
    inWord = true;
    return end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      if (text[i + 1] !== "\n") {
        word += text[i + 1] ?? "";
        inWord = true;
      }
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && /[$`"\\\n]/.test(text[i + 1] ?? "")) word += text[++i];
        else if (text[i] === "$" && text[i + 1] === "(") i = substitution(i);
        else if (text[i] === "$" && /[A-Za-z_{@*#?$!0-9-]/.test(text[i + 1] ?? "")) {
          word += DYNAMIC; // "$x", "$@", "${IFS}": expanded inside double quotes too
        } else if (text[i] === "`") i = backtick(i);
        else word += text[i];
      }
    } else if (c === "$" && text[i + 1] === "(") {
      i = substitution(i);
    } else if (c === "`") {
      i = backtick(i);
    } else if (c === ">" || c === "<" || (c === "&" && text[i + 1] === ">")) {
      // A redirection: `2>`, `&>`, `>>`, `>|`, `>&2`. A word of digits before it is the fd.
      if (inWord && !/^\d+$/.test(word)) endWord();
      word = "";
      inWord = false;
      if (c === "&") i++;
      while (text[i + 1] === ">" || text[i + 1] === "|") i++;
      words.push(c === "<" ? "<" : ">");
      if (text[i + 1] === "&") {
        i++;
        word = "&";
        inWord = true;
      }
    } else if (c === " " || c === "\t" || c === "\r") {
      endWord();
    } else if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++;
      endCommand();
    } else if (SEPARATORS.has(c)) {
      endCommand();
    } else {
      if (c === "$") word += DYNAMIC;
      else word += c;
      inWord = true;
    }
  }
  endCommand();
  return { commands, nested };
}
