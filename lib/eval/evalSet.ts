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
  /** support: each of these tools was called at least once. */
  tools_called: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  /** support: no order number or shipping status in the answer that no tool returned (an order number the user wrote is theirs). */
  no_invented_order_data: z.optional(z.boolean()),
  /** recommend: every pick is a listed item, none twice, at most the limit. */
  only_listed_ids: z.optional(z.boolean()),
  /** recommend: every pick has a reason. */
  reasons_present: z.optional(z.boolean()),
  /** recommend: these ids are among the picks. */
  required_ids: z.optional(z.array(z.string().check(z.minLength(1)))),
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
