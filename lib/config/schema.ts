// The YAML files under profiles/, as zod/mini schemas. They run at start (npm start, tests) and at
// build time; a function bundle embeds the validated result and carries none of them. zod/mini
// anyway: npm start and the scripts start faster too (see platform-facts.md, cold start).
import * as z from "zod/mini";
import { breakerSettingsSchema, defaultBreakerSettings } from "../breaker/breakerSettings";
import { budgetSettingsSchema, defaultBudgetSettings } from "../cost/budgetSettings";
import { CONTENT_SECURITY_OFF, contentSecurityPolicySchema } from "../contentSecurity/policy";
import { unsafePatternReason } from "../text/patternSafety";

import { ENVIRONMENTS, type EnvironmentName } from "./environments";
import { PROVIDER_APIS, paramValueSchema } from "./providerParams";

export { ENVIRONMENTS, type EnvironmentName };

const identifier = z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, "expected a lower-case identifier"));
const nonEmpty = z.string().check(z.minLength(1));

export const profileSchema = z.strictObject({
  model: identifier,
  system_prompt: nonEmpty,
  max_tokens: z.int().check(z.gte(1), z.lte(32768)),
  /** The intent this profile serves; defaults to the name before `_v<N>`. */
  intent: z.optional(identifier),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  /** Total time for the model call, fallbacks included (else the env policy's). */
  budget_ms: z.optional(z.int().check(z.gte(100), z.lte(120_000))),
  /** Fast first, then refine: another model alias, or another profile of the same intent. */
  refine: z.optional(identifier),
  /** Tools (from profiles/tools.yaml) the model may call. */
  tools: z.optional(z.array(identifier)),
  /** Serve repeated identical requests from the shared cache. */
  cache: z.optional(
    z.strictObject({
      ttl_seconds: z.int().check(z.gte(1), z.lte(7 * 24 * 3600)),
      /** Key the cache by user too (answers that depend on who asks). */
      per_user: z._default(z.boolean(), false),
    }),
  ),
});

export const profilesFileSchema = z.strictObject({
  profiles: z.record(identifier, profileSchema),
  routing: z.record(identifier, identifier),
});

const windowSchema = z.strictObject({
  requests: z.int().check(z.gte(1), z.lte(1_000_000)),
  window_seconds: z.int().check(z.gte(1), z.lte(86_400)),
});

const DEFAULT_LIMITS = {
  per_user_intent: { requests: 10, window_seconds: 60 },
  per_user: { requests: 30, window_seconds: 60 },
  per_ip: { requests: 60, window_seconds: 60 },
  daily_tokens: 100_000,
  on_store_error: "closed" as const,
  store_timeout_ms: 150,
};

export const limitsSchema = z.strictObject({
  per_user_intent: windowSchema,
  per_user: windowSchema,
  /** Traffic without a valid token, per client IP: logins, and requests whose token failed. */
  per_ip: z._default(windowSchema, { requests: 60, window_seconds: 60 }),
  /** Tokens (prompt + completion) a user may spend per day, Beijing time (UTC+8). */
  daily_tokens: z.int().check(z.gte(0)),
  /** When the store is down or slow: admit anyway (open) or refuse with 503 (closed). */
  on_store_error: z.enum(["open", "closed"]),
  store_timeout_ms: z.int().check(z.gte(10), z.lte(5000)),
});

export type Limits = z.infer<typeof limitsSchema>;

const term = z.string().check(z.minLength(1), z.maxLength(200));

export const safetySchema = z.strictObject({
  /** All user text of a request together (input strings and context), in characters. */
  max_input_chars: z.int().check(z.gte(1), z.lte(1_000_000)),
  blocked_input_terms: z._default(z.array(term), []),
  /** Built-in patterns for "ignore previous instructions" and the like (English and Chinese). */
  block_prompt_injection: z._default(z.boolean(), false),
  blocked_output_terms: z._default(z.array(term), []),
  /** Withhold an answer that repeats a line of the system prompt. */
  block_prompt_leak: z._default(z.boolean(), false),
});

export type Safety = z.infer<typeof safetySchema>;

