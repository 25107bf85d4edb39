/**
 * The compose model → the `POST /containers/create` body of a service: the
 * fields `docker_create_container` has go through its spec builder, the
 * rest (networks with aliases, mounts, namespaces, capabilities …) is
 * added beside them, so the policy's `checkCreateBody` sees every option a
 * compose file can ask for, dangerous ones included.
 *
 * @module
 */

import { BerthError } from "../../errors/mod.ts";
import type { Policy } from "../../policy/mod.ts";
import { renamed } from "../../policy/create_guard.ts";
import { containerNameDenied, imageDenied } from "../../policy/enforce/mod.ts";
import { buildContainerSpec, type FieldError } from "../container_spec/mod.ts";
import { type Body, compact, hostConfig, portBindings } from "./engine_host.ts";
import type { ProjectModel, ResourceField, ServiceModel } from "./model.ts";
import { builtImageName, COMPOSE_VERSION, containerName, dependsOnLabel, LABEL } from "./naming.ts";
import { forService, keyError } from "./syntax.ts";

export { checkVolume, networkBody, volumeBody } from "./engine_resources.ts";

/** A container to create, and what to do right after. */
export interface ContainerPlan {
  service: string;
  name: string;
  image: string;
  body: Body;
  /** Networks joined after create (API 1.41 takes one network at create). */
  extraNetworks: { name: string; endpoint: Body }[];
  /** Host paths bind-mounted (each checked by the policy). */
  hostPaths: string[];
}

/** Options that depend on the engine's state at `up` time. */
export interface PlanOptions {
  number: number;
  configHash: string;
  /** Image ID, recorded in `com.docker.compose.image`. */
  imageId?: string;
  /** Container name of another service (for `network_mode: service:x`). */
  containerOf?: (service: string) => string;
}

/** The image a service runs: `image:`, or the name compose gives a built image. */
export function serviceImage(project: string, service: ServiceModel): string {
  return service.image ?? builtImageName(project, service.name);
}

/** Networks in the order compose joins them: priority (highest first), then name. */
function orderedNetworks(service: ServiceModel): [string, ServiceModel["networks"][string]][] {
  return Object.entries(service.networks).sort(([a, x], [b, y]) =>
    y.priority - x.priority || (a < b ? -1 : a > b ? 1 : 0)
  );
}

function endpoint(service: ServiceModel, net: ServiceModel["networks"][string]): Body {
  const body: Body = { Aliases: [service.name, ...net.aliases] };
  if (net.ipv4_address || net.ipv6_address) {
    body.IPAMConfig = { IPv4Address: net.ipv4_address, IPv6Address: net.ipv6_address };
  }
  return body;
}

function labels(project: ProjectModel, service: ServiceModel, options: PlanOptions): Body {
  const out: Body = {
    ...service.labels,
    [LABEL.project]: project.name,
    [LABEL.service]: service.name,
    [LABEL.number]: String(options.number),
    [LABEL.oneoff]: "False",
    [LABEL.workingDir]: project.working_dir,
    [LABEL.configFiles]: project.config_files.join(","),
    [LABEL.configHash]: options.configHash,
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: dependsOnLabel(service),
  };
  if (options.imageId) out[LABEL.image] = options.imageId;
  return out;
}

/**
 * The fields `docker_create_container` also has go through its builder, so
 * both tools validate and shape them the same way; errors name the key the
 * file wrote (`services.<name>.<key>`, see {@link composeFieldError}).
 */
function sharedSpec(
  project: ProjectModel,
  service: ServiceModel,
  name: string,
  options: PlanOptions,
) {
  const h = service.healthcheck;
  const seconds = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1e9);
  const input: Record<string, unknown> = {
    image: serviceImage(project.name, service),
    name,
    command: service.command?.length ? service.command : undefined,
    entrypoint: service.entrypoint,
    environment: service.environment,
    labels: labels(project, service, options),
    working_dir: service.working_dir,
    user: service.user,
    hostname: service.hostname,
    tty: service.tty,
    restart_policy: service.restart
      ? {
        Name: service.restart.name || "no",
        MaximumRetryCount: service.restart.maximum_retry_count,
      }
      : undefined,
    mem_limit: service.mem_limit,
    mem_reservation: service.mem_reservation,
    cpus: service.cpus,
    healthcheck: h
      ? {
        test: h.test.length ? h.test : undefined,
        interval: seconds(h.interval),
        timeout: seconds(h.timeout),
        start_period: seconds(h.start_period),
        retries: h.retries,
      }
      : undefined,
  };
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return buildContainerSpec(input, { fieldError: composeFieldError(service) });
}

/** Builder parameters whose compose key has another name (restart_policy: see composeKeyOf). */
const BUILDER_TO_COMPOSE: Readonly<Record<string, string>> = {
  name: "container_name",
};

