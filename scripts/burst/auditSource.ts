// `plan --from audit`: the audit records in the store, read with SCAN (never KEYS: a production
// Redis keeps serving while we read). The key scheme may gain a user or server segment after
// `audit:v1:`, so the match is `<prefix>audit:v1:*` and the key's tail is not interpreted.
import { Redis } from "ioredis";
import { parseLogRecord, type TraceRequest } from "./traceFile";

export interface AuditRead {
  requests: TraceRequest[];
  keys: number;
  skipped: number;
}

export async function readAuditRecords(url: string, prefix: string, options: { count?: number } = {}): Promise<AuditRead> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  await redis.connect();
  const requests: TraceRequest[] = [];
  let keys = 0;
  let skipped = 0;
  try {
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}audit:v1:*`, "COUNT", options.count ?? 1000);
      cursor = next;
      if (batch.length === 0) continue;
      keys += batch.length;
      // Records expire while we read: a key gone by MGET is simply not counted.
      for (const value of await redis.mget(...batch)) {
        if (value === null) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          skipped += 1;
          continue;
        }
        const request = parseLogRecord(parsed);
        if (request) requests.push(request);
        else skipped += 1;
      }
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return { requests, keys, skipped };
}
