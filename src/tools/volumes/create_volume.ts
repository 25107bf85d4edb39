/**
 * `docker_create_volume`: `POST /volumes/create` from typed fields. Options
 * of the local driver such as `type=none o=bind device=/srv` bind-mount a
 * host path, so the policy judges that path like any bind mount
 * (docs/security.md rule 5).
 *
 * @module
 */

import { volumes } from "../../engine/ops/mod.ts";
import { invalidInput } from "../../errors/mod.ts";
import { NAME_OR_ID } from "../../guard/formats.ts";
import type { Handler } from "../../interpreter/contract.ts";

const DRIVER = /^[A-Za-z0-9][A-Za-z0-9_.\/:-]{0,127}$/;
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,255}$/;

interface EngineVolume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Labels?: Record<string, string> | null;
}

function stringMap(field: string, value: unknown, keys: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (!keys.test(key)) throw invalidInput(`${field}.${key}`, "is not a valid key");
    if (!["string", "number", "boolean"].includes(typeof v)) {
      throw invalidInput(`${field}.${key}`, "must be a string");
    }
    out[key] = String(v);
  }
  return out;
}

/** True when local-driver options make the volume a bind mount of a host path. */
export function bindsHostPath(options: Record<string, string>): boolean {
  const words = `${options.type ?? ""},${options.o ?? ""}`.split(/[,\s]+/);
  return words.includes("bind") || words.includes("rbind");
}

/** Creates a volume. */
export const createVolume: Handler = async (ctx) => {
  const { args } = ctx;
  const name = args.name as string | undefined;
  if (name !== undefined && (!NAME_OR_ID.test(name) || name.length < 2)) {
    throw invalidInput(
      "name",
      "must be 2+ letters, digits, '_', '.', '-' starting with a letter or digit",
    );
  }
  const driver = args.driver as string; // the manifest's default: local
  if (!DRIVER.test(driver)) {
    throw invalidInput("driver", "must be a volume driver name such as local");
  }
  const options = stringMap("driver_opts", args.driver_opts, KEY);
  if (bindsHostPath(options)) {
    if (!options.device) {
      throw invalidInput(
        "driver_opts",
        "binds a host path but names no device",
        "Add device: <host path>",
      );
    }
    ctx.policy.checkHostPath(options.device, "bind");
  }
  const volume = await ctx.engine.json<EngineVolume>(volumes.create({
    Name: name ?? "",
    Driver: driver,
    DriverOpts: options,
    Labels: stringMap("labels", args.labels, /^[^\s=]{1,256}$/),
  }, { signal: ctx.signal, errors: { 409: "conflict" } }));
  return {
    structured: {
      name: volume.Name,
      driver: volume.Driver,
      mountpoint: volume.Mountpoint,
    },
    text: `Created volume ${volume.Name} (${volume.Driver}) at ${volume.Mountpoint}`,
  };
};
