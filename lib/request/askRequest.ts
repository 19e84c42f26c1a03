import * as z from "zod/mini";

import { TRACE_ID } from "../http/limits";

const contextValue = z.union([z.string().check(z.maxLength(256)), z.number(), z.boolean()]);

export const askRequestSchema = z.object({
  intent: z.string().check(z.minLength(1), z.maxLength(64)),
  userId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.:@-]+$/, "expected letters, digits and _ . : @ -")),
  traceId: z.optional(z.string().check(z.regex(TRACE_ID, "expected 1-64 letters, digits and _ . : -"))),
  input: z.record(z.string(), z.unknown()),
  context: z.optional(
    z.record(z.string().check(z.regex(/^[\w.-]{1,40}$/, "expected a key of at most 40 letters, digits and _ . -")), contextValue).check(
      z.refine((ctx) => Object.keys(ctx).length <= 16, "expected at most 16 entries"),
    ),
  ),
  /** A requested profile version (a remote feature flag); honoured only when allowed. */
  profile: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, "expected a profile name"))),
  stream: z.optional(z.boolean()),
});

export type AskRequest = z.infer<typeof askRequestSchema>;
