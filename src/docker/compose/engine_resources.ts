/**
 * Create bodies of a project's networks and volumes, and the policy check
 * of volumes that are bind mounts in disguise.
 *
 * @module
 */

import type { Policy } from "../../policy/mod.ts";
import { type Body, compact } from "./engine_host.ts";
import type { NetworkModel, VolumeModel } from "./model.ts";
import { resourceLabels } from "./naming.ts";

/** The create body of a project network. */
export function networkBody(project: string, key: string, net: NetworkModel): Body {
  return compact({
    Name: net.name,
    CheckDuplicate: true,
    Driver: net.driver,
    Options: net.driver_opts,
    Internal: net.internal,
    Attachable: net.attachable,
    EnableIPv6: net.enable_ipv6,
    Labels: resourceLabels(project, "network", key, net.labels),
    IPAM: net.ipam
      ? compact({
        Driver: net.ipam.driver,
        Options: net.ipam.options,
        Config: net.ipam.config.map((c) =>
          compact({
            Subnet: c.subnet,
            IPRange: c.ip_range,
            Gateway: c.gateway,
            AuxiliaryAddresses: c.aux_addresses,
          })
        ),
      })
      : undefined,
  });
}

/** The create body of a project volume. */
export function volumeBody(project: string, key: string, vol: VolumeModel): Body {
  return compact({
    Name: vol.name,
    Driver: vol.driver,
    DriverOpts: vol.driver_opts,
    Labels: resourceLabels(project, "volume", key, vol.labels),
  });
}

/**
 * Asks the policy about a volume before it is made: the whole create body
 * (driver options), and the device of a local volume with `o=bind` (or
 * `type=none`), a bind mount in disguise (docs/security.md rule 5).
 */
export function checkVolume(policy: Policy, project: string, key: string, vol: VolumeModel): void {
  if (vol.external) return;
  const opts = vol.driver_opts;
  const bindLike = /(^|,)r?bind(,|$)/.test(opts.o ?? "") || opts.type === "none";
  if (opts.device && bindLike) policy.checkHostPath(opts.device, "bind");
  policy.checkVolumeBody(volumeBody(project, key, vol));
}
