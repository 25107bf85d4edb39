/**
 * `docker_prune_containers`: removes stopped containers (created, exited,
 * dead), like `docker container prune`, but one by one: the engine's prune
 * would also delete containers the policy hides, which must stay untouched
 * and unseen. Filters are those of the engine's prune (`label`, `label!`,
 * `until`); `label` is passed to the engine's list, the others are applied
 * here.
 *
 * @module
 */

import { invalidInput, isBerthError } from "../../errors/mod.ts";
import { counted, formatBytes, parseTime } from "../../guard/formats.ts";
import { containers } from "../../engine/ops/mod.ts";
import { mbOf } from "../../docker/prune.ts";
import { bareName } from "../../docker/visible_container.ts";
import type { Handler } from "../../interpreter/contract.ts";

const FILTER_KEYS = ["label", "label!", "until"];
/** Listing more than this many stopped containers is refused rather than half-pruned. */
const MAX_CANDIDATES = 5_000;

interface ListedContainer {
  Id: string;
  Names?: string[];
  Created?: number;
  Labels?: Record<string, string> | null;
  SizeRw?: number;
}

interface PruneFilters {
  label: string[];
  notLabel: string[];
  until?: number;
}

/** Validates the filters; DKR-004 names the bad one. */
function parseFilters(raw: unknown): PruneFilters {
  const out: PruneFilters = { label: [], notLabel: [] };
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (!FILTER_KEYS.includes(key)) {
      throw invalidInput(
        `filters.${key}`,
        "is not a prune filter",
        `Use ${FILTER_KEYS.join(", ")}`,
      );
    }
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (key === "label") out.label.push(...values);
    if (key === "label!") out.notLabel.push(...values);
    if (key === "until") {
      const time = values.length === 1 ? parseTime(values[0]) : undefined;
      if (time === undefined) {
        throw invalidInput(
          "filters.until",
          "must be one time: RFC 3339, unix seconds or a duration such as 24h",
        );
      }
      out.until = time;
    }
  }
  return out;
}

/** `key` or `key=value` against a container's labels. */
function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf("=");
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** Removes every stopped container the filters and the policy allow. */
export const containerPrune: Handler = async (ctx) => {
  const filters = parseFilters(ctx.args.filters);
  const listed = await ctx.engine.json<ListedContainer[]>(containers.list({
    all: true,
    size: true,
    filters: {
      status: ["created", "exited", "dead"],
      ...(filters.label.length ? { label: filters.label } : {}),
    },
  }, { signal: ctx.signal }));
  if (listed.length > MAX_CANDIDATES) {
    throw invalidInput(
      "filters",
      `match ${listed.length} containers, more than ${MAX_CANDIDATES}`,
      "Narrow them with label or until",
    );
  }
  const candidates = listed.filter((c) => {
    const labels = c.Labels ?? {};
    return ctx.policy.containerVisible(bareName(c.Names?.[0])) &&
      !filters.notLabel.some((f) => hasLabel(labels, f)) &&
      (filters.until === undefined || (c.Created ?? 0) < filters.until);
  });
  const deleted: string[] = [];
  const names: string[] = [];
  const skipped: string[] = [];
  let bytes = 0;
  for (const c of candidates) {
    try {
      const response = await ctx.engine.request(containers.remove(c.Id, {}, {
        signal: ctx.signal,
        errors: { 404: "container_not_found", 409: "conflict" },
      }));
      await response.body?.cancel();
      deleted.push(c.Id);
      names.push(bareName(c.Names?.[0]));
      bytes += c.SizeRw ?? 0;
    } catch (error) {
      // Gone already, started meanwhile, or being removed: not ours to prune now.
      if (!isBerthError(error) || error.type === "daemon_unreachable" || error.type === "timeout") {
        throw error;
      }
      skipped.push(`${bareName(c.Names?.[0])}: ${error.message}`);
    }
  }
  const text = deleted.length
    ? `Deleted ${counted(deleted.length, "stopped containers")} (${formatBytes(bytes)}): ` +
      names.join(", ")
    : "No stopped containers to delete";
  return {
    structured: { containers_deleted: deleted, space_reclaimed_mb: mbOf(bytes), skipped },
    text: skipped.length ? `${text}\nSkipped: ${skipped.join("; ")}` : text,
  };
};
