// scripts/deploy/stages.yml: miniask's per-stage deploy settings, the ones the multi-scf format
// has no key for (canary weight, warm-up, provisioned concurrency, which variables may be unset).
import * as z from "zod/mini";
import { cronSchema } from "./cron";

const functionKey = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,40}$/));
const variableName = z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/));

// The bounds are PutProvisionedConcurrencyConfig's: TrackingTarget in (0,1) with two decimals,
// MinCapacity at least 1, MaxCapacity at least MinCapacity; a TriggerAction's name is
// letters, digits, - and _ (the API answers InvalidParameterValue.ProvisionTriggerName).
export const provisionedSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("static"), count: z.int().check(z.gte(1)) }),
  z.strictObject({
    mode: z.literal("scheduled"),
    count: z.int().check(z.gte(0)),
    actions: z
      .array(z.strictObject({ name: z.string().check(z.regex(/^[\w-]{1,60}$/)), count: z.int().check(z.gte(0)), cron: cronSchema }))
      .check(
        z.minLength(1),
        z.refine((actions) => new Set(actions.map((a) => a.name)).size === actions.length, "action names must be unique"),
        z.refine((actions) => new Set(actions.map((a) => a.cron.trim())).size === actions.length, "two actions share a cron"),
      ),
  }),
  z
    .strictObject({
      mode: z.literal("tracking"),
      target: z.number().check(z.gt(0), z.lt(1), z.refine((t) => Math.round(t * 100) === t * 100, "expected at most two decimals")),
      min: z.int().check(z.gte(1)),
      max: z.int().check(z.gte(1)),
    })
    .check(z.refine((t) => t.max >= t.min, "max must be at least min")),
]);

// InstanceConcurrencyConfig (CreateFunction / UpdateFunctionConfiguration): requests one instance
// serves at once, MaxConcurrency in [1, 100] (scf_models.d.ts); static, or dynamic (SCF lowers it
// under load) up to the maximum. HTTP (web) functions only (doc 583/47183).
export const concurrencySchema = z.strictObject({ mode: z.enum(["static", "dynamic"]), max: z.int().check(z.gte(1), z.lte(100)) });

// One custom domain per stage (CreateCustomDomain): values may be ${env:NAME}, resolved like
// serverless.yml's; the certificate is an SSL certificate ID (CertConfig.CertificateId).
const domainSchema = z.strictObject({ name: z.string().check(z.minLength(1)), certificateId: z.string().check(z.minLength(1)) });

const stageSchema = z.strictObject({
  canaryWeight: z.number().check(z.gte(0), z.lt(1)),
  emptyAllowed: z.array(variableName),
  warmup: z.record(functionKey, z.int().check(z.gte(1), z.lte(50))),
  provisioned: z.record(functionKey, provisionedSchema),
  concurrency: z._default(z.record(functionKey, concurrencySchema), {}),
  domain: z.optional(domainSchema),
});

export const stagesSchema = z.strictObject({
  initTimeout: z.optional(z.int().check(z.gte(1), z.lte(300))),
  stages: z.strictObject({ dev: stageSchema, staging: stageSchema, prod: stageSchema }),
});

export type StagesFile = z.infer<typeof stagesSchema>;
export type Provisioned = z.infer<typeof provisionedSchema>;
export type Concurrency = z.infer<typeof concurrencySchema>;
