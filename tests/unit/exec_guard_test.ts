/**
 * Unit tests of the exec guard: the default blocked patterns against the
 * spellings an attacker (or a careless model) would try, and the commands
 * that must still run.
 */

import { DEFAULT_BLOCKED_COMMANDS } from "../../src/config/mod.ts";
import { ExecGuard, looseForm, plainPaths } from "../../src/policy/exec_guard.ts";
import { DYNAMIC, lexShell } from "../../src/policy/shell.ts";
import { assertDenied, assertEquals } from "../helpers/asserts.ts";

const guard = new ExecGuard(DEFAULT_BLOCKED_COMMANDS);

/** Commands blocked by the default rules, with the rule each must name. */
export const BLOCKED: [string[], string][] = [
  [["rm", "-rf", "/"], "rm -rf"],
  [["rm", "-fr", "/"], "rm -rf"],
  [["rm", "-r", "-f", "/"], "rm -rf"],
  [["rm", "-Rf", "/data"], "rm -rf"],
  [["rm", "--recursive", "--force", "/"], "rm -rf"],
  [["rm", "-r", "--force", "/"], "rm -rf"],
  [["rm", "-rfv", "--no-preserve-root", "/"], "rm -rf"],
  [["/bin/rm", "-rf", "/"], "rm -rf"],
  [["\\rm", "-rf", "/"], "rm -rf"],
  [["sh", "-c", "rm -rf /"], "rm -rf"],
  [["/bin/sh", "-c", "rm -rf /"], "rm -rf"],
  [["bash", "-c", "r''m -rf /"], "rm -rf"],
  [["bash", "-c", 'r""m -r -f /'], "rm -rf"],
  [["bash", "-lc", "cd / && rm   -rf   ."], "rm -rf"],
  [["sh", "-e", "-c", "true; rm -fr /srv"], "rm -rf"],
  [["sh", "-c", "sh -c 'bash -c \"rm -rf /\"'"], "rm -rf"],
  [["sh", "-c", "echo $(rm -rf /)"], "rm -rf"],
  [["sh", "-c", "echo `rm -rf /`"], "rm -rf"],
  [["sh", "-c", "$(echo rm) -rf /"], "rm -rf"],
  [["sh", "-c", "eval 'rm -rf /'"], "rm -rf"],
  [["env", "FOO=1", "rm", "-rf", "/"], "rm -rf"],
  [["sudo", "-u", "root", "rm", "-rf", "/"], "rm -rf"],
  [["busybox", "rm", "-rf", "/"], "rm -rf"],
  [["timeout", "5", "rm", "-rf", "/"], "rm -rf"],
  [["nice", "-n", "10", "rm", "-r", "-f", "/"], "rm -rf"],
  [["sh", "-c", "find / -name x | xargs rm -rf"], "rm -rf"],
  [["sh", "-c", "FOO=bar\trm\n-rf /"], "rm -rf"],
  [["sh", "-c", "r\\m -rf /"], "rm -rf"],
  [["python3", "-c", "import os; os.system('rm -rf /')"], "rm -rf"],
  [["su", "-c", "rm -rf /", "root"], "rm -rf"],
  [["dd", "if=/dev/zero", "of=/dev/sda"], "dd if="],
  [["dd", "of=/dev/sda", "if=/dev/zero"], "dd if="],
  [["sh", "-c", "d'd' if=/dev/urandom of=/dev/sda"], "dd if="],
  [["mkfs.ext4", "/dev/sda1"], "mkfs"],
  [["/sbin/mkfs", "-t", "ext4", "/dev/sda1"], "mkfs"],
  [["sh", "-c", "echo x > /dev/sda"], "> /dev/"],
  [["sh", "-c", "echo x >/dev/sda"], "> /dev/"],
  [["sh", "-c", "cat a 1>>/dev/sdb"], "> /dev/"],
];

/** Commands the default rules must let through. */
export const ALLOWED: string[][] = [
  ["ls", "-la", "/"],
  ["rm", "/tmp/file"],
  ["rm", "-f", "/tmp/file"],
  ["rm", "-r", "/tmp/dir"],
  ["sh", "-c", "ls /dev 2>/dev/null"],
  ["sh", "-c", "grep x file > /dev/null 2>&1"],
  ["sh", "-c", "echo hi >/dev/stderr"],
  ["echo", "farm -rf"],
  ["cat", "/etc/os-release"],
  ["sh", "-c", "add if= x"],
  ["ps", "aux"],
];

for (const [argv, rule] of BLOCKED) {
  Deno.test(`exec guard blocks ${JSON.stringify(argv)} (rule '${rule}')`, () => {
    const error = assertDenied(() => guard.check(argv));
    assertEquals(error.message, `Command blocked by exec_safety rule '${rule}'`);
  });
}

Deno.test("exec guard lets ordinary commands run", () => {
  for (const argv of ALLOWED) assertEquals(guard.violation(argv), undefined, argv.join(" "));
});

Deno.test("exec guard: no rules, no checks; an empty argv is not a violation", () => {
  assertEquals(new ExecGuard([]).violation(["rm", "-rf", "/"]), undefined);
  assertEquals(guard.violation([]), undefined);
});

Deno.test("exec guard: custom rules are matched with the same normalisation", () => {
  const custom = new ExecGuard(["shutdown", "chmod -R 777", "nc -e"]);
  assertEquals(custom.violation(["/sbin/shutdown", "-h", "now"]), "shutdown");
  assertEquals(custom.violation(["chmod", "777", "-R", "/"]), "chmod -R 777");
  assertEquals(custom.violation(["chmod", "--recursive", "777", "/"]), "chmod -R 777");
  assertEquals(custom.violation(["sh", "-c", "x=1; /usr/bin/nc -l -e /bin/sh"]), "nc -e");
  assertEquals(custom.violation(["chmod", "755", "file"]), undefined);
});

