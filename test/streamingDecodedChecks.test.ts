// Output checks read what the client will read: an `extract` answer is JSON, its client sees
// the values decoded, so a model that writes risky text as \uXXXX escapes is checked decoded,
// streamed (WeChat's stream gate, the blocked terms) and whole (the blocked terms). Real HTTP,
// the real Redis, the fake WeChat and the local upstream.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";
import { type Harness, shippedConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;
const RISKY = WECHAT_RISKY_SAMPLES[0];
const TERM = "身份证号码大全";
/** Every character as a JSON \uXXXX escape: what the client decodes back to `text`. */
const escaped = (text: string) => Array.from(text, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");

function files(): RawConfigFiles {
  const f = structuredClone(shippedConfigFiles()) as RawConfigFiles & { envPolicy: Json };
  const staging = f.envPolicy.environments.staging;
  staging.content_security = { ...staging.content_security, on_unavailable: "closed", every_chars: 40 };
  staging.allowed_profiles = [...staging.allowed_profiles, "extract_v1"];
  staging.limits = { ...staging.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } };
  return f;
}

describe("output checks on the decoded answer (staging, Redis, fake WeChat)", () => {
  let wechat: FakeWechat;
  let h: Harness;
  let user: { token: string; userId: string };
  beforeAll(async () => {
    wechat = await startFakeWechat();
    h = await startHarness({
      env: "staging",
      rawFiles: files(),
      processEnv: { MINIASK_STORE: "redis://127.0.0.1:6379", MINIASK_STORE_PREFIX: `test:${randomUUID()}:`, WECHAT_API_BASE: wechat.url, WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET },
    });
    const res = await fetch(`${h.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: `ok-o-${randomUUID().slice(0, 8)}` }) });
    user = (await res.json()) as { token: string; userId: string };
  });
  afterEach(() => wechat.clearRules());
  afterAll(async () => {
    await h.close();
    await wechat.close();
  });

  const extract = (extra: Json = {}) => ({ intent: "extract", userId: user.userId, traceId: `dc-${randomUUID().slice(0, 8)}`, input: { text: `Ticket ${randomUUID()}: a note.`, fields: ["note"] }, ...extra });
  async function streamed(modelText: string) {
    h.upstream.enqueue({ content: modelText });
    const res = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` }, body: JSON.stringify(extract({ stream: true })) });
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1] as string, data: JSON.parse(m[2] as string) as Json }));
    const relayed = events.filter((e) => e.event === "delta").map((e) => e.data.text as string).join("");
    return { status: res.status, text, events, relayed, last: events.at(-1) };
  }

  it("streamed: escaped text WeChat finds risky is stopped before any of it goes out", async () => {
    const model = `{"note": "Fine words first, then ${escaped(RISKY)} and more after it."}`;
    const { status, last, relayed, text } = await streamed(model);
    expect(status).toBe(200);
    expect(last).toMatchObject({ event: "error", data: { error: { code: "blocked_output" } } });
    expect(text).not.toContain("event: done");
    // Neither form of the risky text reached the client, nor any escape of it.
    expect(relayed).not.toContain(escaped(RISKY).slice(0, 12));
    expect(text).not.toContain(RISKY.slice(0, 4));
    // WeChat was asked about the decoded text.
    expect(wechat.secCheckCalls.some((c) => String((c.body as Json).content).includes(RISKY))).toBe(true);
  });

  it("streamed: an escaped blocked term is withheld by the output filter (WeChat passes it)", async () => {
    const { last, relayed } = await streamed(`{"note": "${escaped(TERM)}"}`);
    expect(last).toMatchObject({ event: "error", data: { error: { code: "blocked_output", message: "the answer was withheld by the output filter" } } });
    expect(relayed).not.toContain(escaped(TERM).slice(0, 12));
  });

  it("streamed: an escaped term cut across deltas and escapes is withheld too", async () => {
    // The local upstream sends a few characters per chunk: escapes arrive cut in pieces.
    const { last } = await streamed(`{"note": "ok ${escaped(TERM.slice(0, 3))}${TERM.slice(3)}"}`);
    expect(last).toMatchObject({ event: "error", data: { error: { code: "blocked_output" } } });
  });

  it("whole: an escaped blocked term is withheld (502 blocked_output)", async () => {
    h.upstream.enqueue({ content: `{"note": "${escaped(TERM)}"}` });
    const res = await h.ask(extract(), { token: user.token });
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ code: "blocked_output", message: "the answer was withheld by the output filter" });
    expect(JSON.stringify(res.json)).not.toContain(TERM);
  });

  it("whole: escaped risky text is withheld by WeChat's check (502 blocked_output)", async () => {
    h.upstream.enqueue({ content: `{"note": "${escaped(RISKY)}"}` });
    const res = await h.ask(extract(), { token: user.token });
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ code: "blocked_output" });
  });

  it("plain answers are unchanged: escaped harmless text streams as the model wrote it, done carries it decoded", async () => {
    const note = "Tea, coffee and 茶 are drinks.";
    const model = `{"note": "${escaped(note)}"}`;
    const { last, relayed } = await streamed(model);
    expect(last).toMatchObject({ event: "done", data: { answer: { note } } });
    expect(relayed).toBe(model);
  });

  it("plain answers are unchanged: unescaped text streams whole and done carries the answer", async () => {
    const model = `{"note": "A ticket about a late parcel. It arrived."}`;
    const { last, relayed } = await streamed(model);
    expect(relayed).toBe(model);
    expect(last).toMatchObject({ event: "done", data: { answer: { note: "A ticket about a late parcel. It arrived." } } });
  });
});
