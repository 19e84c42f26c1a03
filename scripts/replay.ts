// `npm run replay -- <traceId | request.json> [--profile NAME] [--json]`: reruns a recorded
// request (from its audit record in the store) or a request file against the recorded profile
// or another one, and prints old and new side by side: answer, model, latency, tokens.
import { terminalSafe } from "./report/formatReport";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod/mini";
import { ConfigError } from "../lib/config/configError";
import { environmentOf, loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { INTENTS } from "../lib/intents/registry";
import { storeKeys } from "../lib/store/storeKeys";
import { type AuditRecord, auditRecordSchema } from "../lib/observability/auditRecord";
import { createAnswerer } from "../lib/models/answerer";
import { pickRecord } from "../lib/replay/pickRecord";
import { createProfileRunner, type RunOutcome } from "../lib/replay/runProfile";
import { readSettings } from "../lib/runtime/settings";
import { createStore } from "../lib/store/createStore";
import { clsAuditRecordsOfTrace } from "./support/clsAuditRecords";
import { type Parsed, defineCommand, runCli } from "./support/cli";
import { createProgress } from "./support/progress";
import { requireReachable } from "./support/reachStore";
import { requireReachableUpstream } from "./support/reachUpstream";
import { configRoot, scriptModels } from "./support/scriptModels";

const requestFileSchema = z.object({
  intent: z.string(),
  input: z.unknown(),
  context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  profile: z.optional(z.string()),
});

const REPLAY_COMMAND = defineCommand({
  command: "npm run replay --",
  summary: "Reruns a recorded request (its audit record in the shared store or, in staging and prod, the log service's trail, by traceId) or a request file against the recorded profile or another one, and prints old and new side by side: answer, model, latency, tokens. Exit 1 when the replay fails.",
  positionals: [{ name: "traceId | request.json", description: "a traceId (read from MINIASK_STORE with MINIASK_STORE_PREFIX, or CLS) or a JSON file {intent, input, context?, profile?}", required: true }],
  options: {
    profile: { type: "string", value: "NAME", description: "replay with this profile instead of the recorded one" },
    user: { type: "string", value: "AUDIT_USER_HASH", description: "the record of this user, when several users sent the traceId" },
    at: { type: "string", value: "RECORD_TIME", description: "the record written at this time, when the traceId was sent more than once" },
    json: { type: "boolean", description: "one JSON object on stdout instead of the side-by-side table" },
  },
});

function column(value: unknown): string[] {
  const text = value === undefined ? "-" : typeof value === "string" ? value : JSON.stringify(value, null, 1);
  // Model names and answers come from providers and users: no terminal control reaches the operator's screen.
  return text.split("\n").flatMap((line) => terminalSafe(line).match(/.{1,48}/g) ?? [""]);
}

function sideBySide(rows: [string, unknown, unknown][], heads: [string, string]): string {
  const out = [`${"".padEnd(10)}${heads[0].padEnd(50)}${heads[1]}`, `${"".padEnd(10)}${"-".repeat(48).padEnd(50)}${"-".repeat(48)}`];
  for (const [name, left, right] of rows) {
    const a = column(left);
    const b = column(right);
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(`${(i === 0 ? name : "").padEnd(10)}${(a[i] ?? "").padEnd(50)}${b[i] ?? ""}`);
  }
  return out.join("\n");
}

async function main({ values, positionals }: Parsed<typeof REPLAY_COMMAND.options>): Promise<number> {
  const target = positionals[0]!;
  const { profile: profileFlag, user: userFlag, at: atFlag } = values;

  const settings = readSettings(process.env);
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const config = loadConfig(readConfigFiles(configRoot(root)));
  const envName = settings.MINIASK_ENV;
  const env = environmentOf(config, envName);

  let recorded: AuditRecord | undefined;
  let request: z.infer<typeof requestFileSchema>;
  if (target.endsWith(".json") || existsSync(target)) {
    request = z.parse(requestFileSchema, JSON.parse(readFileSync(target, "utf8")));
  } else {
    const store = createStore(settings.MINIASK_STORE, process.env);
    if (store.kind !== "memory") await requireReachable(store, settings.MINIASK_STORE, process.env);
    const inCls = envName !== "dev" && Boolean(process.env.MINIASK_CLS_TOPIC_ID);
    if (store.kind === "memory" && !inCls) throw new ConfigError([`replay by traceId reads the audit record from a shared store: set MINIASK_STORE (and MINIASK_STORE_PREFIX if the server used one), or in staging and prod MINIASK_CLS_TOPIC_ID and MINIASK_CLS_REGION for the log service's trail, or pass a request.json`]);
    const prefix = settings.MINIASK_STORE_PREFIX ?? `miniask:${envName}:`;
    // Records are keyed by traceId and user, and a re-sent traceId keeps a record per request.
    const keys = store.kind === "memory" ? [] : await store.keys(storeKeys.auditsOfTrace(prefix, target), 200);
    let records = (await Promise.all(keys.map((key) => store.get(key)))).flatMap((raw) => (raw === undefined ? [] : [z.parse(auditRecordSchema, JSON.parse(raw))]));
    await store.close();
    // Redis keeps records for the replay window only; older ones are in the log service's trail.
    if (records.length === 0 && inCls) records = await clsAuditRecordsOfTrace(target, env.audit.retention_days, process.env);
    recorded = pickRecord(records, { traceId: target, prefix, ...(userFlag ? { user: userFlag } : {}), ...(atFlag ? { at: atFlag } : {}) });
    const kept = z.safeParse(requestFileSchema, { intent: recorded.intent, ...(recorded.request as object) });
    if (!kept.success) throw new ConfigError([`the audit record of ${target} keeps no request body (${envName}: audit.keep_request); pass the request as a JSON file instead`]);
    request = kept.data;
  }

  // The recorded profile is the one the request's arm (control, rollout, requested) chose.
  const profile = profileFlag ?? recorded?.profile ?? request.profile ?? env.routing[request.intent as keyof typeof env.routing];
  if (!profile) throw new ConfigError([`no profile to replay with: pass --profile`]);
  if (!env.allowedProfiles.includes(profile)) console.error(`note: ${envName} does not serve "${profile}" to users; replaying it anyway`);

  await requireReachableUpstream(settings.MINIASK_UPSTREAM_URL);
  const { models, close } = await scriptModels(config, envName, settings, process.env);
  const run = createProfileRunner({ config, answerer: createAnswerer({ config, env, models }), intents: INTENTS });
  const progress = createProgress("replay", 0, "");
  progress.status(`running ${profile}`);
  const fresh: RunOutcome = await run({ intent: request.intent, input: request.input, ...(request.context ? { context: request.context } : {}) }, profile).finally(progress.done);
  await close();

  const old = recorded ? { profile: recorded.profile, arm: recorded.arm, model: recorded.model, ms: recorded.ms, tokens: recorded.usage?.totalTokens, answer: recorded.answer ?? "(not kept in this environment)", outcome: recorded.outcome } : undefined;
  const now = { profile: fresh.profile, model: fresh.model, ms: fresh.ms, tokens: fresh.usage?.totalTokens, answer: fresh.ok ? fresh.answer : undefined, outcome: fresh.ok ? "ok" : fresh.code };
  if (values.json) {
    console.log(JSON.stringify({ traceId: recorded?.traceId, recorded: old, replay: now }));
  } else {
    console.log(
      sideBySide(
        [
          ["profile", old?.profile, now.profile],
          ["arm", old?.arm, profileFlag ? "(--profile)" : old?.arm],
          ["model", old?.model, now.model],
          ["latency", old?.ms === undefined ? undefined : `${old.ms} ms`, `${now.ms} ms`],
          ["tokens", old?.tokens, now.tokens],
          ["outcome", old?.outcome, now.outcome],
          ["answer", old?.answer, now.answer],
        ],
        [recorded ? terminalSafe(`recorded (${recorded.traceId}, ${recorded.time})`) : "recorded: none (request file)", "replay (now)"],
      ),
    );
  }
  return fresh.ok ? 0 : 1;
}

runCli(REPLAY_COMMAND, main);
