// Requests that share an instance share nothing else (SCF's multiple concurrent requests per
// instance): many users' requests at once through one process (whole, streamed, refining, with
// tools), on the real Redis. Every user's text carries a marker of its own; no answer, trace id,
// provider call, quota charge or audit record of one user carries another's.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecordSchema } from "../lib/observability/auditRecord";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { type SseEvent, createSseParser } from "../miniprogram/src/sseParser";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

const REDIS = "redis://127.0.0.1:6379";
const USERS = 10;
const KINDS = ["whole", "streamed", "refining", "tools"] as const;
type Kind = (typeof KINDS)[number];
type Json = Record<string, any>;

/** A word only this user's text contains ("Mk1q" is not inside "Mk10q"). */
const markerOf = (user: number) => `Mk${user}q`;
const userIdOf = (user: number) => `u_shared_${user}`;
const traceOf = (user: number, kind: Kind) => `t-shared-${user}-${kind}`;
const MARKER = /Mk\d+q/g;
const markersIn = (value: unknown) => new Set(JSON.stringify(value ?? "").match(MARKER) ?? []);

function textOf(user: number, kind: Kind): string {
  const m = markerOf(user);
  return `${m} wrote this ${kind} text first. The second sentence is ${m}'s own. A third sentence by ${m} ends it. ${ARTICLE_TEXT}`;
}

