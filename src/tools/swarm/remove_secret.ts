/**
 * `docker_remove_secret`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { removeObject } from "./_objects.ts";

/** Removes a secret (the engine refuses while a service uses it). */
export const removeSecret: Handler = removeObject("secrets");
