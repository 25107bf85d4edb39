/**
 * Reading a Dockerfile the way the engine's parser (BuildKit's
 * `frontend/dockerfile/parser` and `shell` packages, which the classic
 * builder uses too) reads it, as far as berth needs to know which images a
 * build pulls in: the `escape` parser directive, comment lines, line
 * continuations, leading `--flags`, and shell-word expansion of `$VAR`,
 * `${VAR}`, `${VAR:-word}` and `${VAR:+word}`.
 *
 * Where berth's reading could differ from the engine's (an unknown
 * variable, a modifier berth does not implement, quotes in a default
 * word), expansion throws {@link Unresolved} instead of guessing: a policy
 * check must never decide on a different string than the engine uses.
 *
 * @module
 */

/** One instruction: its keyword (lower case), the text after it, where it starts. */
export interface Instruction {
  /** 1-based line where the instruction starts. */
  line: number;
  keyword: string;
  /** Everything after the keyword, continuations joined. */
  rest: string;
  /** The whole logical line, for messages. */
  text: string;
}

/** Thrown when a word cannot be expanded exactly as the engine would. */
export class Unresolved extends Error {}

/** A declared variable: its value, or why it has none berth can know. */
export interface Variable {
  value?: string;
  problem?: string;
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
/** Go's unicode.IsSpace, which the parser trims with (wider than `[ \t]`, other than JS's `\s`). */
const GO_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`);
/** The parser splits the keyword off on ASCII blanks only. */
const KEYWORD_END = /[\t\v\f\r ]+/;

function goTrim(text: string): string {
  return text.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
}

/** The escape character the parser directives choose (`\` unless `# escape=` says otherwise). */
export function escapeToken(lines: readonly string[]): string {
  let escape = "\\";
  for (const raw of lines) {
    // Directives end at the first line that is not one (a blank line, a comment, an instruction).
    const m = DIRECTIVE.exec(raw.replace(LEADING_SPACE, ""));
    if (!m) break;
    if (m[1].toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) escape = m[2];
  }
  return escape;
}

/** True for a line the parser skips: blank, or a comment. */
function skipped(line: string): boolean {
  const bare = line.replace(LEADING_SPACE, "");
  return bare === "" || bare.startsWith("#");
}

/** Splits a Dockerfile into instructions, continuations joined and comments dropped. */
export function instructions(source: string): { escape: string; list: Instruction[] } {
  // The parser's scanner splits on \n and trims every trailing \r and \n of a line.
  const lines = source.replace(/^\uFEFF/, "").split("\n").map((l) => l.replace(/[\r\n]+$/, ""));
  const escape = escapeToken(lines);
  // trimContinuationCharacter: the escape character, then only blanks, ends the line.
  const continued = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  const list: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    const first = lines[i++].replace(LEADING_SPACE, "");
    if (skipped(first)) continue;
    let more = continued.test(first);
    let text = first.replace(continued, "");
    while (more && i < lines.length) {
      const next = lines[i++];
      if (skipped(next)) continue; // comments and blank lines inside a continuation too
      more = continued.test(next);
      text += next.replace(continued, ""); // joined as they are: `ev\` + `il` is `evil`
    }
    const line = goTrim(text);
    const keyword = line.split(KEYWORD_END, 1)[0];
    const rest = line.slice(keyword.length).replace(/^[\t\v\f\r ]+/, "");
    list.push({ line: start + 1, keyword: keyword.toLowerCase(), rest, text: line });
  }
  return { escape, list };
}

/**
 * The parser's extractBuilderFlags: leading words that start with `--`
 * (quotes and backslashes inside them honoured, `--` alone ends them), and
 * the text after them. The parser reads flags byte by byte, so a byte of a
 * multi-byte character can count as a blank there: non-ASCII flags (and
 * invalid UTF-8 where a flag could start) are {@link Unresolved}.
 */
export function extractFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && ASCII_SPACE.test(line[i])) i++;
    // A stray byte 0x85 or 0xA0 (decoded as U+FFFD) is a blank to the engine here.
    if (line[i] === "\uFFFD") throw new Unresolved("it holds bytes that are not UTF-8");
    if (!line.startsWith("--", i)) return { flags, rest: line.slice(i) };
    let word = "";
    let quoted = false;
    let quote = "";
    for (; i < line.length; i++) {
      const c = line[i];
      if (c > "\x7f") throw new Unresolved("its flags hold non-ASCII characters");
      if (!quote && ASCII_SPACE.test(c)) break;
      if (!quote && (c === "'" || c === '"')) {
        quote = c;
        quoted = true;
      } else if (quote && c === quote) {
        quote = "";
      } else if (c === "\\") {
        if (i + 1 < line.length) word += line[++i];
      } else {
        word += c;
      }
    }
    if (word === "--") return { flags, rest: line.slice(i) };
    if (quoted || word) flags.push(word);
  }
  return { flags, rest: "" };
}

