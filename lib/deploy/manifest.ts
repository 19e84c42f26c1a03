// The deploy manifest for one stage: serverless.yml (the multi-scf component's inputs) and
// scripts/deploy/stages.yml (miniask's own per-stage settings), parsed and resolved with
// ${stage} and ${env:NAME} substituted. Used by the build, the deploy, the burst planner and
// the tests. Names and merging follow the component: a function is
// `${name}-${stage}-${app}-${key}` and its own `environments` list replaces the app's.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import * as z from "zod/mini";
import { ConfigError } from "../config/configError";
import { ENVIRONMENTS, type EnvironmentName } from "../config/schema";
import { describeIssueAt } from "../validation/describeIssue";
import { type MultiScfManifest, multiScfSchema } from "./multiScfSchema";
import { resolveRole } from "./roleName";
import { checkSecretReference } from "./secretReference";
import { type Concurrency, type Provisioned, type StagesFile, stagesSchema } from "./stagesSchema";
import { MAX_PINGS_PER_TARGET, warmupPings } from "./warmupPings";

export type { Concurrency, Provisioned } from "./stagesSchema";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const SERVERLESS_FILE = "serverless.yml";
/** Where the per-stage settings, provisioned schedules included, live (relative to the repo). */
export const STAGES_FILE = "scripts/deploy/stages.yml";

export interface ResolvedFunction {
  /** The key in serverless.yml (summarize, auth, ...). */
  name: string;
  /** The SCF function name. */
  scfName: string;
  type: "web" | "event";
  handler: string;
  memorySize: number;
  timeout: number;
  initTimeout?: number;
  /** Variables with a value; those left empty are not sent (the API refuses empty values). */
  environment: Record<string, string>;
  urlTrigger?: { name: string; authType: "NONE" | "CAM"; enableIntranet: boolean; enableExtranet: boolean };
  timers: { name: string; cron: string; enable: boolean }[];
  warmupCount: number;
  provisioned?: Provisioned;
  /** Requests one instance serves at once (web functions only); unset = SCF's one. */
  concurrency?: Concurrency;
  /** Public egress (PublicNetConfig), sent explicitly: in a VPC no default is documented. */
  publicNet: boolean;
  /** The execution role (a CAM role name): SCF gives the function credentials only with one. */
  role?: string;
}

export interface ResolvedManifest {
  stage: EnvironmentName;
  region: string;
  namespace: string;
  runtime: string;
  vpc?: { vpcId: string; subnetId: string };
  /** The alias every trigger serves (their `qualifier`): the deploy points it at the new version. */
  alias: string;
  canaryWeight: number;
  /** The stage's one custom domain, routing a path to every web function. */
  domain?: { name: string; certificateId: string };
  functions: ResolvedFunction[];
  /** ${env:NAME} references left unset that the stage does not allow (a deploy refuses them). */
  missingVariables: string[];
}

function parseWith<T>(schema: z.ZodMiniType<T>, data: unknown, file: string): T {
  const result = z.safeParse(schema, data);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => `${file}: ${describeIssueAt(issue, data)}`));
  return result.data;
}

export const parseManifest = (data: unknown): MultiScfManifest => parseWith(multiScfSchema, data, SERVERLESS_FILE);
export const parseStages = (data: unknown): StagesFile => parseWith(stagesSchema, data, STAGES_FILE);

export function readDeployFiles(root = REPO_ROOT): { manifest: MultiScfManifest; stages: StagesFile } {
  return {
    manifest: parseManifest(parse(readFileSync(join(root, SERVERLESS_FILE), "utf8"))),
    stages: parseStages(parse(readFileSync(join(root, STAGES_FILE), "utf8"))),
  };
}

function asStage(stage: string): EnvironmentName {
  if (!(ENVIRONMENTS as readonly string[]).includes(stage)) throw new ConfigError([`--stage: expected one of ${ENVIRONMENTS.join(", ")}, got "${stage}"`]);
  return stage as EnvironmentName;
}

/** Substitutes ${stage} and ${env:NAME}; unset variables are collected, not guessed. */
function substituter(stage: string, env: Readonly<Record<string, string | undefined>>, unset: Set<string>) {
  return (value: string): string => {
    const out = value.replace(/\$\{stage\}/g, stage).replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === "") unset.add(name);
      return v ?? "";
    });
    if (out.includes("${")) throw new ConfigError([`${SERVERLESS_FILE}: "${value}": only \${stage} and \${env:NAME} are resolved`]);
    return out;
  };
}

/** The alias the triggers name: one for the whole app, never $LATEST, $DEFAULT or a version. */
function aliasOf(manifest: MultiScfManifest): string {
  const qualifiers = new Set((manifest.inputs.triggers ?? []).map((t) => t.parameters.qualifier));
  const [alias] = qualifiers;
  if (qualifiers.size !== 1 || alias === undefined || !/^[A-Za-z][\w-]{0,63}$/.test(alias)) {
    throw new ConfigError([`${SERVERLESS_FILE}: inputs.triggers: every trigger needs the same parameters.qualifier, an alias name (got ${[...qualifiers].map(String).join(", ")})`]);
  }
  return alias;
}

// A host name, no wildcard ("不支持泛域名", CreateCustomDomain's Domain).
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The stage's domain with ${env:...} resolved; none when its values are left unset. */
function resolveDomain(domain: StagesFile["stages"]["dev"]["domain"], sub: (v: string) => string, stage: string): ResolvedManifest["domain"] {
  if (!domain) return undefined;
  const resolved = { name: sub(domain.name).toLowerCase(), certificateId: sub(domain.certificateId) };
  if (!resolved.name || !resolved.certificateId) return undefined;
  if (!HOST.test(resolved.name)) throw new ConfigError([`${STAGES_FILE}: stages.${stage}.domain.name: "${resolved.name}" is not a host name (no wildcards, no scheme or path)`]);
  return resolved;
}

