/**
 * Exec and copy tools against the real engine (suite `exec`): exit codes,
 * stdout/stderr kept apart, shell strings, truncation, a timeout that really
 * ends the process, and files copied in and out, all checked with the docker
 * CLI (`docker exec`, `docker top`).
 */

import assert from "node:assert/strict";
import { call, callOk, cleanup, docker, errorCode, runContainer, testApp } from "../helpers/mod.ts";

const SUITE = "exec";

await cleanup(SUITE);
const app = await testApp({ allow: "all" });
const target = await runContainer(SUITE, { command: ["sleep", "3600"] });

Deno.test("exec: exit code, stdout and stderr kept apart", async () => {
  const r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: ["sh", "-c", "echo out; echo err >&2; exit 4"],
  });
  assert.equal(r.structured.exit_code, 4);
  assert.equal(r.structured.stdout, "out\n");
  assert.equal(r.structured.stderr, "err\n");
  assert.equal(r.structured.truncated, false);
  assert.deepEqual(r.structured.dropped_bytes, { stdout: 0, stderr: 0 });
  assert.match(r.text, /Exit code 4/);
});

Deno.test("exec: strings run directly, or through sh -c when they need a shell", async () => {
  let r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: "echo one two three | wc -w",
  });
  assert.equal((r.structured.stdout as string).trim(), "3");
  r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: "cat /etc/hostname",
  });
  const id = await docker("inspect", "--format", "{{.Id}}", target);
  assert.equal((r.structured.stdout as string).trim(), id.slice(0, 12));
  // No shell: '$HOME' stays literal when passed as an argv element.
  r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: ["echo", "$HOME"],
  });
  assert.equal(r.structured.stdout, "$HOME\n");
});

Deno.test("exec: environment, workdir and user", async () => {
  const r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: "echo $GREETING; pwd; id -u",
    environment: { GREETING: "hi there" },
    workdir: "/tmp",
    user: "1234",
  });
  assert.equal(r.structured.stdout, "hi there\n/tmp\n1234\n");
});

Deno.test("exec: output beyond max_output is cut and flagged", async () => {
  const r = await callOk(app, "docker_exec_command", {
    container_id: target,
    command: "head -c 25000 /dev/zero | tr '\\0' a; echo done >&2",
  });
  assert.equal(r.structured.truncated, true);
  assert.equal((r.structured.stdout as string).length, 10_000);
  assert.equal(r.structured.stderr, "done\n", "stderr has its own budget");
  assert.equal(r.structured.exit_code, 0);
  assert.deepEqual(r.structured.dropped_bytes, { stdout: 15_000, stderr: 0 });
  assert.match(r.text, /15,000 bytes of stdout dropped/);
  assert.match(r.text, /docker_copy_from_container/);
});

Deno.test("exec: at the timeout berth ends the process and its children", async () => {
  const started = Date.now();
  const r = await call(app, "docker_exec_command", {
    container_id: target,
    command: "echo started; sleep 301 | cat",
    timeout: 1,
  });
  assert.equal(errorCode(r), "DKR-008", r.text);
  assert.match(r.text, /berth ended it: SIGKILL to \d processes, and docker top shows none/);
  assert.match(r.text, /started/, "partial output is kept in the error context");
  assert.ok(Date.now() - started < 10_000);
  const top = await docker("top", target, "-o", "pid,args");
  assert.doesNotMatch(top, /sleep 301/, top);
  assert.doesNotMatch(top, /cat/, top);
});

Deno.test("exec: refusals", async () => {
  const stopped = await runContainer(SUITE, { command: ["true"] });
  await docker("wait", stopped);
  let r = await call(app, "docker_exec_command", { container_id: stopped, command: "ls" });
  assert.equal(errorCode(r), "DKR-010");
  assert.match(r.text, /docker_start_container/);
  r = await call(app, "docker_exec_command", { container_id: "berth-exec-missing", command: "ls" });
  assert.equal(errorCode(r), "DKR-002");
  r = await call(app, "docker_exec_command", { container_id: target, command: "  " });
  assert.equal(errorCode(r), "DKR-004");
  r = await call(app, "docker_exec_command", {
    container_id: target,
    command: "ls",
    workdir: "tmp",
  });
  assert.match(r.text, /'workdir'/);
});

