/**
 * The exec guard: refuses commands that match `exec_safety.blocked_commands`,
 * checked against the command as the container would run it.
 *
 * A blocklist is a speed bump, not a sandbox (a determined caller can encode
 * a command), so it looks at every reasonable spelling: argv joined, quotes
 * and backslashes removed, whitespace collapsed, `sh -c`/`bash -c`/`eval`
 * payloads and `$(…)` unwrapped recursively, wrappers such as `env`, `sudo`,
 * `busybox`, `xargs` or `timeout` stripped, program paths reduced to their
 * name, and flags compared as sets (`rm -r -f`, `rm -fr`, `rm --recursive
 * --force` all match `rm -rf`). Containment comes from the container.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import { DYNAMIC, lexShell } from "./shell.ts";

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "busybox-sh"]);
// Programs that run the command that follows their own options.
const WRAPPERS: Record<string, { argFlags?: string; positional?: number }> = {
  env: { argFlags: "uCS" },
  sudo: { argFlags: "ugCDhprtTU" },
  doas: { argFlags: "uC" },
  nice: { argFlags: "n" },
  ionice: { argFlags: "cnpt" },
  nohup: {},
  time: {},
  command: {},
  builtin: {},
  exec: { argFlags: "a" },
  setsid: {},
  stdbuf: { argFlags: "ioe" },
  timeout: { argFlags: "sk", positional: 1 },
  chroot: { positional: 1 },
  taskset: { positional: 1 },
  chrt: { positional: 1 },
  xargs: { argFlags: "IiLlnPdEsa" },
  busybox: {},
  unshare: {},
  nsenter: { argFlags: "tSG" },
  flock: { positional: 1 },
  watch: { argFlags: "nd" },
  strace: { argFlags: "eoOpsuE" },
  catchsegv: {},
};
const RESERVED = new Set(["{", "}", "!", "if", "then", "else", "elif", "do", "while", "until"]);
const LONG_FLAGS: Record<string, string> = { recursive: "r", force: "f" };
/** Redirect targets that write nowhere that matters (`2>/dev/null` is everyday shell). */
const HARMLESS_REDIRECT = /(?:^|\s)>\s*\/dev\/(?:null|stdout|stderr|tty|fd\/\d+)(?=\s|$)/g;
const MAX_DEPTH = 8;

/** A command as the guard compares it: program name and arguments. */
interface Command {
  program: string;
  args: string[];
}

function basename(word: string): string {
  const clean = word.replace(/\\/g, "");
  return clean.slice(clean.lastIndexOf("/") + 1);
}

/** Short and long flags of an argument list as a set of letters/names (`-rf` → r, f). */
function flagSet(args: readonly string[]): Set<string> {
  const flags = new Set<string>();
  for (const arg of args) {
    if (arg === "--") break;
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0].toLowerCase();
      flags.add(LONG_FLAGS[name] ?? `--${name}`);
    } else if (/^-[A-Za-z]/.test(arg)) {
      for (const letter of arg.slice(1)) flags.add(letter === "R" ? "r" : letter);
    }
  }
  return flags;
}

/** Skips a wrapper's own options and fixed arguments; answers the wrapped command. */
function unwrap(name: string, args: string[]): string[] {
  const spec = WRAPPERS[name];
  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) i++;
    else if (/^-[A-Za-z]$/.test(arg) && spec.argFlags?.includes(arg[1])) i += 2;
    else if (arg.startsWith("-") && arg.length > 1) i++;
    else break;
  }
  return args.slice(i + (spec.positional ?? 0));
}

/** The `-c` payload of a shell invocation, if any (`sh -c`, `bash -lc`, `sh -e -c`). */
function shellPayload(args: string[]): string | undefined {
  let sawC = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return sawC ? args[i + 1] : undefined;
    if (arg.startsWith("--")) continue;
    if (/^[-+][A-Za-z]+$/.test(arg)) {
      if (arg.includes("c")) sawC = true;
      if (arg.includes("o")) i++;
      continue;
    }
    return sawC ? arg : undefined;
  }
  return undefined;
}

