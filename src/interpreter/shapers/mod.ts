/**
 * The named shapers manifests may use (`output.shaper: <name>`).
 *
 * @module
 */

import type { Shaper } from "../handlers/types.ts";
import { containerDetails } from "./container_details.ts";
import { containerList } from "./container_list.ts";
import { imageDetails } from "./image_details.ts";
import { imageHistory } from "./image_history.ts";
import { networkDetails } from "./network_details.ts";
import { processTable } from "./process_table.ts";
import { systemDf } from "./system_df.ts";
import { volumeDetails } from "./volume_details.ts";
import { volumeList } from "./volume_list.ts";

/** Every shaper, by the name manifests use. */
export const SHAPERS: Record<string, Shaper> = {
  container_details: containerDetails,
  container_list: containerList,
  image_details: imageDetails,
  image_history: imageHistory,
  network_details: networkDetails,
  process_table: processTable,
  system_df: systemDf,
  volume_details: volumeDetails,
  volume_list: volumeList,
};
