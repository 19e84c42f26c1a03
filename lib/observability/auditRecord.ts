import * as z from "zod/mini";

/** An audit record as the record step writes it; read back through zod like any stored input. */
export const auditRecordSchema = z.object({
  traceId: z.string(),
  time: z.string(),
  env: z.string(),
  user: z.optional(z.string()),
  intent: z.optional(z.string()),
  profile: z.optional(z.string()),
  model: z.optional(z.string()),
  outcome: z.string(),
  status: z.number(),
  usage: z.optional(z.object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() })),
  ms: z.optional(z.number()),
  cached: z.optional(z.boolean()),
  /** CNY at models.yaml's prices; a cache hit costs 0. */
  cost: z.optional(z.number()),
  costComplete: z.optional(z.boolean()),
  attempts: z.optional(z.array(z.object({ provider: z.string(), model: z.string(), outcome: z.string(), cost: z.optional(z.number()) }))),
  arm: z.optional(z.string()),
  request: z.optional(z.unknown()),
  answer: z.optional(z.unknown()),
});

export type AuditRecord = z.infer<typeof auditRecordSchema>;
