/**
 * `docker_inspect_secret`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { inspectObject } from "./_objects.ts";

/** A secret's metadata (never its value). */
export const inspectSecret: Handler = inspectObject("secrets");
