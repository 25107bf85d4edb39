/**
 * Which services an `up` touches, in which order: the requested ones (or
 * every service whose profiles are enabled) plus their dependencies,
 * dependencies first.
 *
 * @module
 */

import { invalidInput } from "../../errors/mod.ts";
import type { ProjectModel, ServiceModel } from "./model.ts";
import { keyError } from "./syntax.ts";

/** True when a service runs with these profiles (no profiles: always). */
export function profileEnabled(service: ServiceModel, profiles: readonly string[]): boolean {
  return service.profiles.length === 0 || service.profiles.some((p) => profiles.includes(p)) ||
    profiles.includes("*");
}

/**
 * The services to bring up, dependencies before dependents. Services named
 * in `requested` run whatever their profiles (as compose does for services
 * named on its command line); dependencies always come along.
 */
export function selectServices(
  project: ProjectModel,
  requested: readonly string[] | undefined,
  profiles: readonly string[] = [],
): ServiceModel[] {
  for (const name of requested ?? []) {
    if (!project.services[name]) {
      throw invalidInput(
        "services",
        `names '${name}', which is not a service of this project`,
        `Services are ${Object.keys(project.services).join(", ")}`,
      );
    }
  }
  const roots = requested?.length
    ? [...requested]
    : Object.values(project.services).filter((s) => profileEnabled(s, profiles)).map((s) => s.name);
  const ordered: ServiceModel[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" → ");
      throw keyError(`services.${name}.depends_on`, `forms a dependency cycle: ${cycle}`);
    }
    state.set(name, "visiting");
    const service = project.services[name];
    for (const dep of Object.keys(service.depends_on).sort()) visit(dep, [...path, name]);
    state.set(name, "done");
    ordered.push(service);
  };
  for (const name of roots) visit(name, []);
  return ordered;
}
