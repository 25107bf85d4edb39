/**
 * The strict schema of manifest files: unknown keys are rejected, so a typo
 * in a manifest is an error at start rather than a silently ignored setting.
 *
 * @module
 */

import { z } from "zod";
import { FORMATS, LEVELS, TIMEOUT_CLASSES } from "./types.ts";

const paramType = z.enum(["string", "integer", "number", "boolean", "object", "array"]);
const typeField = z.union([paramType, z.array(paramType).min(1)]);

/** A parameter or nested item schema. */
export const paramSchema: z.ZodType = z.lazy(() =>
  z.strictObject({
    type: typeField,
    description: z.string().min(1, "every property needs a description"),
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    enum: z.array(z.string()).min(1).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    maxLength: z.number().int().positive().optional(),
    format: z.enum(FORMATS).optional(),
    items: paramSchema.optional(),
    values: paramSchema.optional(),
    properties: z.record(z.string(), paramSchema).optional(),
    aliases: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/)).min(1).optional(),
    words: z.record(z.string(), z.unknown()).optional(),
    const: z.union([z.string(), z.number(), z.boolean()]).optional(),
    hidden: z.boolean().optional(),
    into: z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/).optional(),
    writeOnly: z.boolean().optional(),
  })
);

const queryMapping = z.union([
  z.string(),
  z.strictObject({
    from: z.string(),
    encode: z.enum(["json", "filters", "csv", "unix_time", "bytes"]).optional(),
  }),
  z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) }),
]);

const routePath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9_{}/.-]*$/,
    "must be an Engine API path such as /containers/{container_id}/json",
  )
  .refine(
    (p) => !p.split("/").some((s) => s === ".." || s === "."),
    "must not contain '.' or '..' segments",
  )
  .refine((p) => !p.includes("//"), "must not contain empty segments ('//')")
  .refine((p) => !/^\/v\d/.test(p), "must not carry an API version; berth negotiates it");

const errorTypes = z.enum([
  "daemon_unreachable",
  "container_not_found",
  "image_not_found",
  "invalid_input",
  "permission_denied",
  "port_in_use",
  "denied_by_policy",
  "timeout",
  "circuit_open",
  "conflict",
  "not_found",
  "engine_error",
]);

const fieldSchema: z.ZodType = z.lazy(() =>
  z.strictObject({
    type: typeField,
    description: z.string().min(1, "every property needs a description"),
    // A dot path into the engine's object (`State.Status`, `Names.0`); `.` or `a..b` read nothing.
    from: z.string().regex(
      /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
      "must be a dot path into the engine's answer such as State.Status or Names.0; " +
        "for a route that answers a list, use output.list instead",
    ).optional(),
    transform: z.string().optional(),
    value: z.string().min(1).optional(),
    default: z.unknown().optional(),
    hidden: z.boolean().optional(),
    fields: z.record(z.string(), fieldSchema).optional(),
    items: z.union([fieldSchema, paramSchema]).optional(),
    nullable: z.boolean().optional(),
  })
);

const textLine: z.ZodType = z.lazy(() =>
  z.strictObject({
    text: z.string().optional(),
    when: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    parts: z.array(z.union([z.string(), textLine])).min(1).optional(),
    sep: z.string().optional(),
    table: z.strictObject({ header: z.string().min(1), rows: z.string().min(1) }).optional(),
  })
);

const errorHint = z.union([
  z.string().min(1),
  z.array(z.strictObject({
    contains: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    type: z.lazy(() => errorTypes).optional(),
    hint: z.string().min(1),
  })).min(1),
]);

/** The schema of one `manifest/<toolset>/<tool>.yaml` file. */
export const toolFileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_]{2,63}$/, "must be snake_case, 3–64 characters"),
    title: z.string().min(1),
    description: z.string().min(1),
    permission: z.enum(LEVELS),
    timeout: z.enum(TIMEOUT_CLASSES),
    input: z.record(
      z.string().regex(/^[a-z][a-z0-9_]*$/, "parameter names are snake_case"),
      paramSchema,
    )
      .default({}),
    request: z
      .strictObject({
        method: z.enum(["GET", "POST", "PUT", "DELETE", "HEAD"]),
        path: routePath,
        query: z.record(z.string(), queryMapping).optional(),
        body: z.record(z.string(), queryMapping).optional(),
        target: z
          .strictObject({
            container: z.string().optional(),
            image: z.string().optional(),
            network: z.string().optional(),
            volume: z.string().optional(),
          })
          .optional(),
        also: z.record(
          z.string().regex(/^[a-z][a-z0-9_]*$/),
          z.strictObject({
            path: routePath,
            query: z.record(z.string(), queryMapping).optional(),
            when: z.string().min(1).optional(),
            errors: z.record(z.string().regex(/^\d{3}$/), errorTypes).optional(),
          }),
        ).optional(),
        before: z.record(
          z.string().regex(/^[a-z][a-z0-9_]*$/),
          z.strictObject({
            path: routePath,
            errors: z.record(z.string().regex(/^\d{3}$/), errorTypes).optional(),
            sets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/))
              .optional(),
          }),
        ).optional(),
      })
      .optional(),
    handler: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
    response: z
      .strictObject({
        kind: z.enum(["json", "empty", "text"]),
        errors: z.record(z.string().regex(/^\d{3}$/), errorTypes).optional(),
        hints: z.record(z.string().regex(/^\d{3}$/), errorHint).optional(),
      })
      .optional(),
    output: z.strictObject({
      shaper: z.string().optional(),
      list: z.string().optional(),
      fields: z.record(z.string(), fieldSchema).optional(),
      schema: z.record(z.string(), fieldSchema).optional(),
      text: z.union([z.string(), z.array(z.union([z.string(), textLine])).min(1)]).optional(),
      header: z.string().optional(),
      title: z.string().optional(),
      from: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dot path")
        .optional(),
      sort: z.string().optional(),
      templates: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string()).optional(),
    }),
  })
  .refine((t) => (t.request ? 1 : 0) + (t.handler ? 1 : 0) === 1, {
    message: "declare exactly one of 'request' (an Engine API route) or 'handler'",
    path: ["request"],
  })
  .refine((t) => !t.output.fields || !t.output.schema, {
    message: "declare either 'fields' or 'schema', not both",
    path: ["output"],
  });

/** The schema of `manifest/<toolset>/toolset.yaml`. */
export const toolsetFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  description: z.string().min(1),
  order: z.number().int().nonnegative(),
});