Deno.test("copy: files into a container, inline and from the host", async () => {
  await docker("exec", target, "mkdir", "-p", "/srv/in");
  const host = await Deno.makeTempDir({ prefix: "berth-exec-" });
  await Deno.mkdir(`${host}/tree/sub`, { recursive: true });
  await Deno.writeTextFile(`${host}/tree/sub/from-host.txt`, "host data\n");
  try {
    let r = await callOk(app, "docker_copy_to_container", {
      container_id: target,
      path: "/srv/in",
      files: [
        { name: "a.txt", content: "hello\n" },
        { name: "conf/run.sh", content: "#!/bin/sh\necho ran\n", mode: "0755" },
        { name: "bin.dat", content: "AAEC/w==", encoding: "base64" },
      ],
    });
    assert.deepEqual(r.structured.copied, ["a.txt", "conf/run.sh", "bin.dat"]);
    // 6 + 19 + 4 bytes, in the docker CLI's units.
    assert.match(r.text, /^Copied 3 entries \(29 B\) into /);
    assert.equal(await docker("exec", target, "cat", "/srv/in/a.txt"), "hello");
    assert.equal(await docker("exec", target, "/srv/in/conf/run.sh"), "ran");
    assert.equal(await docker("exec", target, "stat", "-c", "%a", "/srv/in/conf/run.sh"), "755");
    assert.equal(
      await docker("exec", target, "od", "-An", "-tx1", "/srv/in/bin.dat"),
      "00 01 02 ff",
    );

    r = await callOk(app, "docker_copy_to_container", {
      container_id: target,
      path: "/srv/in",
      source_path: `${host}/tree`,
    });
    assert.ok((r.structured.copied as string[]).includes("tree/sub/from-host.txt"));
    assert.equal(
      await docker("exec", target, "cat", "/srv/in/tree/sub/from-host.txt"),
      "host data",
    );
    r = await callOk(app, "docker_copy_to_container", {
      container_id: target,
      path: "/srv/in",
      files: [{ name: "big.txt", content: "x".repeat(5_000_000) }],
    });
    assert.match(r.text, /^Copied 1 entry \(5 MB\) into .*: big\.txt$/);

    for (const name of ["../escape.txt", "/etc/evil", "a/../../b", ""]) {
      r = await call(app, "docker_copy_to_container", {
        container_id: target,
        path: "/srv/in",
        files: [{ name, content: "x" }],
      });
      assert.equal(errorCode(r), "DKR-004", `${name}: ${r.text}`);
    }
    await assert.rejects(docker("exec", target, "ls", "/srv/escape.txt"));
    r = await call(app, "docker_copy_to_container", {
      container_id: target,
      path: "/srv/missing-dir",
      files: [{ name: "a", content: "x" }],
    });
    assert.equal(errorCode(r), "DKR-011", r.text);
    assert.match(r.text, /mkdir -p/);
  } finally {
    await Deno.remove(host, { recursive: true });
  }
});

Deno.test("copy: files out of a container, text content and binary sizes", async () => {
  await docker(
    "exec",
    target,
    "sh",
    "-c",
    "mkdir -p /srv/out/d && printf 'line 1\\nline 2\\n' > /srv/out/d/notes.txt && " +
      "head -c 100 /dev/urandom > /srv/out/d/blob.bin && ln -s notes.txt /srv/out/d/link",
  );
  let r = await callOk(app, "docker_copy_from_container", {
    container_id: target,
    path: "/srv/out/d",
  });
  type Listed = {
    name: string;
    type: string;
    size: number;
    content: string | null;
    content_omitted: string | null;
    link_target: string | null;
    mode: string;
  };
  const entries = r.structured.entries as Listed[];
  // Names are absolute container paths, whatever the form of the request.
  const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
  assert.equal(byName["/srv/out/d"].type, "directory");
  assert.equal(byName["/srv/out/d/notes.txt"].content, "line 1\nline 2\n");
  assert.equal(byName["/srv/out/d/notes.txt"].content_omitted, null);
  assert.equal(byName["/srv/out/d/notes.txt"].mode, "0644");
  assert.equal(byName["/srv/out/d/blob.bin"].size, 100);
  assert.equal(byName["/srv/out/d/blob.bin"].content, null, "binary content is not returned");
  assert.equal(byName["/srv/out/d/blob.bin"].content_omitted, "binary", "and says why");
  assert.match(r.text, /\/srv\/out\/d\/blob\.bin {2}\(binary, 100 bytes: not shown\)/);
  assert.match(r.text, /\["base64", "\/srv\/out\/d\/blob\.bin"\]/);
  assert.equal(byName["/srv/out/d/link"].type, "symlink");
  assert.equal(byName["/srv/out/d/link"].link_target, "notes.txt");
  assert.equal(r.structured.truncated, false);
  for (const path of ["/srv/out/d/", "/srv/out/d/.", "/srv/out/d/../d"]) {
    const again = await callOk(app, "docker_copy_from_container", { container_id: target, path });
    const names = (again.structured.entries as Listed[]).map((e) => e.name).sort();
    assert.deepEqual(names, Object.keys(byName).sort(), path);
  }
  const root = await callOk(app, "docker_copy_from_container", { container_id: target, path: "/" });
  const rootNames = (root.structured.entries as Listed[]).map((e) => e.name);
  assert.equal(rootNames[0], "/");
  assert.ok(rootNames.includes("/bin"), "no empty name, no name without its leading slash");
  assert.ok(rootNames.every((n) => n.startsWith("/") && !n.startsWith("//")));

  r = await callOk(app, "docker_copy_from_container", {
    container_id: target,
    path: "/srv/out/d/notes.txt",
  });
  assert.equal((r.structured.entries as { content: string }[])[0].content, "line 1\nline 2\n");
  assert.equal((r.structured.entries as { name: string }[])[0].name, "/srv/out/d/notes.txt");

  r = await call(app, "docker_copy_from_container", { container_id: target, path: "/no/such" });
  assert.equal(errorCode(r), "DKR-011");
});

Deno.test("exec: on the default read-only app exec and copy answer DKR-007", async () => {
  const readOnly = await testApp();
  try {
    for (
      const [tool, args] of [
        ["docker_exec_command", { container_id: target, command: "ls" }],
        ["docker_copy_to_container", { container_id: target, path: "/tmp", files: [] }],
        ["docker_copy_from_container", { container_id: target, path: "/etc" }],
      ] as const
    ) {
      const r = await call(readOnly, tool, args);
      assert.equal(errorCode(r), "DKR-007", `${tool}: ${r.text}`);
    }
  } finally {
    readOnly.engine.close();
  }
});

Deno.test("exec: cleanup", async () => {
  await cleanup(SUITE);
  app.engine.close();
});
