/**
 * The named shapers manifests may use (`output.shaper: <name>`): answers the
 * manifest language (docs/manifests.md) cannot express yet.
 *
 * @module
 */

import type { Shaper } from "../interpreter/contract.ts";
import { containerDetails } from "./containers/inspect_container.ts";
import { systemDf } from "./system/system_df.ts";

/** Every shaper, by the name manifests use. */
export const SHAPERS: Record<string, Shaper> = {
  inspect_container: containerDetails,
  system_df: systemDf,
};
