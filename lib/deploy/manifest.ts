// serverless.yml, parsed and resolved for one stage: ${stage} and ${env:NAME} substituted,
// per-function settings merged over the app's. Used by the build, the deploy and the tests.
import * as z from "zod/mini";
import { ConfigError } from "../config/configError";
import { ENVIRONMENTS, type EnvironmentName } from "../config/schema";
import { describeIssueAt } from "../validation/describeIssue";

const memorySize = z.int().check(z.refine((m) => m === 64 || (m >= 128 && m <= 3072 && m % 128 === 0), "expected 64, or 128..3072 in steps of 128"));
const kv = z.strictObject({ key: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/)), value: z.string() });
const fnName = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,40}$/));

const functionSchema = z.strictObject({
  type: z.optional(z.enum(["web", "event"])),
  handler: z.optional(z.string()),
  memorySize: z.optional(memorySize),
  timeout: z.optional(z.int().check(z.gte(1), z.lte(900))),
  environments: z.optional(z.array(kv)),
});

const triggerSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("http"), function: fnName, parameters: z.strictObject({ authType: z.enum(["NONE", "CAM"]) }) }),
  z.strictObject({
    type: z.literal("timer"),
    function: fnName,
    parameters: z.strictObject({ name: z.string(), cronExpression: z.string().check(z.refine((c) => c.trim().split(/\s+/).length === 7, "expected a 7-field cron")), enable: z.boolean() }),
  }),
]);

const provisionedSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("static"), count: z.int().check(z.gte(1)) }),
  z.strictObject({
    mode: z.literal("scheduled"),
    count: z.int().check(z.gte(0)),
    actions: z.array(z.strictObject({ name: z.string().check(z.regex(/^[\w-]{1,60}$/)), count: z.int().check(z.gte(0)), cron: z.string().check(z.refine((c) => c.trim().split(/\s+/).length === 7, "expected a 7-field cron")) })).check(z.minLength(1)),
  }),
  z.strictObject({ mode: z.literal("tracking"), target: z.number().check(z.gt(0), z.lt(1)), min: z.int().check(z.gte(0)), max: z.int().check(z.gte(1)) }),
]);

const stageSchema = z.strictObject({
  alias: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,30}$/)),
  canaryWeight: z.optional(z.number().check(z.gte(0), z.lt(1))),
  warmup: z.record(fnName, z.int().check(z.gte(1), z.lte(50))),
  provisioned: z.record(fnName, provisionedSchema),
});

export const manifestSchema = z.strictObject({
  app: z.string(),
  component: z.literal("multi-scf"),
  name: z.string(),
  stage: z.string(),
  inputs: z.strictObject({
    src: z.strictObject({ src: z.string() }),
    region: z.string().check(z.regex(/^[a-z]{2}-[a-z]+(-\d)?$/)),
    namespace: z.string(),
    runtime: z.enum(["Nodejs16.13", "Nodejs18.15"]),
    type: z.enum(["web", "event"]),
    memorySize: memorySize,
    timeout: z.int().check(z.gte(1), z.lte(900)),
    initTimeout: z.optional(z.int().check(z.gte(1), z.lte(300))),
    vpcConfig: z.optional(z.strictObject({ vpcId: z.string(), subnetId: z.string() })),
    environments: z.array(kv),
    functions: z.record(fnName, functionSchema),
    triggers: z.array(triggerSchema),
  }),
  miniask: z.strictObject({
    stages: z.strictObject({ dev: stageSchema, staging: stageSchema, prod: stageSchema }),
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Provisioned = z.infer<typeof provisionedSchema>;

export interface ResolvedFunction {
  name: string;
  /** The SCF function name: app-stage-name. */
  scfName: string;
  type: "web" | "event";
  handler?: string;
  memorySize: number;
  timeout: number;
  initTimeout?: number;
  environment: Record<string, string>;
  urlTrigger?: { authType: "NONE" | "CAM" };
  timers: { name: string; cron: string; enable: boolean }[];
  warmupCount: number;
  provisioned?: Provisioned;
}

export interface ResolvedManifest {
  stage: EnvironmentName;
  region: string;
  namespace: string;
  runtime: string;
  vpc?: { vpcId: string; subnetId: string };
  alias: string;
  canaryWeight: number;
  functions: ResolvedFunction[];
  /** ${env:NAME} references whose variable was unset (a deploy refuses; a dry run lists them). */
  missingVariables: string[];
}

export function parseManifest(data: unknown): Manifest {
  const result = z.safeParse(manifestSchema, data);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `serverless.yml: ${describeIssueAt(issue, data)}`));
  return result.data;
}

/** Substitutes ${stage} and ${env:NAME}; unset variables are collected, not guessed. */
function substitute(value: string, stage: string, env: Readonly<Record<string, string | undefined>>, missing: Set<string>): string {
  return value.replace(/\$\{stage\}/g, stage).replace(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") {
      missing.add(name);
      return "";
    }
    return v;
  });
}

export function resolveManifest(manifest: Manifest, stage: string, env: Readonly<Record<string, string | undefined>>): ResolvedManifest {
  if (!(ENVIRONMENTS as readonly string[]).includes(stage)) throw new ConfigError([`--stage: expected one of ${ENVIRONMENTS.join(", ")}, got "${stage}"`]);
  const s = stage as EnvironmentName;
  const missing = new Set<string>();
  const sub = (v: string) => substitute(v, s, env, missing);
  const { inputs } = manifest;
  const stageSettings = manifest.miniask.stages[s];
  const appEnv = Object.fromEntries(inputs.environments.map((e) => [e.key, sub(e.value)]));
  const functions = Object.entries(inputs.functions).map(([name, fn]): ResolvedFunction => {
    const type = fn.type ?? inputs.type;
    const url = inputs.triggers.find((t) => t.type === "http" && t.function === name);
    return {
      name,
      scfName: `${manifest.app}-${s}-${name}`,
      type,
      ...(fn.handler ? { handler: fn.handler } : {}),
      memorySize: fn.memorySize ?? inputs.memorySize,
      timeout: fn.timeout ?? inputs.timeout,
      ...(inputs.initTimeout ? { initTimeout: inputs.initTimeout } : {}),
      environment: { ...appEnv, ...Object.fromEntries((fn.environments ?? []).map((e) => [e.key, sub(e.value)])) },
      ...(url && url.type === "http" ? { urlTrigger: { authType: url.parameters.authType } } : {}),
      timers: inputs.triggers.flatMap((t) => (t.type === "timer" && t.function === name ? [{ name: t.parameters.name, cron: t.parameters.cronExpression, enable: t.parameters.enable }] : [])),
      warmupCount: stageSettings.warmup[name] ?? 0,
      ...(stageSettings.provisioned[name] ? { provisioned: stageSettings.provisioned[name] } : {}),
    };
  });
  const vpc = inputs.vpcConfig ? { vpcId: sub(inputs.vpcConfig.vpcId), subnetId: sub(inputs.vpcConfig.subnetId) } : undefined;
  return {
    stage: s,
    region: sub(inputs.region),
    namespace: sub(inputs.namespace),
    runtime: inputs.runtime,
    ...(vpc && vpc.vpcId && vpc.subnetId ? { vpc } : {}),
    alias: stageSettings.alias,
    canaryWeight: stageSettings.canaryWeight ?? 0,
    functions,
    missingVariables: [...missing].sort(),
  };
}
