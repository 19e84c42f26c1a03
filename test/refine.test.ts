// Fast first, then refine (dev: summarize_v2 refines with the strong alias).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSseParser, type SseEvent } from "../miniprogram/src/sseParser";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithLimits } from "./support/policyFiles";

describe("refine", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
  });
  afterAll(() => h.close());

  const refine = async (traceId: string, userId = "u_r") =>
    fetch(`${h.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userId)}` }, body: JSON.stringify({ traceId }) }).then(
      async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> }),
    );

  it("returns the fast answer at once with refine: {id}, and the strong answer from /v1/mini/refine", async () => {
    const before = h.upstream.requests.length;
    const fast = await h.ask({ intent: "summarize", userId: "u_r", traceId: "t-refine-1", input: { text: ARTICLE_TEXT, maxBullets: 3 } });
    expect(fast.status).toBe(200);
    expect(fast.json).toMatchObject({ profile: "summarize_v2", model: "local-stand-in:hunyuan-turbos-latest", refine: { id: "t-refine-1" } });
    const refined = await refine("t-refine-1");
    expect(refined.status).toBe(200);
    expect(refined.json).toMatchObject({ traceId: "t-refine-1", refined: true, profile: "summarize_v2", model: "local-stand-in:deepseek-chat" });
    expect(String(refined.json.answer).split("\n").length).toBeLessThanOrEqual(3);
    // What the refinement cost has its own line (the request's record went out first).
    expect(h.logRecords().find((r) => r.msg === "refined" && r.traceId === "t-refine-1")).toMatchObject({ model: "local-stand-in:deepseek-chat", cost: expect.any(Number) });
    // One fast call and one strong call (computed by /refine, after the fast answer was out).
    expect(h.upstream.requests.slice(before).map((r) => r.body.model)).toEqual(["hunyuan-turbos-latest", "deepseek-chat"]);
  });

  it("runs no model after the fast answer: /refine on another instance computes it, once for two calls", async () => {
    const store = h.built.app.store;
    const other = await startHarness({ env: "dev", upstream: h.upstream, store, processEnv: { MINIASK_STORE_PREFIX: "shared:" } });
    const here = await startHarness({ env: "dev", upstream: h.upstream, store, processEnv: { MINIASK_STORE_PREFIX: "shared:" } });
    try {
      const before = h.upstream.requests.length;
      await other.ask({ intent: "summarize", userId: "u_r", traceId: "t-refine-2", input: { text: `${ARTICLE_TEXT} two`, maxBullets: 2 } });
      await new Promise((r) => setTimeout(r, 100));
      // Only the fast model was called: the strong one waits for /refine.
      expect(h.upstream.requests.slice(before).map((r) => r.body.model)).toEqual(["hunyuan-turbos-latest"]);
      const ask = async (on: Harness) =>
        fetch(`${on.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await on.token("u_r")}` }, body: '{"traceId":"t-refine-2"}' });
      // Two instances asked at once: one store lock, one strong call, the same answer.
      const [a, b] = await Promise.all([ask(here), ask(other)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const [ja, jb] = [(await a.json()) as Record<string, unknown>, (await b.json()) as Record<string, unknown>];
      expect(ja).toMatchObject({ refined: true, model: "local-stand-in:deepseek-chat" });
      expect(jb.answer).toEqual(ja.answer);
      expect(h.upstream.requests.slice(before).map((r) => r.body.model)).toEqual(["hunyuan-turbos-latest", "deepseek-chat"]);
    } finally {
      await other.close();
      await here.close();
    }
  });

  it("lets a failed refinement be asked for again at once (the lock goes with the failure)", async () => {
    await h.ask({ intent: "summarize", userId: "u_r", traceId: "t-refine-retry", input: { text: `${ARTICLE_TEXT} retry`, maxBullets: 2 } });
    h.upstream.enqueue({ status: 400 });
    const failed = await refine("t-refine-retry");
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const again = await refine("t-refine-retry");
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ refined: true, model: "local-stand-in:deepseek-chat" });
  });

  it("answers without refine: {id} when the store refuses the job (nothing promised that /refine cannot keep)", async () => {
    const memory = h.built.app.store;
    const refusing = { ...memory, set: async () => Promise.reject(new Error("store down")) };
    const down = await startHarness({ env: "dev", upstream: h.upstream, store: refusing });
    try {
      const res = await down.ask({ intent: "summarize", userId: "u_r", traceId: "t-refine-nostore", input: { text: `${ARTICLE_TEXT} no store`, maxBullets: 2 } });
      expect(res.status).toBe(200);
      expect(res.json.refine).toBeUndefined();
      expect(res.json.answer).toEqual(expect.any(String));
    } finally {
      await down.close();
    }
  });

  it("never gives one user another's refinement: 404 refine_not_found", async () => {
    await h.ask({ intent: "summarize", userId: "u_owner", traceId: "t-refine-3", input: { text: `${ARTICLE_TEXT} three`, maxBullets: 2 } });
    const res = await refine("t-refine-3", "u_thief");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: "refine_not_found" }, traceId: "t-refine-3" });
    expect((await refine("t-no-such")).status).toBe(404);
  });

  it("keeps two users' jobs apart when they send the same traceId", async () => {
    const a = await h.ask({ intent: "summarize", userId: "u_alice", traceId: "t-shared", input: { text: `Alice wrote this. ${ARTICLE_TEXT}`, maxBullets: 2 } });
    const b = await h.ask({ intent: "summarize", userId: "u_bob", traceId: "t-shared", input: { text: "Bob's note. It is short. It has three sentences.", maxBullets: 2 } });
    expect(a.json.refine).toEqual({ id: "t-shared" });
    expect(b.json.refine).toEqual({ id: "t-shared" });
    const forBob = await refine("t-shared", "u_bob");
    const forAlice = await refine("t-shared", "u_alice");
    expect(forBob.status).toBe(200);
    expect(forAlice.status).toBe(200);
    expect(String(forBob.json.answer)).toContain("Bob");
    expect(String(forBob.json.answer)).not.toContain("Alice");
    expect(String(forAlice.json.answer)).toContain("Alice");
  });

  it("streams the fast model as draft events, then the strong model as final events", async () => {
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_r")}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_r", input: { text: `${ARTICLE_TEXT} stream`, maxBullets: 2 }, stream: true }),
    });
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push(new Uint8Array(await res.arrayBuffer()));
    parser.end();
    const kinds = events.map((e) => e.event);
    const firstFinal = kinds.indexOf("final");
    expect(kinds.slice(0, firstFinal).every((k) => k === "draft")).toBe(true);
    expect(kinds.slice(firstFinal, -1).every((k) => k === "final")).toBe(true);
    expect(kinds.at(-1)).toBe("done");
    const done = JSON.parse(events.at(-1)!.data) as Record<string, unknown>;
    expect(done).toMatchObject({ refined: true, model: "local-stand-in:deepseek-chat", draft: expect.any(String), answer: expect.any(String) });
  });

  it("keeps the draft as the answer when the refinement fails mid-way", async () => {
    h.upstream.enqueue({}, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_r")}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_r", input: { text: `${ARTICLE_TEXT} failing`, maxBullets: 2 }, stream: true }),
    });
    const text = await res.text();
    const done = JSON.parse(text.split("event: done\ndata: ")[1]!.trim()) as Record<string, unknown>;
    expect(done).toMatchObject({ refined: false, answer: done.draft });
  });

  it("limits /v1/mini/refine per user like any intent: every call counts", async () => {
    const limited = await startHarness({ env: "dev", rawFiles: filesWithLimits("dev", { per_user_intent: { requests: 3, window_seconds: 60 } }) });
    try {
      await limited.ask({ intent: "summarize", userId: "u_refiner", traceId: "t-limited", input: { text: ARTICLE_TEXT, maxBullets: 2 } });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await limited.token("u_refiner")}` }, body: '{"traceId":"t-limited"}' });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