Deno.test("exec guard: a path in a rule holds for every spelling of it (//, /./)", () => {
  const custom = new ExecGuard(["cat /etc/passwd", "rm /data/keep"]);
  for (
    const argv of [
      ["cat", "/etc//passwd"],
      ["cat", "//etc/passwd"],
      ["cat", "/etc/./passwd"],
      ["cat", "/etc/././/passwd"],
      ["/bin//cat", "/./etc/passwd"],
      ["sh", "-c", "cat '/etc//passwd'"],
      ["sh", "-c", "cat /etc/.//passwd | head -1"],
    ]
  ) {
    assertEquals(custom.violation(argv), "cat /etc/passwd", JSON.stringify(argv));
  }
  assertEquals(custom.violation(["rm", "/data//keep"]), "rm /data/keep");
  assertEquals(guard.violation(["sh", "-c", "echo x > //dev//sda"]), "> /dev/");
  // Not the same file: a dot that starts a name, '..' (left to the kernel), another file.
  assertEquals(custom.violation(["cat", "/etc/.passwd"]), undefined);
  assertEquals(custom.violation(["cat", "/etc//group"]), undefined);
  assertEquals(plainPaths("a//b/./c/. /./x ./y"), "a/b/c/ /x ./y");
});

Deno.test("exec guard: shells nested beyond the limit are refused, not waved through", () => {
  let payload = "rm -rf /";
  for (let i = 0; i < 12; i++) payload = `sh -c ${JSON.stringify(payload)}`;
  assertDenied(() => guard.check(["sh", "-c", payload]));
});

Deno.test("shell lexer: quotes, escapes, separators, substitutions, redirections", () => {
  const lexed = lexShell(`a 'b c' "d \\"e\\"" f\\ g; h && i | j $(k l) \`m\` 2>/dev/null`);
  assertEquals(lexed.commands, [
    ["a", "b c", 'd "e"', "f g"],
    ["h"],
    ["i"],
    ["j", DYNAMIC, DYNAMIC, ">", "/dev/null"],
  ]);
  assertEquals(lexed.nested, ["k l", "m"]);
  assertEquals(looseForm(`r''m "-rf" \\/`), "rm -rf /");
});

Deno.test("exec guard: computed commands are refused while rules are set (exec_safety.allow_indirection)", () => {
  const guard = new ExecGuard(DEFAULT_BLOCKED_COMMANDS);
  const sh = (text: string) => ["sh", "-c", text];
  const hostile: [string, string[]][] = [
    ["flags from a substitution", sh("rm -$(echo rf) /data")],
    ["flags from backticks", sh("rm -`echo rf` /data")],
    ["set -- then $@", sh('set -- -rf /data; rm "$@"')],
    ["the program from $@", sh('set -- rm -rf /data; "$@"')],
    ["eval of a built string", sh('eval "$(printf "r%s -rf /data" m)"')],
    ["eval of a literal", sh("eval echo hi")],
    ["$0 as the program", ["sh", "-c", '$0 -c "r""m -r""f /data"', "sh"]],
    ["a variable as the program", sh("X=rm; $X -rf /data")],
    ["${IFS} in the program word", sh("rm${IFS}-rf${IFS}/data")],
    ["hex printf as the program", sh("$(printf '\\x72\\x6d') -rf /data")],
    ["octal printf piped to sh", sh("printf '\\162\\155 -rf /data' | sh")],
    ["base64 piped to bash", sh("echo cm0gLXJmIC9kYXRh | base64 -d | bash")],
    ["sh -c of a variable", sh('C="rm -rf /data"; sh -c "$C"')],
    ["xargs feeding rm", sh("echo /data | xargs rm -r")],
    ["find -exec rm", ["find", "/data", "-exec", "rm", "-r", "{}", "+"]],
    ["exec of $@", sh('set -- rm -rf /data; exec "$@"')],
    ["env with a variable program", sh("env $CMD /data")],
    ["ANSI-C quoting", ["bash", "-c", "$'\\x72\\x6d' -rf /data"]],
    ["dd with a computed operand", sh('dd "$(echo if=/dev/zero)" of=/x')],
  ];
  for (const [what, argv] of hostile) {
    const error = assertDenied(() => guard.check(argv), "DKR-007", what);
    assertEquals(/Command blocked/.test(error.message), true, what);
  }
  const error = assertDenied(() => guard.check(sh("rm -$(echo rf) /data")));
  assertEquals(/exec_safety\.allow_indirection: true/.test(error.hint ?? ""), true);
  assertEquals(/the arguments of rm are computed/.test(error.message), true, error.message);

  // Everyday commands: computed values where no guarded program takes them.
  for (
    const ok of [
      sh("echo $(date) $HOME"),
      sh("for f in $(ls /tmp); do echo $f; done"),
      sh("cd $HOME && ls -la"),
      sh("echo '$literal' | grep x"),
      sh("ls | xargs echo"),
      sh("rm -f /tmp/x.log"),
      ["rm", "-f", "$not-a-shell-variable"],
      ["sh", "/scripts/run.sh"],
      ["printenv"],
    ]
  ) guard.check(ok);

  // The operator's switch, and a guard without rules, let computed commands through.
  new ExecGuard(DEFAULT_BLOCKED_COMMANDS, { allowIndirection: true }).check(sh("rm -f $X"));
  new ExecGuard([]).check(sh("rm -$(echo rf) /data"));
  // A rule that matches still names the rule.
  assertEquals(
    /rule 'rm -rf'/.test(assertDenied(() => guard.check(sh("$(echo rm) -rf /"))).message),
    true,
  );
});
