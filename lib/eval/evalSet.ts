import * as z from "zod/mini";

export const checksSchema = z.strictObject({
  min_bullets: z.optional(z.int().check(z.gte(0))),
  max_bullets: z.optional(z.int().check(z.gte(1))),
  required_terms: z.optional(z.array(z.string().check(z.minLength(1)))),
  forbidden_terms: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** The answer is an object of exactly the requested fields, each a string, number, boolean or null. */
  json_schema_valid: z.optional(z.boolean()),
  expect_fields: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  max_latency_ms: z.optional(z.int().check(z.gte(1))),
  max_tokens: z.optional(z.int().check(z.gte(1))),
});

export const evalSetSchema = z.strictObject({
  cases: z
    .array(
      z.strictObject({
        name: z.string().check(z.minLength(1)),
        input: z.record(z.string(), z.unknown()),
        context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
        checks: checksSchema,
      }),
    )
    .check(z.minLength(1)),
});

export type Checks = z.infer<typeof checksSchema>;
export type EvalSet = z.infer<typeof evalSetSchema>;
