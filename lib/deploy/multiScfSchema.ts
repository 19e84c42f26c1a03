// serverless.yml as the multi-scf component defines it, written from its source:
// serverless-components/tencent-multi-scf at 02cf5633e30e53c02528b03f1458c2b2d6e86b34
// (2022-05-11, the newest commit), src/interface/inputs.ts (Inputs, FaasBaseConfig, FaasInputs,
// TriggerInputs) and src/formatter.ts (what it does with them). Trigger parameters for `timer`
// and `http` follow tencent-component-toolkit 2.27.2, src/modules/triggers/interface/index.ts
// (TimerTriggerInputsParams, HttpTriggerInputsParams), to which the component hands triggers.
// Strict objects: a key the source does not declare is an error, not a silent no-op.
import * as z from "zod/mini";
import { cronSchema } from "./cron";

const memorySize = z.int().check(z.refine((m) => m === 64 || (m >= 128 && m <= 3072 && m % 128 === 0), "expected 64, or 128..3072 in steps of 128"));
const timeout = z.int().check(z.gte(1), z.lte(900));
const keyValue = z.strictObject({ key: z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), value: z.string() });
const vpc = z.strictObject({ vpcId: z.string(), subnetId: z.string() });
const functionKey = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,40}$/, "expected a lower-case function key"));

// formatFaasInputs replaces `environment` with the `environments` list (default []), so an
// `environment:` block never reaches the function: refused here rather than silently dropped.
const droppedEnvironment = z.optional(z.unknown().check(z.refine(() => false, "formatter.ts overwrites `environment` with `environments` (a key/value list): use environments")));

/** FaasBaseConfig: settings valid at the top of `inputs` and on each function. */
const faasBase = {
  type: z.optional(z.enum(["web", "event"])),
  runtime: z.optional(z.string()),
  memorySize: z.optional(memorySize),
  timeout: z.optional(timeout),
  description: z.optional(z.string()),
  nodeType: z.optional(z.enum(["CPU", "GPU"])),
  nodeSpec: z.optional(z.string()),
  environments: z.optional(z.array(keyValue)),
  environment: droppedEnvironment,
  namespace: z.optional(z.string()),
  // The execution role (运行角色), a CAM role name: docs/configure.md lists `role` per function;
  // inputs.ts's FaasBaseConfig does not declare it, but formatInputs copies every key of
  // `inputs` into each function (deepClone({...inputs})) and tencent-component-toolkit's
  // formatFunctionInputs (src/modules/scf/utils.ts) sends `inputs.role` as `Role`. Checked after
  // ${env:...} is resolved (lib/deploy/executionRole.ts).
  role: z.optional(z.string()),
  vpc: z.optional(vpc),
  vpcConfig: z.optional(vpc),
  cfs: z.optional(z.array(z.strictObject({ cfsId: z.string(), mountInsId: z.string(), localMountDir: z.string(), remoteMountDir: z.string() }))),
  cls: z.optional(z.strictObject({ logsetId: z.string(), topicId: z.string() })),
  tags: z.optional(z.union([z.array(keyValue), z.record(z.string(), z.string())])),
  layers: z.optional(z.array(z.strictObject({ name: z.string(), version: z.string() }))),
  eip: z.optional(z.boolean()),
  publicAccess: z.optional(z.boolean()),
  installDependency: z.optional(z.boolean()),
  ignoreTriggers: z.optional(z.boolean()),
  asyncRunEnable: z.optional(z.boolean()),
  traceEnable: z.optional(z.boolean()),
};

/** FaasInputs: one entry of `functions` (handler is required there). */
const faasFunction = z.strictObject({
  ...faasBase,
  name: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/, "expected 2-60 letters, digits, - or _, starting with a letter"))),
  src: z.optional(z.string().check(z.regex(/^\.\/[\w.-]+$/, "expected ./<folder> inside inputs.src"))),
  handler: z.string(),
});

const timerTrigger = z.strictObject({
  type: z.literal("timer"),
  function: functionKey,
  parameters: z.strictObject({ name: z.string().check(z.regex(/^[\w-]{1,100}$/)), qualifier: z.optional(z.string()), cronExpression: cronSchema, enable: z.optional(z.boolean()), argument: z.optional(z.string()) }),
});

const httpTrigger = z.strictObject({
  type: z.literal("http"),
  function: functionKey,
  parameters: z.strictObject({
    name: z.optional(z.string()),
    qualifier: z.optional(z.string()),
    authType: z.optional(z.enum(["NONE", "CAM"])),
    netConfig: z.optional(z.strictObject({ enableIntranet: z.optional(z.boolean()), enableExtranet: z.optional(z.boolean()) })),
  }),
});

export const multiScfSchema = z.strictObject({
  org: z.optional(z.string()),
  app: z.string(),
  component: z.literal("multi-scf"),
  name: z.string(),
  stage: z.string(),
  inputs: z.strictObject({
    ...faasBase,
    region: z.optional(z.string().check(z.regex(/^[a-z]{2}-[a-z]+(-\d|-fsi)?$/))),
    // The framework zips `src.src` (minus `exclude`) and hands the component the zip.
    src: z.union([z.string(), z.strictObject({ src: z.optional(z.string()), exclude: z.optional(z.array(z.string())), bucket: z.optional(z.string()), object: z.optional(z.string()) })]),
    functions: z.record(functionKey, faasFunction),
    // The source takes any trigger type; only the two miniask deploys are accepted here, so a
    // cos or apigw trigger (API Gateway triggers are retired) cannot be declared and ignored.
    triggers: z.optional(z.array(z.discriminatedUnion("type", [timerTrigger, httpTrigger]))),
    isAutoPublish: z.optional(z.boolean()),
    publishDescription: z.optional(z.string()),
  }),
});

export type MultiScfManifest = z.infer<typeof multiScfSchema>;
export type MultiScfFunction = z.infer<typeof faasFunction>;
