/**
 * `docker_compose_up`: networks and volumes, then images, then one
 * container per service in dependency order, waiting for each depends_on
 * condition. Idempotent: a service whose container carries the same
 * config hash and image and runs is left alone; a changed one is recreated.
 * Every service passes the policy before anything is created.
 *
 * @module
 */

import { containers } from "../../engine/ops/mod.ts";
import { confirmRemoval } from "../../docker/removals.ts";
import type { Handler, HandlerContext } from "../../interpreter/contract.ts";
import { StepProgress } from "../../docker/progress/steps.ts";
import { alignColumns, counted } from "../../guard/formats.ts";
import {
  type ContainerSummary,
  createContainer,
  ensureNetwork,
  ensureVolume,
  label,
  nameOf,
  projectContainers,
  removeContainer,
  startContainer,
  stopContainer,
  waitFor,
} from "../../docker/compose/engine_ops.ts";
import {
  checkPlan,
  checkVolume,
  containerPlan,
  serviceImage,
} from "../../docker/compose/engine_spec.ts";
import { ensureImages } from "./_images.ts";
import { loadProject } from "../../docker/compose/load.ts";
import type { ProjectModel, ServiceModel } from "../../docker/compose/model.ts";
import { checkProjectName, configHash, LABEL } from "../../docker/compose/naming.ts";
import { selectServices } from "../../docker/compose/select.ts";
import { groupBy } from "../../docker/compose/summary.ts";

/** What happened to a service's container. */
type Action = "created" | "recreated" | "started" | "unchanged";

interface ServiceResult {
  name: string;
  status: Action;
  image: string;
  containers: { name: string; id: string; short_id: string; state: string }[];
}

/** The networks and volumes the selected services use, checked before anything is made. */
function usedResources(services: ServiceModel[]) {
  const networks = new Set<string>();
  const volumes = new Set<string>();
  for (const s of services) {
    Object.keys(s.networks).forEach((n) => networks.add(n));
    for (const m of s.volumes) if (m.type === "volume" && m.source) volumes.add(m.source);
  }
  return { networks: [...networks].sort(), volumes: [...volumes].sort() };
}

/** Brings one service to its desired state. */
async function converge(
  ctx: HandlerContext,
  project: ProjectModel,
  service: ServiceModel,
  existing: ContainerSummary[],
  imageId: string,
  ids: Map<string, string>,
): Promise<ServiceResult> {
  const hash = await configHash(service);
  const sorted = [...existing].sort((a, b) =>
    Number(label(a, LABEL.number)) - Number(label(b, LABEL.number))
  );
  const [current, ...extra] = sorted;
  for (const c of extra) await removeContainer(ctx, c.Id, false); // berth runs one per service
  const result = (status: Action, id: string, name: string): ServiceResult => {
    ids.set(service.name, id);
    return {
      name: service.name,
      status,
      image: serviceImage(project.name, service),
      containers: [{ name, id, short_id: id.slice(0, 12), state: "running" }],
    };
  };
  const containerPlanFor = (number: number) =>
    containerPlan(project, service, {
      number,
      configHash: hash,
      imageId,
      containerOf: (other) => ids.get(other) ?? other,
    });
  if (current && label(current, LABEL.configHash) === hash && current.ImageID === imageId) {
    if (current.State === "running") return result("unchanged", current.Id, nameOf(current));
    await startContainer(ctx, current.Id);
    return result("started", current.Id, nameOf(current));
  }
  const number = current ? Number(label(current, LABEL.number)) || 1 : 1;
  if (current) {
    // Recreating removes the old container: asked before it is even stopped.
    await confirmRemoval(ctx.engine, containers.remove(current.Id));
    await stopContainer(ctx, current.Id, service.stop_grace_period);
    await removeContainer(ctx, current.Id, false);
  }
  const plan = containerPlanFor(number);
  checkPlan(ctx.policy, plan);
  const id = await createContainer(ctx, plan);
  await startContainer(ctx, id);
  return result(current ? "recreated" : "created", id, plan.name);
}

