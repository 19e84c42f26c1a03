// The warm-up timer (an event function: timers attach to event functions only). It pings each
// web function's URL with `count` concurrent warm-up requests; each one holds its instance
// briefly, so the pings occupy as many instances as it takes to hold them all at once: `count`
// instances at one request per instance, count / concurrency with multiple concurrency. The
// deploy sizes `count` as instances x concurrency (lib/deploy/warmupPings.ts).
import * as z from "zod/mini";

/** The most pings one target gets per firing (the deploy refuses a stage that needs more). */
export const MAX_PINGS_PER_TARGET = 50;

const targetsSchema = z.array(
  z.object({
    name: z.string(),
    url: z.string().check(z.regex(/^https?:\/\/\S+$/)),
    count: z.int().check(z.gte(1), z.lte(MAX_PINGS_PER_TARGET)),
  }),
);

export type WarmupTargets = z.infer<typeof targetsSchema>;

export interface WarmupResult {
  name: string;
  ok: number;
  failed: number;
  ms: number;
}

export const WARMUP_HOLD_MS = 300;

export function parseWarmupTargets(value: string | undefined): WarmupTargets {
  if (!value) return [];
  const parsed = z.safeParse(targetsSchema, JSON.parse(value));
  if (!parsed.success) throw new Error("MINIASK_WARMUP_TARGETS: expected a JSON array of {name, url, count}");
  return parsed.data;
}

export async function warmUp(targets: WarmupTargets, timeoutMs = 5000, warmupKey?: string): Promise<WarmupResult[]> {
  return Promise.all(
    targets.map(async (target) => {
      const started = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: target.count }, () =>
          fetch(`${target.url.replace(/\/+$/, "")}/v1/mini/warmup`, {
            method: "POST",
            // The functions honour the hold only with the key they share with this timer.
            headers: { "x-miniask-warmup-hold-ms": String(WARMUP_HOLD_MS), ...(warmupKey ? { "x-miniask-warmup-key": warmupKey } : {}) },
            signal: AbortSignal.timeout(timeoutMs),
          }).then(
            (res) => res.ok,
            () => false,
          ),
        ),
      );
      return { name: target.name, ok: outcomes.filter(Boolean).length, failed: outcomes.filter((o) => !o).length, ms: Date.now() - started };
    }),
  );
}

/** The timer's main_handler: targets come from MINIASK_WARMUP_TARGETS, set by the deploy. */
export function createWarmupHandler(env: Readonly<Record<string, string | undefined>> = process.env) {
  const targets = parseWarmupTargets(env.MINIASK_WARMUP_TARGETS);
  return async (_event: unknown): Promise<{ warmed: WarmupResult[] }> => {
    const warmed = await warmUp(targets, 5000, env.MINIASK_WARMUP_KEY);
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "warmup", warmed })}\n`);
    return { warmed };
  };
}
