/**
 * `docker_inspect_volume`: the engine's volume inspect answer and one line.
 *
 * @module
 */

import type { Shaper } from "../../interpreter/contract.ts";

/** Wraps the answer as `details` and describes it. */
export const volumeDetails: Shaper = (data) => {
  const details = (data ?? {}) as Record<string, unknown>;
  const labels = Object.entries((details.Labels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`);
  const options = Object.entries((details.Options ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`);
  const lines = [
    `${details.Name} driver=${details.Driver} scope=${details.Scope ?? "local"} created=${
      String(details.CreatedAt ?? "-").slice(0, 19)
    }`,
    `mountpoint: ${details.Mountpoint}`,
  ];
  if (labels.length) lines.push(`labels: ${labels.join(" ")}`);
  if (options.length) lines.push(`options: ${options.join(" ")}`);
  return { structured: { details }, text: lines.join("\n") };
};
