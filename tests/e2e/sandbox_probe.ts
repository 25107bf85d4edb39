/**
 * A probe of Deno's sandbox, run by tests/e2e/sandbox_test.ts under exactly
 * the permissions berth runs with (`deno run -P=berth`, or the locked-down
 * recipe). It tries what berth must never do and what it must always do, and
 * prints one JSON object: attempt → "ok" or the error's name (NotCapable …).
 *
 * Usage: deno run -P=berth tests/e2e/sandbox_probe.ts <tcp-port> [socket]
 *
 * @module
 */

const port = Number(Deno.args[0] ?? 0);
const socket = Deno.args[1] ?? "/var/run/docker.sock";

async function attempt(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (error) {
    return (error as Error)?.name ?? String(error);
  }
}

function home(): string {
  try {
    return Deno.env.get("HOME") ?? "/root";
  } catch {
    return "/root";
  }
}

const results: Record<string, string> = {
  read_etc_shadow: await attempt(() => Deno.readTextFileSync("/etc/shadow")),
  read_etc_passwd: await attempt(() => Deno.readTextFileSync("/etc/passwd")),
  read_home_ssh: await attempt(() => [...Deno.readDirSync(`${home()}/.ssh`)]),
  read_home_ssh_key: await attempt(() => Deno.readTextFileSync(`${home()}/.ssh/id_rsa`)),
  read_home_docker_config: await attempt(() =>
    Deno.readTextFileSync(`${home()}/.docker/config.json`)
  ),
  write_tmp: await attempt(() => Deno.writeTextFileSync("/tmp/berth-sandbox-probe", "x")),
  write_home: await attempt(() =>
    Deno.writeTextFileSync(`${home()}/.bashrc`, "x", { append: true })
  ),
  run_subprocess: await attempt(() => new Deno.Command("true").outputSync()),
  ffi: await attempt(() => Deno.dlopen("libc.so.6", {})),
  env_path: await attempt(() => Deno.env.get("PATH")),
  env_docker_host: await attempt(() => Deno.env.get("DOCKER_HOST")),
  net_metadata: await attempt(async () => {
    const conn = await Deno.connect({ hostname: "169.254.169.254", port: 80 });
    conn.close();
  }),
  net_tcp_local: await attempt(async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
  }),
  net_other_unix_socket: await attempt(async () => {
    const conn = await Deno.connect({ transport: "unix", path: "/tmp/berth-probe.sock" });
    conn.close();
  }),
  engine_ping: await attempt(async () => {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path: socket } });
    try {
      const response = await fetch("http://192.0.2.1/_ping", { client });
      if ((await response.text()) !== "OK") throw new Error("not OK");
    } finally {
      client.close();
    }
  }),
};
console.log(JSON.stringify(results));
