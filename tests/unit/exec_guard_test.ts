/**
 * Unit tests of the exec guard: the default blocked patterns against the
 * spellings an attacker (or a careless model) would try, and the commands
 * that must still run.
 */

import { DEFAULT_BLOCKED_COMMANDS } from "../../src/config/mod.ts";
import { ExecGuard, looseForm, plainPaths } from "../../src/policy/exec_guard.ts";
import { lexShell } from "../../src/policy/shell.ts";
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
    ["j", "$", "$", ">", "/dev/null"],
  ]);
  assertEquals(lexed.nested, ["k l", "m"]);
  assertEquals(looseForm(`r''m "-rf" \\/`), "rm -rf /");
});