const ASCII_SPACE = /[\t\n\v\f\r ]/;
const GO_SPACE_CHAR = new RegExp(`[${GO_SPACE}]`);

/**
 * The parser's parseWords (ARG, ENV): words split on blanks outside quotes;
 * quotes and escapes are kept for {@link expandWord}.
 */
export function splitWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote = "";
  const chars = [...rest];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (!quote && GO_SPACE_CHAR.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= "";
    if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote && c === quote) quote = "";
    if (c === escape && quote !== "'") {
      if (i + 1 === chars.length) continue; // an escape at the end is dropped
      word += c + chars[++i];
      continue;
    }
    word += c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Expands one word as the shell lexer does: escapes, single and double
 * quotes, `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}`. `vars` are
 * the variables in scope; any other name is {@link Unresolved}.
 */
export function expandWord(
  word: string,
  vars: ReadonlyMap<string, Variable>,
  escape = "\\",
): string {
  let out = "";
  let i = 0;
  while (i < word.length) {
    const c = word[i];
    if (c === escape) {
      out += word[i + 1] ?? "";
      i += 2;
    } else if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new Unresolved("it has an unterminated single quote");
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < word.length && word[i] !== '"') {
        if (word[i] === "$") {
          const [value, next] = dollar(word, i, vars, escape);
          out += value;
          i = next;
        } else if (
          word[i] === escape && i + 1 < word.length && `"$${escape}`.includes(word[i + 1])
        ) {
          out += word[i + 1]; // only these can be escaped inside double quotes
          i += 2;
        } else {
          out += word[i++];
        }
      }
      if (i >= word.length) throw new Unresolved("it has an unterminated double quote");
      i++;
    } else if (c === "$") {
      const [value, next] = dollar(word, i, vars, escape);
      out += value;
      i = next;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The lexer's processName: digits, one special parameter, or letters, digits and `_`. */
function nameAt(word: string, i: number): string {
  const digits = /^\p{Nd}+/u.exec(word.slice(i));
  if (digits) return digits[0];
  if ("@*#?-$!".includes(word[i] ?? "x")) return word[i];
  return /^[\p{L}\p{Nd}_]*/u.exec(word.slice(i))![0];
}

function lookup(vars: ReadonlyMap<string, Variable>, name: string): string {
  const v = vars.get(name);
  if (!v) throw new Unresolved(`$${name} is not an ARG declared before the first FROM`);
  if (v.problem !== undefined) throw new Unresolved(`ARG ${name} ${v.problem}`);
  return v.value ?? ""; // declared without a value: the engine substitutes nothing
}

/** Expands the `$…` at `i`; answers the value and the index after it. */
function dollar(
  word: string,
  i: number,
  vars: ReadonlyMap<string, Variable>,
  escape: string,
): [string, number] {
  if (word[i + 1] !== "{") {
    const name = nameAt(word, i + 1);
    return name ? [lookup(vars, name), i + 1 + name.length] : ["$", i + 1];
  }
  const name = nameAt(word, i + 2);
  const after = i + 2 + name.length;
  if (word[after] === "}" && name) return [lookup(vars, name), after + 1];
  const modifier = word.slice(after, after + 2);
  const end = word.indexOf("}", after);
  if (!name || end < 0 || (modifier !== ":-" && modifier !== ":+")) {
    throw new Unresolved(`'${word.slice(i, end < 0 ? undefined : end + 1)}' is not supported`);
  }
  const inner = word.slice(after + 2, end);
  // Quotes, braces or escapes in the word: the lexer's rules there are subtle; do not guess.
  if (/["'{]/.test(inner) || inner.includes(escape)) {
    throw new Unresolved(`'${word.slice(i, end + 1)}' is not supported`);
  }
  const value = lookup(vars, name);
  const use = modifier === ":-" ? value === "" : value !== "";
  return [use ? expandWord(inner, vars, escape) : modifier === ":-" ? value : "", end + 1];
}
