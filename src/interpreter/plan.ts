/**
 * Planning: validated arguments + a manifest route → one engine request.
 * Path parameters are checked again here, independent of input validation,
 * because a wrong URL reaches a different engine route.
 *
 * @module
 */

import { BerthError } from "../errors/mod.ts";
import { encodeFilters } from "../engine/ops/mod.ts";

export { encodeFilters };
import type { QueryValue } from "../engine/client.ts";
import type { ErrorType } from "../errors/mod.ts";
import type { ParamSpec, QueryMapping, RequestSpec, ToolSpec } from "../manifest/types.ts";
import { checkFormat, FORMAT_DESCRIPTIONS, parseBytes, parseTime } from "../guard/formats.ts";
import type { Args } from "./input.ts";

/** A fully built engine request, before the engine client sends it. */
export interface RequestPlan {
  method: RequestSpec["method"];
  path: string;
  query: Record<string, QueryValue>;
  body?: Record<string, unknown>;
  errors: Partial<Record<number, ErrorType>>;
}

/** Expands `{param}` placeholders, refusing any value that is not a safe segment or reference. */
export function expandPath(template: string, args: Args, input: Record<string, ParamSpec>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = args[name];
    const format = input[name]?.format;
    if (typeof value !== "string" || (format !== "name_or_id" && format !== "image_ref")) {
      throw new BerthError("invalid_input", `Parameter '${name}' is required`, {
        hint: `Give '${name}' as a string`,
      });
    }
    if (!checkFormat(format, value)) {
      throw new BerthError(
        "invalid_input",
        `Parameter '${name}' must be ${FORMAT_DESCRIPTIONS[format]}`,
        {
          hint: `Pass the exact name or ID as shown by the list tools`,
        },
      );
    }
    // Image references keep their '/' (the engine's route takes them whole);
    // the grammar has already excluded '.', '..', '%', '?', '#' and spaces.
    return format === "image_ref" ? value : encodeURIComponent(value);
  });
}

/** Encodes a value for the engine per the mapping's `encode`. */
function encodeValue(value: unknown, encode?: string): QueryValue | unknown {
  switch (encode) {
    case "json":
      return JSON.stringify(value);
    case "filters":
      return encodeFilters(value as Record<string, unknown>);
    case "csv":
      return Array.isArray(value) ? value.join(",") : String(value);
    case "unix_time":
      return parseTime(value as string | number);
    case "bytes":
      return parseBytes(value as string | number);
    default:
      return value;
  }
}

function mapValues(
  mappings: Record<string, QueryMapping> | undefined,
  args: Args,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, mapping] of Object.entries(mappings ?? {})) {
    if (typeof mapping === "string") {
      if (args[mapping] !== undefined) out[key] = args[mapping];
    } else if ("value" in mapping) {
      out[key] = mapping.value;
    } else if (args[mapping.from] !== undefined) {
      const encoded = encodeValue(args[mapping.from], mapping.encode);
      if (encoded !== undefined) out[key] = encoded;
    }
  }
  return out;
}

/** Builds the request for a route-based tool. */
export function planRequest(spec: ToolSpec, args: Args): RequestPlan {
  const request = spec.request;
  if (!request) throw new Error(`${spec.name} has no request`);
  const errors: Partial<Record<number, ErrorType>> = {};
  for (const [status, type] of Object.entries(spec.response?.errors ?? {})) {
    errors[Number(status)] = type as ErrorType;
  }
  const query = mapValues(request.query, args) as Record<string, QueryValue>;
  const body = request.body ? mapValues(request.body, args) : undefined;
  return {
    method: request.method,
    path: expandPath(request.path, args, spec.input),
    query,
    body,
    errors,
  };
}
