// A request's audit records from CLS, for `npm run replay <traceId>` once Redis's copy has
// expired (audit.replay_days): a raw search for the trace's audit lines over the retention
// window, paged by Context. A traceId is the client's: several users may have sent the same one,
// so every record is returned and replay asks which (--user).
import * as z from "zod/mini";
import { AUDIT_LINE_VERSION } from "../../lib/observability/auditLogLine";
import { type AuditRecord, auditRecordSchema } from "../../lib/observability/auditRecord";
import { clsSettingsOf, type SearchLog, sdkSearchLog } from "./clsApi";
import { type ClsQuery, quoted, rawLogs } from "./clsSearch";

/** More records than this for one traceId is not a reuse but an attack or a bug: replay shows the first. */
const MAX_RECORDS = 50;

export async function findAuditRecordsInCls(searchLog: SearchLog, range: ClsQuery, traceId: string, pageSize = 20): Promise<AuditRecord[]> {
  const logs = await rawLogs(searchLog, range, `msg:"audit" AND traceId:${quoted(traceId)}`, { pageSize, max: MAX_RECORDS });
  return logs.flatMap((log) => {
    if (log.auditVersion !== AUDIT_LINE_VERSION || log.traceId !== traceId) return [];
    const record = z.safeParse(auditRecordSchema, log);
    return record.success ? [record.data] : [];
  });
}

/** The call replay makes after the store found nothing: CLS settings from the environment, the retention window back from now. */
export async function clsAuditRecordsOfTrace(traceId: string, retentionDays: number, processEnv: Readonly<Record<string, string | undefined>>, nowMs = Date.now()): Promise<AuditRecord[]> {
  const settings = clsSettingsOf(processEnv);
  const range = { topicId: settings.topicId, fromMs: nowMs - retentionDays * 86_400_000, toMs: nowMs + 1 };
  return findAuditRecordsInCls(await sdkSearchLog(settings), range, traceId);
}
