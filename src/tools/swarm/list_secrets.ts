/**
 * `docker_list_secrets`, over _objects.ts (one implementation for secrets and configs).
 *
 * @module
 */

import type { Handler } from "../../interpreter/contract.ts";
import { listObjects } from "./_objects.ts";

/** Secrets by name, labels and times, never their values. */
export const listSecrets: Handler = listObjects("secrets");
