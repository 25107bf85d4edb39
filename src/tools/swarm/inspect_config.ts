/**
 * `docker_inspect_config`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { inspectObject } from "./_objects.ts";

/** A config's metadata and its data. */
export const inspectConfig: Handler = inspectObject("configs");