/** Builder parameters that take a list, whose items compose writes `key[i]`. */
const LIST_FIELDS = new Set(["command", "entrypoint"]);

/** A builder field (`mem_limit`, `command.0`) as the compose key the file wrote. */
function composeKeyOf(service: ServiceModel, field: string): string {
  const [head, ...rest] = field.split(".");
  const renamed = service.resource_keys?.[head as ResourceField];
  if (renamed) return `services.${service.name}.${renamed}`;
  // The restart policy reaches the builder as an object; the file wrote one string.
  if (head === "restart_policy") return `services.${service.name}.restart`;
  const tail = rest.map((part) =>
    LIST_FIELDS.has(head) && /^\d+$/.test(part) ? `[${part}]` : `.${part}`
  );
  return `services.${service.name}.${BUILDER_TO_COMPOSE[head] ?? head}${tail.join("")}`;
}

/**
 * The spec builder's errors in the compose file's terms: `Compose file:
 * 'services.web.deploy.resources.limits.memory' must be at least 6m`, not
 * `Parameter 'services.web.mem_limit' …` (a tool parameter the user never wrote).
 */
function composeFieldError(service: ServiceModel): FieldError {
  const say = (text: string) =>
    text.replace(
      /\b(mem_limit|restart_policy)\b/g,
      (field) => composeKeyOf(service, field).slice(`services.${service.name}.`.length),
    );
  return (field, problem, hint) => keyError(composeKeyOf(service, field), say(problem), hint);
}

/** The create body of one service container, with the networks to join after create. */
export function containerPlan(
  project: ProjectModel,
  service: ServiceModel,
  options: PlanOptions,
): ContainerPlan {
  const name = containerName(project.name, service, options.number);
  const spec = sharedSpec(project, service, name, options);
  const networks = orderedNetworks(service);
  let networkMode = service.network_mode;
  if (networkMode?.startsWith("service:")) {
    const other = networkMode.slice(8);
    networkMode = `container:${
      options.containerOf?.(other) ?? containerName(project.name, project.services[other], 1)
    }`;
  }
  const [first, ...rest] = networkMode === undefined ? networks : [];
  if (first) networkMode = project.networks[first[0]].name;
  const { exposed } = portBindings(service);
  const body: Body = compact({
    ...spec.body,
    Domainname: service.domainname,
    ExposedPorts: exposed,
    OpenStdin: service.stdin_open,
    StopSignal: service.stop_signal,
    StopTimeout: service.stop_grace_period,
    HostConfig: { ...spec.body.HostConfig, ...hostConfig(project, service, networkMode) },
    NetworkingConfig: first
      ? { EndpointsConfig: { [project.networks[first[0]].name]: endpoint(service, first[1]) } }
      : undefined,
  });
  return {
    service: service.name,
    name,
    image: spec.image,
    body,
    extraNetworks: rest.map(([key, net]) => ({
      name: project.networks[key].name,
      endpoint: endpoint(service, net),
    })),
    hostPaths: service.volumes.filter((m) => m.type === "bind").map((m) => m.source!),
  };
}

/**
 * Asks the policy about everything a service container would do: its
 * image, its name, every host path it mounts, and the whole create body.
 */
export function checkPlan(policy: Policy, plan: ContainerPlan): void {
  if (!policy.imageAllowed(plan.image)) {
    throw imageDenied(plan.image, policy, ` of service '${plan.service}'`);
  }
  if (!policy.containerVisible(plan.name)) {
    const denied = containerNameDenied(plan.name, policy, ` of service '${plan.service}'`);
    throw new BerthError(denied.type, denied.message, {
      hint: `${denied.hint} (set by the project name or container_name)`,
    });
  }
  try {
    for (const path of plan.hostPaths) policy.checkHostPath(path, "bind");
    policy.checkCreateBody(plan.body);
  } catch (error) {
    throw inService(error, plan.service);
  }
}

/**
 * The compose key each guarded engine option comes from (engine_host.ts
 * builds them), so a refusal names what the file says: `privileged`, not
 * `Privileged`.
 */
const COMPOSE_KEYS: Readonly<Record<string, string>> = {
  Privileged: "privileged",
  CapAdd: "cap_add",
  SecurityOpt: "security_opt",
  PidMode: "pid",
  IpcMode: "ipc",
  UsernsMode: "userns_mode",
  NetworkMode: "network_mode",
  Sysctls: "sysctls",
  PortBindings: "ports",
  Mounts: "volumes",
};

/** A policy refusal said in the compose file's terms, naming the service. */
function inService(error: unknown, service: string): unknown {
  const said = renamed(error, COMPOSE_KEYS, `Service '${service}': `);
  if (said !== error || !(error instanceof BerthError) || error.type !== "denied_by_policy") {
    return said;
  }
  return forService(service, error);
}
