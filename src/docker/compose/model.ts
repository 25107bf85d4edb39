/**
 * The normalised compose model: every short syntax expanded, every relative
 * path resolved, every size and duration a number. The translation to
 * Engine API bodies and the config hash both work on this model only.
 *
 * @module
 */

/** A published or exposed port. */
export interface PortModel {
  /** Container port or range ("80", "8000-8001"). */
  target: string;
  /** Host port or range; "" = any free port. */
  published: string;
  host_ip?: string;
  protocol: string;
}

/** One mount of a service. */
export interface MountModel {
  type: "volume" | "bind" | "tmpfs";
  /** Volume key (of the top-level `volumes`), absolute host path, or absent (anonymous). */
  source?: string;
  target: string;
  read_only: boolean;
  /** Short syntax: the engine creates a missing host directory. */
  create_host_path?: boolean;
  propagation?: string;
  /** SELinux relabelling (`z` or `Z`) of the short syntax. */
  selinux?: string;
  nocopy?: boolean;
  tmpfs_size?: number;
}

/** How a service joins one network. */
export interface ServiceNetwork {
  aliases: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  priority: number;
}

/** A dependency and its condition. */
export interface Dependency {
  condition: "service_started" | "service_healthy" | "service_completed_successfully";
}

/** A health check with durations in nanoseconds, as the engine wants them. */
export interface HealthModel {
  test: string[];
  interval?: number;
  timeout?: number;
  start_period?: number;
  retries?: number;
}

/** A build of the service's image. */
export interface BuildModel {
  /** Absolute context directory. */
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
}

/** One service, normalised. */
export interface ServiceModel {
  name: string;
  image?: string;
  build?: BuildModel;
  pull_policy?: string;
  profiles: string[];
  container_name?: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  ports: PortModel[];
  expose: string[];
  volumes: MountModel[];
  tmpfs: string[];
  networks: Record<string, ServiceNetwork>;
  network_mode?: string;
  depends_on: Record<string, Dependency>;
  restart?: { name: string; maximum_retry_count: number };
  healthcheck?: HealthModel;
  user?: string;
  working_dir?: string;
  hostname?: string;
  domainname?: string;
  extra_hosts: string[];
  dns: string[];
  dns_search: string[];
  dns_opt: string[];
  cap_add: string[];
  cap_drop: string[];
  group_add: string[];
  security_opt: string[];
  privileged?: boolean;
  pid?: string;
  ipc?: string;
  userns_mode?: string;
  read_only?: boolean;
  init?: boolean;
  tty?: boolean;
  stdin_open?: boolean;
  stop_signal?: string;
  /** Seconds. */
  stop_grace_period?: number;
  sysctls: Record<string, string>;
  ulimits: { name: string; soft: number; hard: number }[];
  /** Bytes. */
  mem_limit?: number;
  mem_reservation?: number;
  shm_size?: number;
  /** CPUs (1.5 = one and a half). */
  cpus?: number;
  cpu_shares?: number;
  cpuset?: string;
  pids_limit?: number;
  logging?: { driver?: string; options: Record<string, string> };
  /**
   * The key a resource came from when the file did not use the plain one
   * (`cpus: deploy.resources.limits.cpus`), so errors name what it says.
   * Not part of the config hash.
   */
  resource_keys?: Partial<Record<ResourceField, string>>;
}

/** The resource fields `deploy.resources` may set instead of the plain keys. */
export type ResourceField = "mem_limit" | "mem_reservation" | "cpus" | "pids_limit";

/** A top-level network. */
export interface NetworkModel {
  /** Engine name (`<project>_<key>` unless `name:` or external). */
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  labels: Record<string, string>;
  ipam?: {
    driver?: string;
    config: {
      subnet?: string;
      ip_range?: string;
      gateway?: string;
      aux_addresses?: Record<string, string>;
    }[];
    options?: Record<string, string>;
  };
}

/** A top-level volume. */
export interface VolumeModel {
  /** Engine name (`<project>_<key>` unless `name:` or external). */
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  labels: Record<string, string>;
}

/** A whole project, normalised. */
export interface ProjectModel {
  name: string;
  /** Absolute project directory (label `com.docker.compose.project.working_dir`). */
  working_dir: string;
  /** Absolute compose file paths (label `com.docker.compose.project.config_files`). */
  config_files: string[];
  services: Record<string, ServiceModel>;
  networks: Record<string, NetworkModel>;
  volumes: Record<string, VolumeModel>;
  /** Things berth accepted but that have no effect on a single engine. */
  warnings: string[];
}
