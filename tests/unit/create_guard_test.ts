/**
 * Unit tests of the create guard and host path rules: every dangerous create
 * option is refused by default and allowed by its own key; host paths are
 * normalised so no spelling slips past.
 */

import { ConfigPolicy, type GuardSettings } from "../../src/policy/mod.ts";
import { HostPathRules, normalizeHostPath } from "../../src/policy/host_paths.ts";
import { bindSource, capabilityName, renamed } from "../../src/policy/create_guard.ts";
import { BerthError } from "../../src/errors/mod.ts";
import { assert, assertDenied, assertEquals } from "../helpers/asserts.ts";

const strict = new ConfigPolicy({ levels: ["create"], home: "/home/alice" });
const permissive = (guards: Partial<GuardSettings>) =>
  new ConfigPolicy({ levels: ["create"], guards, home: "/home/alice" });

/** Create bodies refused by default: [what, body, the config key that allows it]. */
export const DANGEROUS: [string, Record<string, unknown>, Partial<GuardSettings>][] = [
  ["Privileged", { HostConfig: { Privileged: true } }, { allowPrivileged: true }],
  ["privileged in odd case", { HostConfig: { privileged: true } }, { allowPrivileged: true }],
  ["duplicate keys, last wins", { HostConfig: { Privileged: false, PRIVILEGED: true } }, {
    allowPrivileged: true,
  }],
  ["top-level (deprecated) Privileged", { Privileged: true }, { allowPrivileged: true }],
  ["hostconfig key in odd case", { hostconfig: { Privileged: true } }, { allowPrivileged: true }],
  ["PidMode host", { HostConfig: { PidMode: "host" } }, { allowHostNamespaces: true }],
  ["IpcMode host", { HostConfig: { IpcMode: "host" } }, { allowHostNamespaces: true }],
  ["NetworkMode host", { HostConfig: { NetworkMode: "HOST" } }, { allowHostNamespaces: true }],
  ["UTSMode host", { HostConfig: { UTSMode: "host" } }, { allowHostNamespaces: true }],
  ["UsernsMode host", { HostConfig: { UsernsMode: "host" } }, { allowHostNamespaces: true }],
  ["CapAdd SYS_ADMIN", { HostConfig: { CapAdd: ["SYS_ADMIN"] } }, {
    allowedCapabilities: ["SYS_ADMIN"],
  }],
  ["CapAdd cap_sys_ptrace", { HostConfig: { CapAdd: ["cap_sys_ptrace"] } }, {
    allowedCapabilities: ["CAP_SYS_PTRACE"],
  }],
  ["CapAdd ALL", { HostConfig: { CapAdd: ["ALL"] } }, { allowedCapabilities: ["ALL"] }],
  ["Devices", { HostConfig: { Devices: [{ PathOnHost: "/dev/sda" }] } }, { allowDevices: true }],
  ["DeviceCgroupRules", { HostConfig: { DeviceCgroupRules: ["a *:* rwm"] } }, {
    allowDevices: true,
  }],
  ["DeviceRequests (GPUs)", { HostConfig: { DeviceRequests: [{ Count: -1 }] } }, {
    allowGpus: true,
  }],
  ["seccomp=unconfined", { HostConfig: { SecurityOpt: ["seccomp=unconfined"] } }, {
    allowUnconfined: true,
  }],
  ["seccomp:unconfined", { HostConfig: { SecurityOpt: ["seccomp:unconfined"] } }, {
    allowUnconfined: true,
  }],
  ["custom seccomp profile", {
    HostConfig: { SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] },
  }, {
    allowUnconfined: true,
  }],
  ["apparmor=unconfined", { HostConfig: { SecurityOpt: ["apparmor=Unconfined"] } }, {
    allowUnconfined: true,
  }],
  ["label=disable", { HostConfig: { SecurityOpt: ["label=disable"] } }, { allowUnconfined: true }],
  ["label=type:spc_t", { HostConfig: { SecurityOpt: ["label=type:spc_t"] } }, {
    allowUnconfined: true,
  }],
  ["systempaths=unconfined", { HostConfig: { SecurityOpt: ["systempaths=unconfined"] } }, {
    allowUnconfined: true,
  }],
  ["MaskedPaths []", { HostConfig: { MaskedPaths: [] } }, { allowUnconfined: true }],
  ["unsafe sysctl", { HostConfig: { Sysctls: { "kernel.core_pattern": "|/x" } } }, {
    allowUnconfined: true,
  }],
  ["VolumesFrom", { HostConfig: { VolumesFrom: ["other"] } }, { allowVolumesFrom: true }],
  ["bind /", { HostConfig: { Binds: ["/:/host"] } }, { allowedHostPaths: ["/"] }],
  ["bind //", { HostConfig: { Binds: ["//:/host"] } }, { allowedHostPaths: ["/"] }],
  ["bind /etc/..", { HostConfig: { Binds: ["/etc/..:/host"] } }, { allowedHostPaths: ["/"] }],
  ["bind /etc/../", { HostConfig: { Binds: ["/etc/../:/host:ro"] } }, { allowedHostPaths: ["/"] }],
  ["bind /etc", { HostConfig: { Binds: ["/etc:/x:ro"] } }, { allowedHostPaths: ["/etc"] }],
  ["bind /etc/", { HostConfig: { Binds: ["/etc/:/x"] } }, { allowedHostPaths: ["/etc"] }],
  ["bind /./etc//ssh", { HostConfig: { Binds: ["/./etc//ssh:/x"] } }, {
    allowedHostPaths: ["/etc"],
  }],
  ["bind docker.sock", { HostConfig: { Binds: ["/var/run/docker.sock:/var/run/docker.sock"] } }, {
    allowedHostPaths: ["/var/run/docker.sock"],
  }],
  ["bind /run/../var/run/docker.sock", {
    HostConfig: { Binds: ["/run/../var/run/docker.sock:/s"] },
  }, { allowedHostPaths: ["/var/run/docker.sock"] }],
  ["bind /run/docker.sock", { HostConfig: { Binds: ["/run/docker.sock:/s"] } }, {
    allowedHostPaths: ["/run"],
  }],
  ["bind /var (holds the socket)", { HostConfig: { Binds: ["/var:/v"] } }, {
    allowedHostPaths: ["/var"],
  }],
  ["bind /root", { HostConfig: { Binds: ["/root:/r"] } }, { allowedHostPaths: ["/root"] }],
  ["bind /proc", { HostConfig: { Binds: ["/proc:/p"] } }, { allowedHostPaths: ["/proc"] }],
  ["bind /sys", { HostConfig: { Binds: ["/sys:/s"] } }, { allowedHostPaths: ["/sys"] }],
  ["bind /boot", { HostConfig: { Binds: ["/boot:/b"] } }, { allowedHostPaths: ["/boot"] }],
  ["bind /dev", { HostConfig: { Binds: ["/dev:/d"] } }, { allowedHostPaths: ["/dev"] }],
  ["bind /ETC (case)", { HostConfig: { Binds: ["/ETC:/e"] } }, { allowedHostPaths: ["/ETC"] }],
  ["bind ~/.ssh", { HostConfig: { Binds: ["/home/alice/.ssh:/k:ro"] } }, {
    allowedHostPaths: ["/home/alice/.ssh"],
  }],
  ["bind a home", { HostConfig: { Binds: ["/home/alice:/h"] } }, {
    allowedHostPaths: ["/home/alice"],
  }],
  ["bind .aws", { HostConfig: { Binds: ["/home/bob/.aws/:/a"] } }, {
    allowedHostPaths: ["/home/bob/.aws"],
  }],
  ["bind .kube", { HostConfig: { Binds: ["/Users/carol/.kube:/k"] } }, {
    allowedHostPaths: ["/Users/carol/.kube"],
  }],
  ["bind .docker", { HostConfig: { Binds: ["/home/alice/.docker:/d"] } }, {
    allowedHostPaths: ["/home/alice/.docker"],
  }],
  ["bind .gnupg", { HostConfig: { Binds: ["/home/alice/.gnupg:/g"] } }, {
    allowedHostPaths: ["/home/alice/.gnupg"],
  }],
  ["bind .config/gcloud", { HostConfig: { Binds: ["/home/alice/.config/gcloud:/g"] } }, {
    allowedHostPaths: ["/home/alice/.config/gcloud"],
  }],
  ["bind a .ssh spelled with ..", { HostConfig: { Binds: ["/home/alice/x/../.ssh:/k"] } }, {
    allowedHostPaths: ["/home/alice/.ssh"],
  }],
  ["bind relative path", { HostConfig: { Binds: ["./data:/d"] } }, { allowedHostPaths: [] }],
  ["Mounts bind /", { HostConfig: { Mounts: [{ Type: "bind", Source: "/", Target: "/h" }] } }, {
    allowedHostPaths: ["/"],
  }],
  ["Mounts BIND type in capitals", {
    HostConfig: { Mounts: [{ type: "BIND", source: "/etc", target: "/h" }] },
  }, { allowedHostPaths: ["/etc"] }],
  ["Mounts volume with o=bind device=/", {
    HostConfig: {
      Mounts: [{
        Type: "volume",
        Target: "/h",
        VolumeOptions: { DriverConfig: { Name: "local", Options: { o: "bind", device: "/" } } },
      }],
    },
  }, { allowedHostPaths: ["/"], allowVolumeDriverOpts: true }],
  ["Mounts volume with an overlay of a host directory", {
    HostConfig: {
      Mounts: [{
        Type: "volume",
        Target: "/h",
        VolumeOptions: {
          DriverConfig: { Options: { type: "overlay", device: "overlay", o: "lowerdir=/srv/x" } },
        },
      }],
    },
  }, { allowVolumeDriverOpts: true }],
  ["Mounts volume of a plugin driver", {
    HostConfig: {
      Mounts: [{
        Type: "volume",
        Target: "/h",
        VolumeOptions: { DriverConfig: { Name: "sshfs" } },
      }],
    },
  }, { allowedVolumeDrivers: ["sshfs"] }],
  ["VolumeDriver of a plugin", { HostConfig: { VolumeDriver: "sshfs", Binds: ["v:/v"] } }, {
    allowedVolumeDrivers: ["sshfs"],
  }],
  ["top-level Binds", { Binds: ["/etc:/e"] }, { allowedHostPaths: ["/etc"] }],
  ["Windows drive root", { HostConfig: { Binds: ["C:\\:/c"] } }, { allowedHostPaths: ["C:\\"] }],
];

