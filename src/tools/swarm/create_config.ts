/**
 * `docker_create_config`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { createObject } from "./_objects.ts";

/** A config from its data. */
export const createConfig: Handler = createObject("configs");