/** Every simple command a word list would run, wrappers and shells unwrapped. */
function expand(words: string[], depth: number, out: Command[]): void {
  if (depth > MAX_DEPTH) {
    throw new BerthError("denied_by_policy", "Command is nested too deeply to check", {
      hint: "Run the command directly instead of through nested shells",
    });
  }
  let rest = words;
  while (rest.length && (RESERVED.has(rest[0]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]))) {
    rest = rest.slice(1);
  }
  if (!rest.length) return;
  const program = basename(rest[0]);
  const args = rest.slice(1);
  out.push({ program: rest[0].includes(DYNAMIC) ? DYNAMIC : program, args });
  const payload = SHELLS.has(program) || program === "su" || program === "runuser"
    ? shellPayload(args)
    : program === "eval"
    ? args.join(" ")
    : undefined;
  if (payload !== undefined) analyse(payload, depth + 1, out);
  if (WRAPPERS[program]) {
    const wrapped = unwrap(program, args);
    // xargs adds the words it reads from its input: arguments no one can see.
    if (program === "xargs" && wrapped.length) wrapped.push(DYNAMIC);
    expand(wrapped, depth + 1, out);
  }
  if (program === "find") {
    for (const command of findCommands(args)) expand(command, depth + 1, out);
  }
}

/** The commands `find` runs (`-exec`, `-execdir`, `-ok`, `-okdir`), `{}` as a run-time word. */
function findCommands(args: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(args[i])) continue;
    const command: string[] = [];
    for (i++; i < args.length && args[i] !== ";" && args[i] !== "+"; i++) {
      command.push(args[i].replaceAll("{}", DYNAMIC));
    }
    out.push(command);
  }
  return out;
}

/** Lexes shell text and expands each of its commands and substitutions. */
function analyse(text: string, depth: number, out: Command[]): void {
  const { commands, nested } = lexShell(text);
  for (const words of commands) expand(words, depth, out);
  for (const inner of nested) analyse(inner, depth + 1, out);
}

/**
 * A path spelled the way the kernel reads it: `//` is `/` and `/./` is `/`
 * (`cat /etc//passwd` and `cat /etc/./passwd` open /etc/passwd), so a rule
 * written with the plain path holds for every such spelling.
 */
export function plainPaths(text: string): string {
  // The lookahead leaves the next `/` for the next `/.` of a `/././` run.
  return text.replace(/\/\.(?=\/|\s|$)/g, "/").replace(/\/{2,}/g, "/");
}