export const loggingSchema = z.strictObject({
  /** User text and answers in log lines: full (dev), redacted, or none (lengths and hashes). */
  content: z.enum(["full", "redacted", "none"]),
  /** Extra redaction rules on top of the built-in ones (phone, e-mail, ID, card). */
  redact_patterns: z._default(
    z.array(z.strictObject({ name: z.string().check(z.regex(/^[a-z_]{1,32}$/)), pattern: z.string().check(
          z.minLength(1),
          z.refine(isRegex, "expected a valid regular expression"),
          // Redaction runs on every log line: a pattern that can backtrack badly is refused here, by file and key path.
          z.refine((p) => !isRegex(p) || unsafePatternReason(p) === undefined, { error: (issue) => `expected a linear-time pattern: ${unsafePatternReason(String(issue.input)) ?? "unsafe"}` }),
        ),
      }),
    ),
    [],
  ),
});

/** Days Redis keeps an audit record for `npm run replay`: retention itself is the log service's (CLS). */
export const AUDIT_REPLAY_DAYS = { min: 1, max: 3, default: 1 } as const;

export const auditSchema = z.strictObject({
  /** How long the audit trail is kept: the CLS topic's retention the operator sets (README), not Redis. */
  retention_days: z.int().check(z.gte(1), z.lte(3650)),
  /** How long Redis keeps a request's audit record for replay (`audit.replay_days`, 1-3). */
  replay_days: z._default(z.int().check(z.gte(AUDIT_REPLAY_DAYS.min), z.lte(AUDIT_REPLAY_DAYS.max)), AUDIT_REPLAY_DAYS.default),
  /** The request body and answer in the audit record: full, redacted, or none. */
  keep_request: z.enum(["full", "redacted", "none"]),
});

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, "g");
    return true;
  } catch {
    return false;
  }
}

export type Logging = z.infer<typeof loggingSchema>;
export type Audit = z.infer<typeof auditSchema>;

const DEFAULT_SAFETY = { max_input_chars: 20_000, blocked_input_terms: [], block_prompt_injection: true, blocked_output_terms: [], block_prompt_leak: true };

export const logLevelSchema = z.enum(["debug", "info", "warn", "error"]);

export const environmentPolicySchema = z.strictObject({
  allowed_profiles: z.array(identifier),
  log_level: logLevelSchema,
  /** Per-environment override of the profiles file's routing. */
  routing: z.optional(z.record(identifier, identifier)),
  /** Lifetime of an app token issued in this environment. */
  token_ttl_minutes: z._default(z.int().check(z.gte(1), z.lte(7 * 24 * 60)), 15),
  limits: z._default(limitsSchema, DEFAULT_LIMITS),
  /** Send a share of users to another allowed profile: sticky per user, 0 is the kill switch. */
  rollout: z._default(
    z.record(
      identifier,
      z.strictObject({
        profile: identifier,
        percent: z.number().check(z.gte(0), z.lte(100)),
        /** Changing the salt reshuffles who is in the rollout. */
        salt: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      }),
    ),
    {},
  ),
  safety: z._default(safetySchema, DEFAULT_SAFETY),
  logging: z._default(loggingSchema, { content: "none", redact_patterns: [] }),
  audit: z._default(auditSchema, { retention_days: 30, replay_days: AUDIT_REPLAY_DAYS.default, keep_request: "none" }),
  /** Total time for a model call, fallbacks included, unless the profile sets budget_ms. */
  model_budget_ms: z._default(z.int().check(z.gte(100), z.lte(120_000)), 8000),
  /** A streamed answer's whole life, first byte to last (the budget above covers the first delta). */
  model_stream_max_ms: z._default(z.int().check(z.gte(1000), z.lte(900_000)), 45_000),
  /** Circuit breakers per provider target (provider + model), shared through the store. */
  breaker: z._default(breakerSettingsSchema, defaultBreakerSettings()),
  /** WeChat msgSecCheck on input and output (off unless switched on). */
  content_security: z._default(contentSecurityPolicySchema, CONTENT_SECURITY_OFF),
  /** Daily money budgets (CNY) for the app and per user, and what happens past them. */
  budget: z._default(budgetSettingsSchema, defaultBudgetSettings()),
});

export const envPolicyFileSchema = z.strictObject({
  environments: z.strictObject({
    dev: z.optional(environmentPolicySchema),
    staging: z.optional(environmentPolicySchema),
    prod: z.optional(environmentPolicySchema),
  }),
  every_environment: z.optional(
    z.strictObject({
      allowed_profiles: z.optional(z.array(identifier)),
    }),
  ),
});

