/**
 * `docker_create_network`: `POST /networks/create` with a body built from
 * typed fields only (docs/security.md rule 3).
 *
 * @module
 */

import { networks } from "../../engine/ops/mod.ts";
import { invalidInput } from "../../errors/mod.ts";
import { NAME_OR_ID } from "../../guard/formats.ts";
import { networkConflict } from "../../docker/network.ts";
import type { Handler } from "../../interpreter/contract.ts";

const DRIVER = /^[a-z0-9][a-z0-9_.\/:-]{0,127}$/i;
const OPTION_KEY = /^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,255}$/;

/** Checks an IPv4/IPv6 CIDR such as 10.1.0.0/24. */
export function isCidr(value: string): boolean {
  const [ip, bits, extra] = value.split("/");
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  return isIp(ip) && Number(bits) <= (ip.includes(":") ? 128 : 32);
}

/** Checks an IPv4 or IPv6 address. */
export function isIp(value: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(value)) {
    return value.split(".").every((n) => Number(n) <= 255);
  }
  return /^[0-9a-fA-F:]{2,39}$/.test(value) && value.includes(":");
}

function stringMap(
  field: string,
  value: unknown,
  keys: RegExp,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!keys.test(key)) throw invalidInput(`${field}.${key}`, "is not a valid key");
    if (!["string", "number", "boolean"].includes(typeof v)) {
      throw invalidInput(`${field}.${key}`, "must be a string");
    }
    out[key] = String(v);
  }
  return out;
}

/** Creates a network. */
export const createNetwork: Handler = async (ctx) => {
  const { args } = ctx;
  const name = args.name as string;
  if (!NAME_OR_ID.test(name)) {
    throw invalidInput(
      "name",
      "must start with a letter or digit and use only letters, digits, '_', '.', '-'",
    );
  }
  const driver = args.driver as string; // the manifest's default: bridge
  if (!DRIVER.test(driver)) throw invalidInput("driver", "must be a driver name such as bridge");
  const subnet = args.subnet as string | undefined;
  const gateway = args.gateway as string | undefined;
  if (subnet !== undefined && !isCidr(subnet)) {
    throw invalidInput("subnet", "must be a CIDR such as 10.10.0.0/24");
  }
  if (gateway !== undefined && !isIp(gateway)) {
    throw invalidInput("gateway", "must be an IP address such as 10.10.0.1");
  }
  if (gateway !== undefined && subnet === undefined) {
    throw invalidInput("gateway", "needs a subnet", "Give subnet too, e.g. 10.10.0.0/24");
  }
  const body: Record<string, unknown> = {
    Name: name,
    Driver: driver,
    CheckDuplicate: true,
    Internal: args.internal === true,
    Attachable: args.attachable === true,
    Labels: stringMap("labels", args.labels, /^[^\s=]{1,256}$/) ?? {},
    Options: stringMap("options", args.options, OPTION_KEY) ?? {},
  };
  if (subnet) body.IPAM = { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway }] };
  let created: { Id: string; Warning?: string };
  try {
    created = await ctx.engine.json<{ Id: string; Warning?: string }>(
      networks.create(body, { signal: ctx.signal, errors: { 409: "conflict" } }),
    );
  } catch (error) {
    throw networkConflict(error, "Choose another name, or remove the existing network first");
  }
  const structured = {
    network_id: created.Id,
    name,
    driver,
    internal: body.Internal as boolean,
  };
  return {
    structured,
    text: `Created network ${name} (${created.Id.slice(0, 12)}, ${driver}${
      structured.internal ? ", internal" : ""
    })${created.Warning ? `; warning: ${created.Warning}` : ""}`,
  };
};
