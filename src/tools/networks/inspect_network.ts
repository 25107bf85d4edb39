/**
 * `docker_inspect_network`: the engine's network inspect answer without the
 * containers the policy hides, and a compact text.
 *
 * @module
 */

import type { Shaper } from "../../interpreter/contract.ts";

type Json = Record<string, unknown>;

interface Endpoint {
  Name?: string;
  IPv4Address?: string;
  IPv6Address?: string;
}

/** Filters hidden containers and describes the network. */
export const networkDetails: Shaper = (data, ctx) => {
  const info = (data ?? {}) as Json;
  const containers: Record<string, Endpoint> = {};
  for (
    const [id, endpoint] of Object.entries((info.Containers ?? {}) as Record<string, Endpoint>)
  ) {
    if (ctx.policy.containerVisible(endpoint.Name ?? "")) containers[id] = endpoint;
  }
  const details = { ...info, Containers: containers };
  const ipam = ((info.IPAM as Json | undefined)?.Config ?? []) as {
    Subnet?: string;
    Gateway?: string;
  }[];
  const lines = [
    `${info.Name} (${
      String(info.Id ?? "").slice(0, 12)
    }) driver=${info.Driver} scope=${info.Scope} ` +
    `internal=${info.Internal === true} attachable=${info.Attachable === true}`,
  ];
  if (ipam.length) {
    lines.push(
      `subnets: ${
        ipam.map((c) => `${c.Subnet ?? "?"}${c.Gateway ? ` gw ${c.Gateway}` : ""}`).join("; ")
      }`,
    );
  }
  const attached = Object.values(containers).map((e) =>
    `${e.Name} ${(e.IPv4Address || e.IPv6Address || "-").replace(/\/\d+$/, "")}`
  );
  lines.push(`containers: ${attached.join("; ") || "-"}`);
  const labels = Object.entries((info.Labels ?? {}) as Record<string, string>);
  if (labels.length) lines.push(`labels: ${labels.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  return { structured: { details }, text: lines.join("\n") };
};