export const providerSchema = z.strictObject({
  base_url: z.string().check(z.regex(/^https?:\/\/[^\s]+$/, "expected an http(s) URL")),
  key_env: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name")),
  /** Send the OpenAI `user` field (a hash of the userId) so the provider's console joins our traces. */
  send_user: z._default(z.boolean(), true),
  /** Whose OpenAI-compatible API it is: which own parameters `params` may name (providerParams.ts). */
  api: z._default(z.enum(PROVIDER_APIS), "openai"),
  /** The provider's own body parameters for every chain entry (an entry's `params` add to them). */
  params: z.optional(z.record(z.string(), paramValueSchema)),
});

export const chainEntrySchema = z.strictObject({
  provider: identifier,
  model: nonEmpty,
  timeout_ms: z._default(z.int().check(z.gte(100), z.lte(120_000)), 8000),
  /** The provider accepts response_format: {type: "json_schema"} (structured output). */
  json_schema: z._default(z.boolean(), false),
  /** This model's own body parameters, over the provider's (e.g. enable_thinking: false for an open Qwen3). */
  params: z.optional(z.record(z.string(), paramValueSchema)),
});

export const modelsFileSchema = z.strictObject({
  providers: z.record(identifier, providerSchema),
  /** Per-model prices, for cost estimates (npm run eval). */
  prices: z._default(z.record(nonEmpty, z.strictObject({ input_per_million: z.number().check(z.gte(0)), output_per_million: z.number().check(z.gte(0)) })), {}),
  aliases: z.record(
    identifier,
    z.strictObject({
      dev: z.optional(z.array(chainEntrySchema).check(z.minLength(1))),
      staging: z.optional(z.array(chainEntrySchema).check(z.minLength(1))),
      prod: z.optional(z.array(chainEntrySchema).check(z.minLength(1))),
    }),
  ),
});

/** A JSON schema subset for tool parameters: what jsonSchemaToZod can turn into a validator. */
type JsonSchemaProperty = { type: "string" | "number" | "integer" | "boolean"; description?: string; enum?: (string | number)[]; pattern?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number };

const jsonSchemaPropertySchema = z.strictObject({
  type: z.enum(["string", "number", "integer", "boolean"]),
  description: z.optional(z.string()),
  enum: z.optional(z.array(z.union([z.string(), z.number()]))),
  pattern: z.optional(z.string()),
  minLength: z.optional(z.int()),
  maxLength: z.optional(z.int()),
  minimum: z.optional(z.number()),
  maximum: z.optional(z.number()),
});

export const toolParametersSchema = z.strictObject({
  type: z.literal("object"),
  properties: z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)), jsonSchemaPropertySchema),
  required: z._default(z.array(z.string()), []),
});

const toolSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("faq"),
    description: nonEmpty,
    max_results: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
  }),
  z.strictObject({
    kind: z.literal("http"),
    description: nonEmpty,
    method: z.enum(["GET", "POST"]),
    url: z.string().check(z.regex(/^https?:\/\/[^\s]+$/, "expected an http(s) URL template")),
    parameters: toolParametersSchema,
    timeout_ms: z._default(z.int().check(z.gte(100), z.lte(30_000)), 3000),
    allowed_hosts: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  }),
]);

export const toolsFileSchema = z.strictObject({
  max_rounds: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
  /** Calls run per model turn; the model's further asks get "limit reached" back, unrun. */
  max_calls_per_round: z._default(z.int().check(z.gte(1), z.lte(20)), 4),
  /** Calls run per request, all rounds together; past it the model must answer. */
  max_calls_per_request: z._default(z.int().check(z.gte(1), z.lte(50)), 8),
  /** Time all of a request's tool calls may take together (inside the model budget). */
  max_total_ms: z._default(z.int().check(z.gte(100), z.lte(60_000)), 4000),
  tools: z.record(identifier, toolSchema),
});

export const faqFileSchema = z.array(z.strictObject({ q: nonEmpty, a: nonEmpty }));

export type ToolsFile = z.infer<typeof toolsFileSchema>;
export type ToolSpec = ToolsFile["tools"][string];
export type ToolParameters = z.infer<typeof toolParametersSchema>;
export type FaqEntry = z.infer<typeof faqFileSchema>[number];
export type { JsonSchemaProperty };

export type Profile = z.infer<typeof profileSchema>;
export type ProfilesFile = z.infer<typeof profilesFileSchema>;
export type EnvironmentPolicy = z.infer<typeof environmentPolicySchema>;
export type EnvPolicyFile = z.infer<typeof envPolicyFileSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type ChainEntry = z.infer<typeof chainEntrySchema>;
export type ModelsFile = z.infer<typeof modelsFileSchema>;
export type LogLevel = z.infer<typeof logLevelSchema>;