for (const [what, body, allow] of DANGEROUS) {
  Deno.test(`create guard refuses ${what} by default, allows it by its key`, () => {
    const error = assertDenied(() => strict.checkCreateBody(structuredClone(body)));
    assert(/not allowed|host path|Bind mount/.test(error.message), error.message);
    if (Object.keys(allow).length && !(allow.allowedHostPaths?.length === 0)) {
      if (what === "CapAdd ALL") return; // ALL is never a capability the operator can list away
      permissive(allow).checkCreateBody(structuredClone(body));
    }
  });
}

Deno.test("capability names: any case, CAP_ optional, padding trimmed, in the config check and the guard alike", () => {
  assertEquals(capabilityName(" cap_net_admin "), "NET_ADMIN");
  assertEquals(capabilityName("SYS_ADMIN"), "SYS_ADMIN");
  // A padded name passes the config check; the operator's list must then match it too.
  const padded = permissive({ allowedCapabilities: [" SYS_ADMIN"] });
  padded.checkCreateBody({ HostConfig: { CapAdd: ["SYS_ADMIN"] } });
  padded.checkCreateBody({ HostConfig: { CapAdd: ["cap_sys_admin "] } });
  assertDenied(() => padded.checkCreateBody({ HostConfig: { CapAdd: ["SYS_PTRACE"] } }));
  assertDenied(() => strict.checkCreateBody({ HostConfig: { CapAdd: [" SYS_ADMIN"] } }));
});

