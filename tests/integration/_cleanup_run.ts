/**
 * Cleanup by run rather than by suite: everything a test run creates also
 * carries `berth.run=<run>`, so a concurrent run of the same suite (another
 * engineer, CI) keeps its objects.
 *
 * @module
 */

import { docker } from "../helpers/mod.ts";

/** Removes every container, network and volume labelled `berth.run=<run>`. */
export async function cleanupRun(run: string): Promise<void> {
  const filter = `label=berth.run=${run}`;
  const containers = await docker("ps", "-aq", "--filter", filter);
  if (containers) await docker("rm", "-f", "-v", ...containers.split("\n"));
  const networks = await docker("network", "ls", "-q", "--filter", filter);
  if (networks) await docker("network", "rm", ...networks.split("\n"));
  const volumes = await docker("volume", "ls", "-q", "--filter", filter);
  if (volumes) await docker("volume", "rm", "-f", ...volumes.split("\n"));
}
