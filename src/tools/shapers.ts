/**
 * The named shapers manifests may use (`output.shaper: <name>`).
 *
 * @module
 */

import type { Shaper } from "../interpreter/contract.ts";
import { containerDetails } from "./containers/inspect_container.ts";
import { containerList } from "./containers/list_containers.ts";
import { imageDetails } from "./images/inspect_image.ts";
import { imageHistory } from "./images/image_history.ts";
import { networkDetails } from "./networks/inspect_network.ts";
import { processTable } from "./containers/container_top.ts";
import { systemDf } from "./system/system_df.ts";
import { volumeDetails } from "./volumes/inspect_volume.ts";
import { volumeList } from "./volumes/list_volumes.ts";

/** Every shaper, by the name manifests use. */
export const SHAPERS: Record<string, Shaper> = {
  inspect_container: containerDetails,
  list_containers: containerList,
  inspect_image: imageDetails,
  image_history: imageHistory,
  inspect_network: networkDetails,
  container_top: processTable,
  system_df: systemDf,
  inspect_volume: volumeDetails,
  list_volumes: volumeList,
};