Deno.test("create guard lets ordinary containers through", () => {
  strict.checkCreateBody({
    Image: "nginx",
    Env: ["A=1"],
    HostConfig: {
      Binds: ["data:/data", "/srv/app:/app:ro", "/home/alice/project:/src", "/tmp/x:/x"],
      Mounts: [{ Type: "tmpfs", Target: "/run" }, { Type: "volume", Source: "v", Target: "/v" }],
      CapAdd: ["NET_BIND_SERVICE", "CAP_CHOWN"],
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true", "apparmor=docker-default", "label=level:s0:c1"],
      Sysctls: { "net.ipv4.ip_unprivileged_port_start": "0" },
      NetworkMode: "bridge",
      PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] },
      Privileged: false,
    },
  });
});

Deno.test("create guard: public ports are allowed by default, loopback-only on request", () => {
  const loopback = permissive({ allowPublicPorts: false });
  const body = (ip: string) => ({ HostConfig: { PortBindings: { "80/tcp": [{ HostIp: ip }] } } });
  loopback.checkCreateBody(body("127.0.0.1"));
  loopback.checkCreateBody(body("::1"));
  assertDenied(() => loopback.checkCreateBody(body("")));
  assertDenied(() => loopback.checkCreateBody(body("0.0.0.0")));
  assertDenied(() => loopback.checkCreateBody(body("192.168.1.5")));
  assertDenied(() => loopback.checkCreateBody({ HostConfig: { PublishAllPorts: true } }));
  strict.checkCreateBody(body("0.0.0.0"));
});