export function resolveManifest(manifest: MultiScfManifest, stages: StagesFile, stageName: string, env: Readonly<Record<string, string | undefined>>): ResolvedManifest {
  const stage = asStage(stageName);
  const settings = stages.stages[stage];
  const unset = new Set<string>();
  const sub = substituter(stage, env, unset);
  const { inputs } = manifest;
  const functions = Object.entries(inputs.functions).map(([key, fn]): ResolvedFunction => {
    const url = inputs.triggers?.find((t) => t.type === "http" && t.function === key);
    const declared = fn.environments ?? inputs.environments ?? [];
    const vars = declared.map((e) => [e.key, sub(e.value)] as const).filter(([, value]) => value !== "");
    for (const [name, value] of vars) checkSecretReference(`${SERVERLESS_FILE}: inputs.functions.${key}`, name, value);
    const type = fn.type ?? inputs.type ?? "event";
    const role = resolveRole(`${SERVERLESS_FILE}: inputs.functions.${key}`, sub(fn.role ?? inputs.role ?? ""));
    return {
      name: key,
      scfName: fn.name ?? `${manifest.name}-${stage}-${manifest.app}-${key}`,
      type,
      handler: fn.handler,
      memorySize: fn.memorySize ?? inputs.memorySize ?? 128,
      timeout: fn.timeout ?? inputs.timeout ?? 3,
      ...(stages.initTimeout ? { initTimeout: stages.initTimeout } : {}),
      environment: Object.fromEntries(vars),
      ...(url?.type === "http"
        ? { urlTrigger: { name: url.parameters.name ?? "url-trigger", authType: url.parameters.authType ?? "NONE", enableIntranet: url.parameters.netConfig?.enableIntranet ?? false, enableExtranet: url.parameters.netConfig?.enableExtranet ?? false } }
        : {}),
      timers: (inputs.triggers ?? []).flatMap((t) => (t.type === "timer" && t.function === key ? [{ name: t.parameters.name, cron: t.parameters.cronExpression, enable: t.parameters.enable ?? true }] : [])),
      warmupCount: settings.warmup[key] ?? 0,
      ...(settings.provisioned[key] ? { provisioned: settings.provisioned[key] } : {}),
      ...(settings.concurrency[key] ? { concurrency: settings.concurrency[key] } : {}),
      // The component's publicAccess (default on, as its toolkit sends PublicNetStatus ENABLE).
      publicNet: fn.publicAccess ?? inputs.publicAccess ?? true,
      ...(role ? { role } : {}),
    };
  });
  for (const name of [...Object.keys(settings.warmup), ...Object.keys(settings.provisioned), ...Object.keys(settings.concurrency)]) {
    if (!inputs.functions[name]) throw new ConfigError([`${STAGES_FILE}: stages.${stage}: "${name}" is not a function in ${SERVERLESS_FILE}`]);
  }
  for (const fn of functions) {
    // Multiple concurrent requests are for HTTP-triggered functions only (doc 583/47183).
    if (fn.concurrency && fn.type !== "web") throw new ConfigError([`${STAGES_FILE}: stages.${stage}.concurrency.${fn.name}: ${fn.name} is an event function; concurrency is for web functions only`]);
    const pings = warmupPings(fn);
    if (pings > MAX_PINGS_PER_TARGET) {
      throw new ConfigError([`${STAGES_FILE}: stages.${stage}.warmup.${fn.name}: ${fn.warmupCount} instances x concurrency ${fn.concurrency?.max ?? 1} = ${pings} pings, more than the warm-up's ${MAX_PINGS_PER_TARGET} per function: warm fewer instances, or keep them with provisioned concurrency`]);
    }
  }
  const domain = resolveDomain(settings.domain, sub, stage);
  const vpcInput = inputs.vpcConfig ?? inputs.vpc;
  const vpc = vpcInput ? { vpcId: sub(vpcInput.vpcId), subnetId: sub(vpcInput.subnetId) } : undefined;
  const allowed = new Set(settings.emptyAllowed);
  return {
    stage,
    region: inputs.region ?? "ap-guangzhou",
    namespace: sub(inputs.namespace ?? "default"),
    runtime: inputs.runtime ?? "Nodejs12.16",
    ...(vpc && vpc.vpcId && vpc.subnetId ? { vpc } : {}),
    alias: aliasOf(manifest),
    canaryWeight: settings.canaryWeight,
    ...(domain ? { domain } : {}),
    functions,
    missingVariables: [...unset].filter((name) => !allowed.has(name)).sort(),
  };
}

/** The stage resolved from the files in `root` (the repo by default). */
export function loadManifest(stage: string, env: Readonly<Record<string, string | undefined>>, root = REPO_ROOT): ResolvedManifest {
  const { manifest, stages } = readDeployFiles(root);
  return resolveManifest(manifest, stages, stage, env);
}

/** Provisioned concurrency per function for a stage, as the deploy applies it. */
export function loadProvisionedSettings(stage: string, root = REPO_ROOT): Record<string, Provisioned> {
  const { stages } = readDeployFiles(root);
  return { ...stages.stages[asStage(stage)].provisioned };
}

/** Requests per instance per web function for a stage, as the deploy applies it (burst and plan read it). */
export function loadConcurrencySettings(stage: string, root = REPO_ROOT): Record<string, Concurrency> {
  const { stages } = readDeployFiles(root);
  return { ...stages.stages[asStage(stage)].concurrency };
}
