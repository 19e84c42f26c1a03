// Which audit record a replay by traceId means. The traceId is the client's: two users may send
// the same one (one record each), and one user may send it again (each request keeps its own
// record: storeKeys.auditAgain). More than one left after --user and --at: say how to pick.
import { ConfigError } from "../config/configError";
import type { AuditRecord } from "../observability/auditRecord";

export function pickRecord(records: readonly AuditRecord[], want: { traceId: string; prefix: string; user?: string; at?: string }): AuditRecord {
  const chosen = records.filter((r) => (want.user === undefined || r.user === want.user) && (want.at === undefined || r.time === want.at)).sort((a, b) => a.time.localeCompare(b.time));
  if (chosen.length === 1) return chosen[0]!;
  const asked = `${want.user ? ` and user ${want.user}` : ""}${want.at ? ` at ${want.at}` : ""}`;
  if (chosen.length === 0) throw new ConfigError([`no audit record for traceId ${want.traceId}${asked} under "${want.prefix}" (expired, another environment, or another prefix?)`]);
  const users = [...new Set(chosen.map((r) => r.user))];
  if (users.length > 1) throw new ConfigError([`${users.length} users sent traceId ${want.traceId}: pick one with --user (${users.join(", ")})`]);
  throw new ConfigError([`${chosen.length} requests sent traceId ${want.traceId}${asked}: pick one with --at (${chosen.map((r) => r.time).join(", ")})`]);
}
