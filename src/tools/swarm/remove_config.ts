/**
 * `docker_remove_config`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { removeObject } from "./_objects.ts";

/** Removes a config (the engine refuses while a service uses it). */
export const removeConfig: Handler = removeObject("configs");
