// A day of generated traffic as the functions log it: for each request the request line and the
// audit line (built by the real trace writers and auditLogLine of an environment), with the CLS
// time each would carry (when the request ended). Seeded: the same day every run.
import { environmentOf, loadConfig } from "../../lib/config/loadConfig";
import type { Attempt } from "../../lib/chat/types";
import { compilePrices, costOfRequest } from "../../lib/cost/priceBook";
import { AUDIT_LINE_MSG, createAuditLogLine } from "../../lib/observability/auditLogLine";
import type { AuditRecord } from "../../lib/observability/auditRecord";
import { createLogger } from "../../lib/observability/logger";
import { createTraceWriters, type TraceFacts } from "../../lib/observability/requestTrace";
import { seededRandom } from "../../scripts/burst/random";
import { realConfigFiles } from "./harness";
import type { ClsLine } from "./fakeCls";

const ROUTES = [
  { intent: "summarize", profile: "summarize_v1", arm: "control", provider: "hunyuan", model: "hunyuan-turbos-latest" },
  { intent: "summarize", profile: "summarize_v2", arm: "rollout", provider: "deepseek", model: "deepseek-chat" },
  { intent: "support", profile: "support_v1", arm: "control", provider: "qwen", model: "qwen-turbo" },
  { intent: "extract", profile: "extract_v1", arm: "control", provider: "qwen", model: "qwen-plus" },
  // A model without a price: its requests are "unpriced" in the report.
  { intent: "recommend", profile: "recommend_v1", arm: "control", provider: "local", model: "mystery-model" },
];

export interface DayTraffic {
  /** Every line printed, as text (a JSONL file of the day's logs). */
  text: string;
  /** The same lines as CLS holds them. */
  cls: ClsLine[];
  /** Audit lines of requests that started on the day. */
  inDay: number;
}

/** `perDay` requests spread over the Beijing day `day`, plus `outside` on the days around it. */
export function dayOfTraffic(day: string, perDay: number, options: { outside?: number; seed?: number; env?: "staging" | "prod" } = {}): DayTraffic {
  const env = environmentOf(loadConfig(realConfigFiles()), options.env ?? "prod");
  const config = loadConfig(realConfigFiles());
  const book = compilePrices(config.prices);
  const trace = createTraceWriters(env, "gen:");
  const auditLine = createAuditLogLine(env);
  const random = seededRandom(options.seed ?? 7);
  const start = Date.parse(`${day}T00:00:00+08:00`);
  const cls: ClsLine[] = [];
  const printed: string[] = [];
  let endedAt = 0;
  const logger = createLogger("info", (line) => {
    printed.push(line);
    cls.push({ timeMs: endedAt, log: JSON.parse(line) as Record<string, unknown> });
  }, () => new Date(endedAt));
  const outside = options.outside ?? 0;
  for (let i = 0; i < perDay + outside; i++) {
    const startedAt = i < perDay ? start + Math.floor(random() * 86_400_000) : start + (i % 2 ? -1 : 1) * Math.floor(random() * 3_600_000) + (i % 2 ? 0 : 86_400_000);
    const route = ROUTES[Math.floor(random() * ROUTES.length)]!;
    const roll = random();
    const status = roll < 0.08 ? 429 : roll < 0.12 ? 400 : roll < 0.2 ? (roll < 0.16 ? 502 : 503) : 200;
    const cached = status === 200 && random() < 0.15;
    const ms = status === 429 || status === 400 ? 2 + random() * 10 : cached ? 5 + random() * 30 : 300 + random() * 4000;
    const usage = status === 200 ? { promptTokens: 50 + Math.floor(random() * 3000), completionTokens: 10 + Math.floor(random() * 800), totalTokens: 0 } : undefined;
    if (usage) usage.totalTokens = usage.promptTokens + usage.completionTokens;
    const attempts: Attempt[] | undefined = status >= 500 ? [{ provider: route.provider, model: route.model, outcome: "timeout", ms: 3000 }] : status === 200 && !cached ? [{ provider: route.provider, model: route.model, outcome: "ok", ms: ms - 20 }] : undefined;
    const facts: TraceFacts = {
      traceId: `gen-${i}`,
      startedAt,
      userId: `user-${i % 37}`,
      intent: route.intent,
      ...(status === 429 ? {} : { profile: route.profile, arm: route.arm, model: route.model }),
      status,
      ...(status === 200 ? {} : { code: status === 429 ? "rate_limited" : status === 400 ? "invalid_input" : "model_unavailable" }),
      ...(usage ? { usage } : {}),
      ...(attempts ? { attempts } : {}),
      cache: cached ? "hit" : "miss",
      request: { intent: route.intent, input: { text: `request ${i} 13812345678` } },
      timings: { total: ms },
      ...(usage && !cached ? { cost: costOfRequest(book, [{ model: route.model, usage }]) } : {}),
    };
    endedAt = startedAt + Math.ceil(ms);
    logger.info("request", trace.logLine(facts));
    const entry = trace.auditEntry(facts);
    if (entry) logger.info(AUDIT_LINE_MSG, auditLine(JSON.parse(entry.value) as AuditRecord));
  }
  return { text: `${printed.join("\n")}\n`, cls, inDay: perDay };
}
