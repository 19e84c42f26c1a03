// Reads every audit record of a key prefix, read-only: SCAN over `<prefix>audit:v1:*` (whatever
// follows, a traceId today, maybe a user or a server-made id later) and MGET in batches.
// Redis over TCP (ioredis) or Upstash REST; the in-memory store keeps nothing between runs.
import { ConfigError } from "../../lib/config/configError";

export interface AuditReader {
  /** Stored values under the audit pattern (nulls for keys that expired between SCAN and MGET dropped). */
  readAll(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

const BATCH = 500;

/** SCAN's MATCH is a glob: the prefix's own characters must match literally. */
export function auditPattern(prefix: string): string {
  return `${prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}audit:v1:*`;
}

async function inBatches(keys: readonly string[], mget: (batch: string[]) => Promise<readonly unknown[]>): Promise<string[]> {
  const values: string[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    for (const v of await mget(keys.slice(i, i + BATCH))) if (typeof v === "string") values.push(v);
  }
  return values;
}

async function redisReader(url: string): Promise<AuditReader> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: true });
  redis.on("error", () => undefined);
  await redis.connect();
  return {
    async readAll(prefix) {
      const keys = new Set<string>();
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", auditPattern(prefix), "COUNT", 1000);
        for (const k of batch) keys.add(k);
        cursor = next;
      } while (cursor !== "0");
      return inBatches([...keys], (batch) => redis.mget(batch));
    },
    async close() {
      redis.disconnect();
    },
  };
}

async function upstashReader(url: string, token: string): Promise<AuditReader> {
  const { Redis } = await import("@upstash/redis");
  // Values stay strings: the report parses them itself, through zod.
  const redis = new Redis({ url, token, automaticDeserialization: false });
  return {
    async readAll(prefix) {
      const keys = new Set<string>();
      let cursor: string | number = 0;
      do {
        const [next, batch]: [string | number, string[]] = await redis.scan(cursor, { match: auditPattern(prefix), count: 1000 });
        for (const k of batch) keys.add(k);
        cursor = next;
      } while (String(cursor) !== "0");
      return inBatches([...keys], (batch) => redis.mget<(string | null)[]>(...batch));
    },
    async close() {},
  };
}

/** MINIASK_STORE as the server reads it; anything but a shared store is an error that says what to set. */
export async function openAuditReader(spec: string | undefined, processEnv: Readonly<Record<string, string | undefined>>): Promise<AuditReader> {
  if (spec && /^rediss?:\/\/\S+$/.test(spec)) return redisReader(spec);
  if (spec === "upstash") {
    const url = processEnv.UPSTASH_REDIS_REST_URL;
    const token = processEnv.UPSTASH_REDIS_REST_TOKEN;
    if (!url || !token) throw new ConfigError(["environment variables UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: required with MINIASK_STORE=upstash"]);
    return upstashReader(url, token);
  }
  throw new ConfigError([
    `environment variable MINIASK_STORE: the report reads audit records from the shared store the server wrote them to: set redis://host:port[/db] or upstash (the in-memory store keeps nothing between runs), got ${spec === undefined ? "nothing" : `"${spec.replace(/:[^:@/]*@/, ":***@")}"`}`,
  ]);
}
