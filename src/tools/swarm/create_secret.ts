/**
 * `docker_create_secret`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { createObject } from "./_objects.ts";

/** A secret from its value (never shown again). */
export const createSecret: Handler = createObject("secrets");