describe(`${USERS} users' requests at once through one process (staging, Redis)`, () => {
  const prefix = `test:shared:${randomUUID()}:`;
  const redis = createRedisStore(REDIS);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(async () => {
    await h?.close();
    await redis.close();
  });

  async function post(path: string, user: number, body: Json): Promise<{ status: number; json: Json }> {
    const res = await fetch(`${h.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userIdOf(user))}` }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  }

  async function streamed(user: number): Promise<{ status: number; json: Json; deltas: string }> {
    const body = { intent: "summarize", userId: userIdOf(user), traceId: traceOf(user, "streamed"), input: { text: textOf(user, "streamed"), maxBullets: 3 }, stream: true };
    const res = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userIdOf(user))}` }, body: JSON.stringify(body) });
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push(new Uint8Array(await res.arrayBuffer()));
    parser.end();
    const deltas = events.filter((e) => e.event === "delta").map((e) => (JSON.parse(e.data) as { text: string }).text).join("");
    const done = events.find((e) => e.event === "done");
    return { status: res.status, json: done ? (JSON.parse(done.data) as Json) : { events }, deltas };
  }

  const ask = (user: number, kind: Exclude<Kind, "streamed">) =>
    kind === "tools"
      ? post("/v1/mini/ask", user, { intent: "support", profile: "support_v2", userId: userIdOf(user), traceId: traceOf(user, kind), input: { question: `How do I reset my password? ${markerOf(user)} asks.` } })
      : post("/v1/mini/ask", user, { intent: "summarize", userId: userIdOf(user), traceId: traceOf(user, kind), input: { text: textOf(user, kind), maxBullets: 3 }, ...(kind === "refining" ? { profile: "summarize_v2" } : {}) });

  it("finds no answer, trace id, provider call, quota charge or audit record crossing users", async () => {
    const users = Array.from({ length: USERS }, (_, i) => i + 1);
    // The model asks for a tool once per tools request; the upstream hands queued replies to
    // whichever request arrives first, so the tools requests go first and hold their replies
    // (delayMs) while every other request of every user arrives alongside them.
    h.upstream.enqueue(...users.map(() => ({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"reset password"}' }], delayMs: 300 })));
    const tools = users.map((u) => ask(u, "tools"));
    await expect.poll(() => h.upstream.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(USERS);
    const [wholes, streams, fasts] = await Promise.all([Promise.all(users.map((u) => ask(u, "whole"))), Promise.all(users.map(streamed)), Promise.all(users.map((u) => ask(u, "refining")))]);
    const refined = await Promise.all(users.map((u) => post("/v1/mini/refine", u, { traceId: traceOf(u, "refining") })));
    const toolAnswers = await Promise.all(tools);

    for (const [i, u] of users.entries()) {
      const own = new Set([markerOf(u)]);
      const replies: Record<Kind | "refined", { status: number; json: Json }> = { whole: wholes[i]!, streamed: streams[i]!, refining: fasts[i]!, refined: refined[i]!, tools: toolAnswers[i]! };
      for (const [kind, reply] of Object.entries(replies)) {
        expect({ user: u, kind, status: reply.status }).toEqual({ user: u, kind, status: 200 });
        expect(reply.json.traceId, `${u} ${kind}`).toBe(traceOf(u, kind === "refined" ? "refining" : (kind as Kind)));
      }
      // Answers built from the user's own text carry the user's marker and no other.
      for (const reply of [wholes[i]!, streams[i]!, fasts[i]!, refined[i]!]) expect(markersIn(reply.json.answer)).toEqual(own);
      expect(markersIn(streams[i]!.deltas)).toEqual(own);
      expect(fasts[i]!.json.refine).toEqual({ id: traceOf(u, "refining") });
      expect(toolAnswers[i]!.json.answer).toContain("Here is what I found");
      expect(markersIn(toolAnswers[i]!.json)).toEqual(new Set());
    }

    // Every provider call carries one request's trace id, and only that request's user's text.
    const calls = h.upstream.requests.filter((r) => r.traceId?.startsWith("t-shared-"));
    expect(calls.length).toBeGreaterThanOrEqual(USERS * 5);
    const providerUsers = new Map<number, Set<unknown>>();
    for (const call of calls) {
      const user = Number(/^t-shared-(\d+)-/.exec(call.traceId!)![1]);
      expect({ trace: call.traceId, markers: markersIn(call.body.messages) }).toEqual({ trace: call.traceId, markers: new Set([markerOf(user)]) });
      providerUsers.set(user, (providerUsers.get(user) ?? new Set()).add(call.body.user));
    }
    // The provider's `user` field, where sent, is one name per user, different for each.
    const names = [...providerUsers.values()].map((set) => [...set]);
    for (const set of names) expect(set).toHaveLength(1);
    const sent = names.map(([name]) => name).filter((name) => name !== undefined);
    expect(new Set(sent).size).toBe(sent.length);

    // Another user cannot refine this user's answer: the refinement is kept under its user.
    expect((await post("/v1/mini/refine", 2, { traceId: traceOf(1, "refining") })).json).toMatchObject({ error: { code: "refine_not_found" } });

    // Audit records: one user name per user, each request's own text only.
    const auditUsers = new Map<number, Set<string | undefined>>();
    for (const u of users) {
      for (const kind of KINDS) {
        const keys = await redis.keys(storeKeys.auditsOfTrace(prefix, traceOf(u, kind)), 5);
        expect(keys, `${u} ${kind}`).toHaveLength(1);
        const record = auditRecordSchema.parse(JSON.parse((await redis.get(keys[0]!))!));
        expect(record.traceId).toBe(traceOf(u, kind));
        expect([...markersIn(record)].filter((m) => m !== markerOf(u))).toEqual([]);
        auditUsers.set(u, (auditUsers.get(u) ?? new Set()).add(record.user));
      }
    }
    for (const set of auditUsers.values()) expect(set.size).toBe(1);
    expect(new Set([...auditUsers.values()].map((set) => [...set][0])).size).toBe(USERS);

    // Quota: each user is charged exactly the tokens of that user's own answers.
    for (const [i, u] of users.entries()) {
      const tokens = [wholes[i]!, streams[i]!, fasts[i]!, refined[i]!, toolAnswers[i]!].reduce((sum, reply) => sum + Number(reply.json.usage?.totalTokens ?? 0), 0);
      const charged = await redis.get(storeKeys.quota(prefix, userIdOf(u), Date.now()));
      expect({ user: u, charged: Number(charged) }).toEqual({ user: u, charged: tokens });
    }
  }, 60_000);
});
