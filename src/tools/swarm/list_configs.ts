/**
 * `docker_list_configs`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { listObjects } from "./_objects.ts";

/** Configs by name, labels and times. */
export const listConfigs: Handler = listObjects("configs");