Deno.test("host paths: lexical normalisation", () => {
  assertEquals(normalizeHostPath("//"), "/");
  assertEquals(normalizeHostPath("/etc/.."), "/");
  assertEquals(normalizeHostPath("/etc/../"), "/");
  assertEquals(normalizeHostPath("/../../etc"), "/etc");
  assertEquals(normalizeHostPath("/run/../var/run/docker.sock"), "/var/run/docker.sock");
  assertEquals(normalizeHostPath("/srv/app/./x//y/"), "/srv/app/x/y");
  assertEquals(normalizeHostPath("C:\\Users\\me\\..\\..\\"), "c:/");
  assertEquals(normalizeHostPath("relative/path"), undefined);
  assertEquals(normalizeHostPath("volume-name"), undefined);
  assertEquals(bindSource("/a:/b:ro"), "/a");
  assertEquals(bindSource("C:\\data:/d"), "C:\\data");
  assertEquals(bindSource("named:/d"), "named");
});

Deno.test("host paths: allowed roots restrict copy, build and bind alike", () => {
  const rules = new HostPathRules(["/srv/projects", "/tmp/berth"]);
  rules.check("/srv/projects/app", "build");
  rules.check("/tmp/berth/../berth/x", "copy");
  for (const path of ["/srv/other", "/srv/projects/../other", "/tmp", "/srv/projectsX"]) {
    const error = assertDenied(() => rules.check(path, "copy"));
    assert(/outside permissions.allowed_host_paths/.test(error.message), error.message);
  }
  const inside = new HostPathRules(["/srv"]);
  assertDenied(() => inside.check("/srv/app/.ssh", "copy"), "DKR-007", "credentials stay closed");
  new HostPathRules(["/srv/app/.ssh"]).check("/srv/app/.ssh/known_hosts", "copy");
  assertDenied(() => new HostPathRules([]).check("/", "build"));
  assertDenied(() => new HostPathRules([], "/var/jenkins").check("/var/jenkins", "bind"));
});