/** Creates or updates a compose project. */
export const composeUp: Handler = async (ctx) => {
  const { args } = ctx;
  const name = checkProjectName(args.project_name);
  const project = (await loadProject(name, args, ctx.policy, true))!;
  const selected = selectServices(
    project,
    args.services as string[] | undefined,
    args.profiles as string[] | undefined,
  );
  // The policy sees every service before anything changes.
  for (const s of selected) {
    checkPlan(ctx.policy, containerPlan(project, s, { number: 1, configHash: "" }));
  }
  const used = usedResources(selected);
  for (const key of used.volumes) checkVolume(ctx.policy, name, key, project.volumes[key]);

  const networks = [];
  for (const key of used.networks) {
    const net = project.networks[key];
    networks.push({ name: net.name, status: await ensureNetwork(ctx, name, key, net) });
  }
  const volumes = [];
  for (const key of used.volumes) {
    const vol = project.volumes[key];
    volumes.push({ name: vol.name, status: await ensureVolume(ctx, name, key, vol) });
  }
  // One step per service's image, then one per service's container; the
  // end (the project's state read back) is the total.
  const steps = new StepProgress(ctx.progress, 2 * selected.length);
  const images = await ensureImages(ctx, project, selected, {
    build: args.build === true,
    pull: args.pull === true,
    steps,
  });
  const imageOf = new Map(images.map((i) => [i.service, i.image_id]));

  const existing = groupBy(
    (await projectContainers(ctx, name)).filter((c) => label(c, LABEL.oneoff) !== "True"),
    (c) => label(c, LABEL.service),
  );
  const ids = new Map<string, string>();
  const services: ServiceResult[] = [];
  for (const [i, s] of selected.entries()) {
    const step = selected.length + i;
    const within = { ...ctx, progress: steps.within(step, `${s.name}: `) };
    for (const [dep, d] of Object.entries(s.depends_on)) {
      await waitFor(within, s.name, { service: dep, id: ids.get(dep)! }, d.condition);
    }
    within.progress({ progress: 0, message: "bringing its container up to date" });
    services.push(
      await converge(ctx, project, s, existing.get(s.name) ?? [], imageOf.get(s.name)!, ids),
    );
    steps.at(step + 1, `${s.name}: ${services.at(-1)!.status}`);
  }

  // Report the state the engine sees now (a one-shot service may already have exited).
  const states = new Map((await projectContainers(ctx, name)).map((c) => [c.Id, c.State ?? ""]));
  for (const s of services) for (const c of s.containers) c.state = states.get(c.id) ?? c.state;
  const orphans = [...existing.entries()].filter(([svc]) => !project.services[svc])
    .flatMap(([, cs]) => cs.map(nameOf));
  const warnings = [...project.warnings];
  if (orphans.length && args.remove_orphans === true) {
    for (const [, cs] of [...existing.entries()].filter(([svc]) => !project.services[svc])) {
      for (const c of cs) await removeContainer(ctx, c.Id, false);
    }
    warnings.push(`Removed orphan containers: ${orphans.join(", ")}`);
  } else if (orphans.length) {
    warnings.push(
      `Orphan containers (services no longer in the file): ${orphans.join(", ")}; ` +
        "remove_orphans: true removes them",
    );
  }
  const resources = [
    ...networks.map((n) => ({ kind: "network", ...n })),
    ...volumes.map((v) => ({ kind: "volume", ...v })),
    ...images.map((i) => ({ kind: "image", name: i.image, status: i.action, service: i.service })),
  ];
  steps.finish(`Project ${name} is up: ${counted(services.length, "services")}`);
  return shape(name, services, resources, warnings);
};

function shape(
  project: string,
  services: ServiceResult[],
  resources: { kind: string; name: string; status: string }[],
  warnings: string[],
) {
  const counts = new Map<string, number>();
  for (const s of services) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  const table = alignColumns([
    ["SERVICE", "CONTAINER", "ID", "STATUS"],
    ...services.map((s) => [
      s.name,
      s.containers.map((c) => c.name).join(",") || "-",
      s.containers.map((c) => c.short_id).join(",") || "-",
      s.status,
    ]),
  ]);
  const changed = [
    ...new Set(
      resources.filter((r) => ["created", "pulled", "built"].includes(r.status))
        .map((r) => `${r.kind} ${r.name} ${r.status}`),
    ),
  ];
  return {
    structured: { project_name: project, services, resources, warnings },
    text: [
      `Project ${project} up: ${summary}`,
      ...table,
      // Networks, volumes and images made on the way: a sentence each, not table rows.
      ...changed,
      ...warnings.map((w) => `warning: ${w}`),
    ].join("\n"),
  };
}
