/**
 * Secrets and configs: create, list, inspect, remove. One implementation for
 * both kinds, each tool a thin file over it (create_secret.ts, …). They
 * differ in one thing: a config's data is shown, a secret's value is given
 * once and never comes back (the engine never answers it, and berth never
 * echoes it: the `data` parameter is write-only, so audit records and
 * confirmations show it redacted, and the call's redaction scrubs it).
 *
 * @module
 */

import { create, inspect, list, remove } from "../../docker/swarm/api.ts";
import { alignColumns } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";
import { type Json, opsOf } from "../../docker/swarm/services.ts";
import { base64Text } from "./_common.ts";

/** The two kinds of swarm file objects. */
type Kind = "secrets" | "configs";

const MAX_DATA_SHOWN = 16 * 1024;

function decode(base64: string): string {
  const binary = atob(base64);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function row(o: Json) {
  return {
    id: o.ID,
    name: o.Spec?.Name ?? "",
    labels: o.Spec?.Labels ?? {},
    created: o.CreatedAt ?? "",
    updated: o.UpdatedAt ?? "",
  };
}

const singular = (kind: Kind) => kind.slice(0, -1);

/** `docker_create_secret` / `docker_create_config`. */
export function createObject(kind: Kind): Handler {
  return async (ctx) => {
    const { args } = ctx;
    const spec = {
      Name: args.name,
      Labels: args.labels ?? {},
      Data: base64Text(String(args.data)),
    };
    const made = await create(opsOf(ctx), kind, spec);
    return {
      structured: { id: made.ID, name: args.name },
      text: `${
        singular(kind) === "secret" ? "Secret" : "Config"
      } ${args.name} created (${made.ID})`,
    };
  };
}

/** `docker_list_secrets` / `docker_list_configs`: names, labels, times (never a secret's value). */
export function listObjects(kind: Kind): Handler {
  return async (ctx) => {
    const rows = (await list(opsOf(ctx), kind)).map(row)
      .sort((a, b) => a.name.localeCompare(b.name));
    const table = alignColumns([
      ["ID", "NAME", "CREATED"],
      ...rows.map((r) => [r.id.slice(0, 12), r.name, r.created]),
    ]);
    return { structured: { [kind]: rows, count: rows.length }, text: table.join("\n") };
  };
}

/** `docker_inspect_secret` (metadata only) / `docker_inspect_config` (with its data). */
export function inspectObject(kind: Kind): Handler {
  return async (ctx) => {
    const o = await inspect(opsOf(ctx), kind, ctx.args.name as string);
    const r = row(o);
    if (kind === "secrets") {
      return {
        structured: { ...r, driver: o.Spec?.Driver?.Name ?? null },
        text: `Secret ${r.name} (${r.id}), created ${r.created}, labels ${
          JSON.stringify(r.labels)
        }`,
      };
    }
    const data = o.Spec?.Data ? decode(o.Spec.Data) : "";
    const shown = data.length > MAX_DATA_SHOWN ? `${data.slice(0, MAX_DATA_SHOWN)}…` : data;
    return {
      structured: { ...r, data: shown, size: data.length },
      text: `Config ${r.name} (${r.id}), ${data.length} characters:\n${shown}`,
    };
  };
}

/** `docker_remove_secret` / `docker_remove_config` (refused by the engine while a service uses it). */
export function removeObject(kind: Kind): Handler {
  return async (ctx) => {
    const ops = opsOf(ctx);
    const o = await inspect(ops, kind, ctx.args.name as string);
    await remove(ops, kind, o.ID);
    return {
      structured: { id: o.ID, name: o.Spec?.Name ?? "", removed: true },
      text: `${kind === "secrets" ? "Secret" : "Config"} ${o.Spec?.Name} removed`,
    };
  };
}