Deno.test("volume create: only the local driver with a tmpfs by default; the rest by the config", () => {
  for (
    const ok of [
      {},
      { Driver: "local" },
      { Driver: "", DriverOpts: {} },
      {
        DriverOpts: { type: "tmpfs", device: "tmpfs", o: "size=100m,uid=1000,gid=1000,mode=1777" },
      },
      { DriverOpts: { type: "tmpfs", o: "nr_inodes=1k,noexec,nosuid" } },
    ]
  ) strict.checkVolumeBody(ok);
  const hostile: Record<string, unknown>[] = [
    { DriverOpts: { type: "overlay", device: "overlay", o: "lowerdir=/etc:/tmp/x/lower2" } },
    { DriverOpts: { type: "none", o: "bind", device: "/" } },
    { DriverOpts: { type: "none", o: "bind", device: "/srv/data" } },
    { DriverOpts: { o: "bind", device: "/etc/../root" } },
    { DriverOpts: { type: "nfs", o: "addr=127.0.0.1,rw", device: ":/export" } },
    { DriverOpts: { type: "cifs", o: "addr=127.0.0.1", device: "//127.0.0.1/share" } },
    { DriverOpts: { type: "ext4", device: "/dev/sda1" } },
    { DriverOpts: { type: "btrfs", device: "/dev/sdb" } },
    { DriverOpts: { type: "tmpfs", device: "/etc" } },
    { DriverOpts: { type: "tmpfs", o: "size=1m,bind" } },
    { DriverOpts: { type: "tmpfs", o: "lowerdir=/etc" } },
    { DriverOpts: { Type: "tmpfs" } },
    { DriverOpts: { type: "tmpfs", size: "1m" } },
    { Driver: "sshfs" },
    { Driver: "Local" },
  ];
  for (const body of hostile) assertDenied(() => strict.checkVolumeBody(body));
  // The config's permission opens other options; the host paths they name are still judged.
  const opts = permissive({ allowVolumeDriverOpts: true });
  opts.checkVolumeBody({ DriverOpts: { type: "none", o: "bind", device: "/srv/data" } });
  opts.checkVolumeBody({ DriverOpts: { type: "nfs", o: "addr=10.0.0.1", device: ":/export" } });
  assert(/'\/etc'/.test(assertDenied(() => opts.checkVolumeBody(hostile[0])).message));
  assertDenied(() => opts.checkVolumeBody(hostile[1]));
  const plugin = assertDenied(() => opts.checkVolumeBody({ Driver: "sshfs" }));
  assert(/allowed_volume_drivers/.test(plugin.hint ?? ""), plugin.hint);
  permissive({ allowedVolumeDrivers: ["sshfs"] }).checkVolumeBody({ Driver: "sshfs" });
  const error = assertDenied(() => strict.checkVolumeBody(hostile[0]));
  assert(/allow_volume_driver_opts: true/.test(error.hint ?? ""), error.hint);
});

Deno.test("create guard refusals can be said in the caller's keys, with the value kept", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ HostConfig: { Privileged: true } }, "Option 'Privileged' is not allowed", "'privileged'"],
    [{ HostConfig: { PidMode: "host" } }, "Option 'PidMode: host'", "'pid: host'"],
    [{ HostConfig: { CapAdd: ["SYS_ADMIN"] } }, "Option 'CapAdd SYS_ADMIN'", "'cap_add SYS_ADMIN'"],
    [
      { HostConfig: { Sysctls: { "kernel.msgmax": "1" } } },
      "'Sysctls kernel.msgmax'",
      "'sysctls kernel.msgmax'",
    ],
  ];
  const keys = { Privileged: "privileged", PidMode: "pid", CapAdd: "cap_add", Sysctls: "sysctls" };
  for (const [body, engine, user] of cases) {
    const error = assertDenied(() => strict.checkCreateBody(body));
    assert(error.message.includes(engine), error.message);
    const said = renamed(error, keys, "Service 'web': ") as BerthError;
    assertEquals(said.code, "DKR-007");
    assert(said.message.startsWith(`Service 'web': ${user}`), said.message);
    assertEquals(said.hint, error.hint);
  }
  // An option without a key of the caller's keeps the engine's name; other errors pass through.
  const devices = assertDenied(() =>
    strict.checkCreateBody({ HostConfig: { VolumesFrom: ["x"] } })
  );
  assert((renamed(devices, keys) as BerthError).message.startsWith("Option 'VolumesFrom'"));
  const other = new BerthError("denied_by_policy", "Image 'x' is not allowed");
  assertEquals(renamed(other, keys), other);
});
