// The CLS double's own rules, through the official SDK client: SearchLog's parameters as the
// SDK model has them, Context bound to its query, both answer shapes for SQL, and the SQL
// subset's NULL and type semantics (test/support/clsSql.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchLogRequest } from "tencentcloud-sdk-nodejs/tencentcloud/services/cls/v20201016/cls_models";
import { clsSettingsOf, type SearchLog, sdkSearchLog } from "../scripts/support/clsApi";
import { type FakeCls, startFakeCls } from "./support/fakeCls";

const T0 = Date.parse("2026-11-24T00:00:00Z");

describe("the CLS double", () => {
  let cls: FakeCls;
  let searchLog: SearchLog;
  const base = { TopicId: "t", From: T0, To: T0 + 3_600_000 };

  beforeAll(async () => {
    cls = await startFakeCls();
    cls.addLines("t", [
      { timeMs: T0 + 1, log: { msg: "audit", intent: "a", ms: 10, cached: true, usage: { totalTokens: 5 } } },
      { timeMs: T0 + 2, log: { msg: "audit", intent: "a", ms: 20, cached: false } },
      { timeMs: T0 + 3, log: { msg: "audit", intent: "b", cached: false } },
      { timeMs: T0 + 4, log: { msg: "request", intent: "b", ms: 99 } },
      { timeMs: T0 + 3_600_000, log: { msg: "audit", intent: "late", ms: 1 } },
    ]);
    searchLog = await sdkSearchLog(clsSettingsOf({ MINIASK_CLS_TOPIC_ID: "t", MINIASK_CLS_REGION: cls.region, MINIASK_CLS_ENDPOINT: cls.endpoint, TENCENTCLOUD_SECRET_ID: cls.secretId, TENCENTCLOUD_SECRET_KEY: cls.secretKey }));
  });
  afterAll(async () => {
    await cls.close();
  });

  const rows = async (sql: string, extra: Partial<SearchLogRequest> = {}) => (await searchLog({ ...base, QueryString: `msg:"audit" | ${sql}`, UseNewAnalysis: true, ...extra })).AnalysisRecords?.map((r) => JSON.parse(r));

  it("evaluates the subset with SQL's NULLs: count(x) skips them, sum of none is NULL, a comparison with NULL is false; [From, To) bounds the logs", async () => {
    expect(await rows("select intent, count(*) as n, count(ms) as timed, sum(ms) as total, sum(\"usage.totalTokens\") as tokens group by intent order by intent")).toEqual([
      { intent: "a", n: 2, timed: 2, total: 30, tokens: 5 },
      { intent: "b", n: 1, timed: 0, total: null, tokens: null },
    ]);
    expect(await rows("select count(*) as n where ms < 100 or ms >= 100")).toEqual([{ n: 2 }]);
    expect(await rows("select cached, count(*) as n group by cached order by cached desc")).toEqual([{ cached: "true", n: 1 }, { cached: "false", n: 2 }]);
    expect(await rows("select intent, count(*) as n group by intent order by n desc, intent offset 1 limit 1")).toEqual([{ intent: "b", n: 1 }]);
  });

  it("answers the old shape (ColNames, AnalysisResults) without UseNewAnalysis", async () => {
    const answer = await searchLog({ ...base, QueryString: 'msg:"audit" | select count(*) as n' });
    expect(answer).toMatchObject({ Analysis: true, ColNames: ["n"], AnalysisResults: [{ Data: [{ Key: "n", Value: "3" }] }] });
  });

  it("refuses what CLS refuses: a type error, a LIMIT past 10,000, a raw Limit past 1,000, an unknown or missing parameter, a Context of another query", async () => {
    await expect(rows("select count(*) as n where intent = 1")).rejects.toMatchObject({ code: "FailedOperation.QueryError" });
    await expect(rows("select count(*) as n limit 10001")).rejects.toMatchObject({ code: "InvalidParameter" });
    await expect(rows("select count(*) as n from log")).rejects.toMatchObject({ code: "FailedOperation.SyntaxError" });
    await expect(searchLog({ ...base, QueryString: "*", Limit: 1001 })).rejects.toMatchObject({ code: "InvalidParameter" });
    await expect(searchLog({ ...base, QueryString: "*", Bogus: 1 } as SearchLogRequest)).rejects.toMatchObject({ code: "UnknownParameter" });
    await expect(searchLog({ TopicId: "t", To: T0 } as SearchLogRequest)).rejects.toMatchObject({ code: "MissingParameter" });
    await expect(searchLog({ ...base, QueryString: 'intent:(a OR b)' })).rejects.toMatchObject({ code: "FailedOperation.SyntaxError" });
    const first = await searchLog({ ...base, QueryString: 'msg:"audit"', Limit: 1 });
    expect(first.ListOver).toBe(false);
    await expect(searchLog({ ...base, QueryString: "*", Limit: 1, Context: first.Context! })).rejects.toMatchObject({ code: "FailedOperation.InvalidContext" });
    cls.failNext("LimitExceeded.SearchResultTooLarge");
    await expect(rows("select count(*) as n")).rejects.toMatchObject({ code: "LimitExceeded.SearchResultTooLarge" });
  });
});