/** Collapses the text forms: quotes and backslashes gone, shell punctuation as spaces, paths plain. */
export function looseForm(text: string): string {
  return plainPaths(` ${text}`.replace(/['"\\]/g, ""))
    .replace(/(?:\d+|&)?>+\|?/g, " > ")
    .replace(/</g, " < ")
    .replace(/[;|&(){}`$]/g, " ")
    .replace(/\s+/g, " ")
    .replace(HARMLESS_REDIRECT, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A compiled blocked-command rule. */
interface Rule {
  text: string;
  pattern: RegExp;
  command?: { program: string; flags: Set<string>; words: string[] };
}

function compileRule(text: string): Rule {
  const loose = looseForm(text);
  const escaped = loose.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const rule: Rule = { text, pattern: new RegExp(`(?:^|[\\s/])${escaped}`) };
  const words = lexShell(text).commands[0] ?? [];
  const head = words[0];
  if (head && !head.startsWith("-") && !/[<>=]/.test(head) && words.length > 1) {
    const rest = words.slice(1);
    rule.command = {
      program: basename(head),
      flags: flagSet(rest),
      words: rest.filter((w) => !w.startsWith("-")).map(plainPaths),
    };
  }
  return rule;
}

/** A command as the rules compare it: its flags and its arguments with plain paths. */
interface CommandView {
  program: string;
  flags: Set<string>;
  args: string[];
}

function commandView(command: Command): CommandView {
  return {
    program: command.program,
    flags: flagSet(command.args),
    args: command.args.map(plainPaths),
  };
}

function commandMatches(rule: Rule, command: CommandView): boolean {
  const want = rule.command;
  if (!want || (command.program !== want.program && command.program !== DYNAMIC)) return false;
  for (const flag of want.flags) if (!command.flags.has(flag)) return false;
  const args = command.args;
  return want.words.every((w) => args.some((a) => a === w || (w.endsWith("=") && a.startsWith(w))));
}

/**
 * Why a command's effect cannot be read from its text, or undefined: its
 * program is computed (`$x`, `$(…)`, `"$@"`, `${IFS}`), it is `eval`, it is a
 * shell given a computed string or reading commands from its input
 * (`base64 -d | sh`), or a guarded program (one a rule names) gets computed
 * arguments (`rm -$(echo rf)`, `set -- -rf; rm "$@"`, `xargs rm`).
 */
function indirection(command: Command, guarded: ReadonlySet<string>): string | undefined {
  const { program, args } = command;
  if (program === DYNAMIC) return 'its program is computed when it runs ($x, $(…), "$@")';
  if (program === "eval") return "eval runs a string built when it runs";
  if (SHELLS.has(program) || program === "su" || program === "runuser") {
    const payload = shellPayload(args);
    if (payload?.includes(DYNAMIC)) return `${program} -c runs a string built when it runs`;
    if (payload === undefined && SHELLS.has(program)) {
      const script = args.find((a) => !/^[-+]/.test(a));
      if (script === undefined) return `${program} reads the commands it runs from its input`;
      if (script.includes(DYNAMIC)) return `${program} runs a script named when it runs`;
    }
  }
  if (guarded.has(program) && args.some((a) => a.includes(DYNAMIC))) {
    return `the arguments of ${program} are computed when it runs`;
  }
  return undefined;
}

/** Options of the exec guard. */
export interface ExecGuardOptions {
  /** Let computed commands through (`exec_safety.allow_indirection`); off by default. */
  allowIndirection?: boolean;
}

/** Checks exec commands against the configured blocked patterns. */
export class ExecGuard {
  readonly #rules: Rule[];
  readonly #guarded: ReadonlySet<string>;
  readonly #allowIndirection: boolean;

  constructor(blocked: readonly string[], options: ExecGuardOptions = {}) {
    this.#rules = blocked.filter((b) => b.trim()).map(compileRule);
    this.#guarded = new Set(this.#rules.flatMap((r) => r.command ? [r.command.program] : []));
    this.#allowIndirection = options.allowIndirection === true;
  }

  /** The rule an argv violates, or undefined when it may run. */
  violation(argv: readonly string[]): string | undefined {
    if (!this.#rules.length || !argv.length) return undefined;
    const commands: Command[] = [];
    expand([...argv], 0, commands);
    const views = [
      looseForm(argv.join(" ")),
      ...commands.map((c) => looseForm([c.program, ...c.args].join(" "))),
    ];
    // Cleaned once per command, not once per rule.
    const cleaned = commands.map(commandView);
    for (const rule of this.#rules) {
      if (views.some((v) => rule.pattern.test(v))) return rule.text;
      if (cleaned.some((c) => commandMatches(rule, c))) return rule.text;
    }
    return undefined;
  }

  /**
   * Why the guard cannot read what an argv would run, or undefined (always
   * undefined without rules, or with `allow_indirection`).
   */
  indirection(argv: readonly string[]): string | undefined {
    if (!this.#rules.length || this.#allowIndirection || !argv.length) return undefined;
    const commands: Command[] = [];
    expand([...argv], 0, commands);
    for (const command of commands) {
      const why = indirection(command, this.#guarded);
      if (why) return why;
    }
    return undefined;
  }

  /**
   * Throws DKR-007 naming the rule when the command is blocked, or the
   * construct when the guard cannot read what the command would run.
   */
  check(argv: readonly string[]): void {
    const rule = this.violation(argv);
    if (rule !== undefined) {
      throw new BerthError("denied_by_policy", `Command blocked by exec_safety rule '${rule}'`, {
        hint:
          "The operator blocks commands matching exec_safety.blocked_commands; run a narrower command",
      });
    }
    const why = this.indirection(argv);
    if (why !== undefined) {
      throw new BerthError(
        "denied_by_policy",
        `Command blocked: ${why}, so the exec guard cannot check it against exec_safety.blocked_commands`,
        {
          hint: "Write the command out literally (no $(…), backticks, eval, variables in the " +
            "command or in a guarded command's arguments, or … | sh); the operator can allow " +
            "such commands with exec_safety.allow_indirection: true in the config file",
        },
      );
    }
  }
}
