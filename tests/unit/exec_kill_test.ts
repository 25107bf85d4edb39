/**
 * Which container processes an exec timeout kills (src/docker/exec_kill.ts):
 * the exec's session and descendants in the engine's table, matched inside the
 * container by command line and age, never a twin that is not the exec's, never PID 1.
 * (tests/integration/exec_timeout_test.ts proves it against the real engine.)
 */

import assert from "node:assert/strict";
import {
  containerTargets,
  hostTargets,
  parseContainerList,
  type ProcessRow,
} from "../../src/docker/exec_kill.ts";

const row = (pid: number, ppid: number, sid: number, args: string, age = 10, state = "S") => ({
  pid,
  ppid,
  sid,
  args,
  age,
  state,
});

Deno.test("exec kill: the exec's session, its descendants and adopted orphans of the session", () => {
  const host: ProcessRow[] = [
    row(30000, 100, 30000, "sleep 600", 500), // the container's init
    row(3, 100, 3, "sleep 3599", 5), // the exec (host PIDs wrapped: 3 < 30000)
    row(4, 3, 3, "sleep 10"),
    row(5, 30000, 3, "sleep 11"), // double fork: adopted by init, still in the session
    row(6, 5, 6, "sleep 12"), // a setsid'd child of it
    row(7, 100, 7, "sleep 3599", 300), // someone else's exec, same command, older
    row(8, 3, 3, "defunct", 1, "Z"),
  ];
  assert.deepEqual(hostTargets(host, 3).map((r) => r.pid), [3, 4, 5, 6]);
  const inside: ProcessRow[] = [
    row(1, 0, 1, "sleep 600", 500.4),
    row(40, 0, 40, "sleep 3599", 5.3),
    row(41, 40, 40, "sleep 10", 9.8),
    row(42, 1, 40, "sleep 11", 10.1),
    row(43, 42, 43, "sleep 12", 10.2),
    row(20, 0, 20, "sleep 3599", 300.2),
    { ...row(50, 1, 50, "sleep 13", 1), marked: true },
  ];
  assert.deepEqual(containerTargets(host, hostTargets(host, 3), inside), [40, 41, 42, 43, 50]);
});

Deno.test("exec kill: a twin of the same age that is not the exec's is left alone", () => {
  const host = [row(3, 100, 3, "sleep 5", 5), row(9, 100, 9, "sleep 5", 5)];
  const inside = [row(40, 0, 40, "sleep 5", 5.2), row(41, 0, 41, "sleep 5", 5.1)];
  assert.deepEqual(containerTargets(host, hostTargets(host, 3), inside), []);
});

Deno.test("exec kill: the helper's listing is read, its own session left out", () => {
  const rows = parseContainerList(
    "self 77\nuptime 1000.50\n1 0 1 S 0 500 sleep 600 \n77 0 77 R 0 99000 sh -c x\n" +
      "78 77 77 R 0 99000 grep -q\n40 0 40 S 1 99000 sleep  3599 \n",
  );
  assert.deepEqual(rows.map((r) => [r.pid, r.args, Math.floor(r.age), r.marked]), [
    [1, "sleep 600", 995, false],
    [40, "sleep 3599", 10, true],
  ]);
});
