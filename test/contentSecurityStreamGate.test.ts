// The stream gate: no text leaves before the span it belongs to has passed a check, and the
// whole answer is checked before the stream may end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokenSource } from "../lib/contentSecurity/accessToken";
import { contentGateCheck } from "../lib/contentSecurity/gateCheck";
import { createContentChecker } from "../lib/contentSecurity/msgSecCheck";
import { CONTENT_SECURITY_OFF } from "../lib/contentSecurity/policy";
import { type GateCheckResult, type GateStep, createStreamGate, cutSpans } from "../lib/contentSecurity/streamGate";
import { createMemoryTokenStore } from "./support/csStore";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";

/** A check that blocks any text containing one of `bad`, and remembers what it saw. */
function recordingCheck(bad: string[] = [], whole?: (text: string) => boolean) {
  const seen: string[] = [];
  const check = async (text: string): Promise<GateCheckResult<string>> => {
    seen.push(text);
    await new Promise((r) => setTimeout(r, 1));
    const hit = bad.find((b) => text.includes(b));
    if (hit) return { allow: false, reason: `blocked:${hit}` };
    if (whole?.(text)) return { allow: false, reason: "blocked:context" };
    return { allow: true };
  };
  return { seen, check };
}

const releasedOf = (steps: GateStep<string>[]) => steps.map((s) => (s.status === "open" ? s.released : "")).join("");

describe("cutSpans", () => {
  it("waits for everyChars, then cuts at the last sentence end", () => {
    expect(cutSpans("短句。", 10)).toEqual({ spans: [], rest: "短句。" });
    expect(cutSpans("今天天气很好。我们去公园", 10)).toEqual({ spans: ["今天天气很好。"], rest: "我们去公园" });
    expect(cutSpans("One. Two. Three is long", 10)).toEqual({ spans: ["One. Two."], rest: " Three is long" });
  });

  it("never cuts a sentence to meet everyChars: it waits for the sentence to end", () => {
    expect(cutSpans("一个很长很长很长很长的句子还没有写完", 5)).toEqual({ spans: [], rest: "一个很长很长很长很长的句子还没有写完" });
  });

  it("cuts a sentence longer than maxSpanChars at a comma or space, else at a character", () => {
    expect(cutSpans("一二三，四五六七八九十一二三", 5, 8)).toEqual({ spans: ["一二三，", "四五六七八九十一"], rest: "二三" });
    const emoji = cutSpans("😀😀😀😀😀😀", 5, 5);
    expect(emoji.spans[0]).toBe("😀😀");
    expect([...emoji.spans, emoji.rest].join("")).toBe("😀😀😀😀😀😀");
  });

  it("does not take a trailing ASCII stop for a sentence end: more text may follow (3.14)", () => {
    expect(cutSpans("Pi is about 3.", 5)).toEqual({ spans: [], rest: "Pi is about 3." });
    expect(cutSpans("Pi is about 3.14. Next", 5)).toEqual({ spans: ["Pi is about 3.14."], rest: " Next" });
  });
});

describe("createStreamGate", () => {
  it("releases nothing until a span of everyChars has passed", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 10 });
    expect(await gate.push("你好")).toEqual({ status: "open", released: "" });
    expect(await gate.push("，世界")).toEqual({ status: "open", released: "" });
    expect(seen).toEqual([]);
    expect(await gate.push("。今天怎么样？我很好")).toEqual({ status: "open", released: "你好，世界。今天怎么样？" });
    expect(seen).toEqual(["你好，世界。今天怎么样？"]);
    expect(gate.released()).toBe("你好，世界。今天怎么样？");
  });

  it("checks the whole answer at finish, then releases the rest; everything comes out exactly once", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 8 });
    const text = "第一句话在这里。第二句话也在这里。第三句没有结尾";
    const steps: GateStep<string>[] = [];
    for (const ch of text) steps.push(await gate.push(ch));
    steps.push(await gate.finish());
    expect(releasedOf(steps)).toBe(text);
    expect(seen.at(-1)).toBe(text);
    // Every release was a span the check saw (or the tail, covered by the whole-answer check).
    for (const step of steps) if (step.status === "open" && step.released) expect(seen.some((s) => s === step.released || s === text)).toBe(true);
  });

  it("does not check a one-span answer twice", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("好的，没问题。")).toEqual({ status: "open", released: "好的，没问题。" });
    expect(await gate.finish()).toEqual({ status: "open", released: "" });
    expect(seen).toEqual(["好的，没问题。"]);
  });

  it("stops before a risky span: nothing from it or after it is ever released", async () => {
    const { seen, check } = recordingCheck(["坏话"]);
    const gate = createStreamGate({ check, everyChars: 6 });
    const steps = [await gate.push("第一句很正常。"), await gate.push("第二句有坏话。"), await gate.push("第三句又正常。")];
    expect(steps[0]).toEqual({ status: "open", released: "第一句很正常。" });
    expect(steps[1]).toEqual({ status: "blocked", reason: "blocked:坏话" });
    expect(steps[2]).toEqual({ status: "blocked", reason: "blocked:坏话" });
    expect(await gate.finish()).toEqual({ status: "blocked", reason: "blocked:坏话" });
    expect(gate.released()).toBe("第一句很正常。");
    expect(seen).toEqual(["第一句很正常。", "第二句有坏话。"]);
  });

  it("holds back the tail when the whole answer fails though every span passed", async () => {
    const { check } = recordingCheck([], (text) => text.includes("甲") && text.includes("乙"));
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("说到甲。")).toEqual({ status: "open", released: "说到甲。" });
    expect(await gate.push("又说乙。尾巴")).toEqual({ status: "open", released: "又说乙。" });
    expect(await gate.finish()).toEqual({ status: "blocked", reason: "blocked:context" });
    expect(gate.released()).toBe("说到甲。又说乙。");
  });

  it("keeps order when the caller does not await each push", async () => {
    const { check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 3 });
    const text = "一。二二。三三三。四四四四。五";
    const steps = await Promise.all([...text].map((ch) => gate.push(ch)));
    steps.push(await gate.finish());
    expect(releasedOf(steps)).toBe(text);
  });

  it("checks JSON-escaped text decoded and releases the model's text behind exactly the span that passed", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    // "第一句。第二句。尾" with every character of the first sentence escaped, pushed in pieces that cut escapes.
    const raw = String.raw`\u7b2c\u4e00\u53e5\u3002第二句。尾`;
    const steps: GateStep<string>[] = [];
    for (const piece of [raw.slice(0, 9), raw.slice(9, 20), raw.slice(20)]) steps.push(await gate.push(piece));
    steps.push(await gate.finish());
    expect(seen).toEqual(["第一句。第二句。", "第一句。第二句。尾"]);
    expect(releasedOf(steps)).toBe(raw);
    expect(gate.released()).toBe(raw);
    // Nothing of an escape went out before the span it decodes into was checked.
    expect(steps[0]).toEqual({ status: "open", released: "" });
  });

  it("stops escaped risky text: the check sees it decoded, no escape of it is released", async () => {
    const { check } = recordingCheck(["坏话"]);
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("正常的一句。")).toEqual({ status: "open", released: "正常的一句。" });
    expect(await gate.push(String.raw`有\u574f`)).toEqual({ status: "open", released: "" });
    expect(await gate.push(String.raw`\u8bdd。后面`)).toEqual({ status: "blocked", reason: "blocked:坏话" });
    expect(gate.released()).toBe("正常的一句。");
  });

  it("an escape left unfinished at the end is checked and released as written", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 50 });
    expect(await gate.push(String.raw`路径 C:\u12`)).toEqual({ status: "open", released: "" });
    expect(await gate.finish()).toEqual({ status: "open", released: String.raw`路径 C:\u12` });
    expect(seen).toEqual([String.raw`路径 C:\u12`]);
  });

  it("a long sentence written a character at a time is cut where it ends, an ASCII stop only once what follows shows it ends", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 10, maxSpanChars: 200 });
    const text = `${"一".repeat(30)}。Pi is 3.14 and e is 2.7. Then more`;
    const released: string[] = [];
    for (const ch of text) {
      const step = await gate.push(ch);
      if (step.status === "open" && step.released) released.push(step.released);
    }
    expect(released).toEqual([`${"一".repeat(30)}。`, "Pi is 3.14 and e is 2.7."]);
    expect(seen).toEqual(released);
  });

  it("refuses an everyChars under 2 or not an integer", () => {
    const { check } = recordingCheck();
    expect(() => createStreamGate({ check, everyChars: 1 })).toThrow(new RangeError("everyChars must be an integer >= 2"));
    expect(() => createStreamGate({ check, everyChars: 2.5 })).toThrow(RangeError);
    expect(createStreamGate({ check, everyChars: 2 }).released()).toBe("");
  });

  it("holds a sentence that has not ended yet, past everyChars", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("一二三四五六")).toEqual({ status: "open", released: "" });
    expect(seen).toEqual([]);
  });

  it("cuts a sentence that reached exactly maxSpanChars, and releases several pieces of one push joined as written", async () => {
    const at = createStreamGate({ check: recordingCheck().check, everyChars: 3, maxSpanChars: 5 });
    expect(await at.push("一二三四五")).toEqual({ status: "open", released: "一二三四五" });
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 2, maxSpanChars: 3 });
    expect(await gate.push("一二三四五六。")).toEqual({ status: "open", released: "一二三四五六" });
    expect(seen).toEqual(["一二三", "四五六"]);
  });

  it("looks for a sentence end only within maxSpanChars of a long sentence", () => {
    expect(cutSpans("一二三四五六七八九十。", 3, 5)).toEqual({ spans: ["一二三四五", "六七八九十"], rest: "。" });
  });

  it("checks the whole answer at finish after two spans, even with nothing left pending", async () => {
    const { seen, check } = recordingCheck([], (text) => text.includes("甲") && text.includes("乙"));
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("说到甲。")).toEqual({ status: "open", released: "说到甲。" });
    expect(await gate.push("又说乙。")).toEqual({ status: "open", released: "又说乙。" });
    expect(await gate.finish()).toEqual({ status: "blocked", reason: "blocked:context" });
    expect(seen).toEqual(["说到甲。", "又说乙。", "说到甲。又说乙。"]);
  });

  it("checks nothing for an empty answer", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.finish()).toEqual({ status: "open", released: "" });
    expect(seen).toEqual([]);
  });

  it("releases the model's text for each span when escapes sit on both sides of a cut", async () => {
    const { seen, check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    // Decoded: 第一句。第二句。尾巴 — an escape ends the first span's raw text, another starts the second's.
    expect(await gate.push(String.raw`\u7b2c一句。\u7b2c二`)).toEqual({ status: "open", released: String.raw`\u7b2c一句。` });
    expect(await gate.push(String.raw`\u53e5。尾\u5df4`)).toEqual({ status: "open", released: String.raw`\u7b2c二\u53e5。` });
    expect(await gate.finish()).toEqual({ status: "open", released: String.raw`尾\u5df4` });
    expect(seen).toEqual(["第一句。", "第二句。", "第一句。第二句。尾巴"]);
  });

  it("places an escape that arrives after pending text where it decodes, past the span being cut", async () => {
    const { check } = recordingCheck();
    const gate = createStreamGate({ check, everyChars: 4 });
    expect(await gate.push("第一句")).toEqual({ status: "open", released: "" });
    expect(await gate.push(String.raw`。尾\u5df4`)).toEqual({ status: "open", released: "第一句。" });
    expect(await gate.finish()).toEqual({ status: "open", released: String.raw`尾\u5df4` });
  });

  it("passes a failing check on to the caller", async () => {
    const gate = createStreamGate({ check: () => Promise.reject(new Error("checker down")), everyChars: 2 });
    await expect(gate.push("一句话。")).rejects.toThrow("checker down");
  });
});

describe("stream gate over the fake WeChat", () => {
  let wechat: FakeWechat;
  const OPENID = "o-streaming-user";
  beforeAll(async () => {
    wechat = await startFakeWechat({ openids: [OPENID] });
  });
  afterAll(() => wechat.close());

  const gateFor = (policy = CONTENT_SECURITY_OFF) => {
    const accessTokens = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: wechat.url }, store: createMemoryTokenStore() });
    const checker = createContentChecker({ apiBase: wechat.url, accessTokens });
    const outcomes: unknown[] = [];
    const check = contentGateCheck({ checker, policy, openid: OPENID, scene: 2, deadlineMs: Date.now() + 10_000, onOutcome: (o) => outcomes.push(o) });
    return { gate: createStreamGate({ check, everyChars: 20 }), outcomes };
  };
  /** A model writing a few characters at a time. */
  const deltas = (text: string) => text.match(/.{1,3}/gsu) ?? [];

  it("stops with the risky sentence's category before any of it reaches the client", async () => {
    const { gate, outcomes } = gateFor();
    const before = "这是第一段完全正常的回答内容，讲的是天气。";
    const risky = `接下来${WECHAT_RISKY_SAMPLES[0]}。`;
    let released = "";
    let blocked: GateStep<unknown> | undefined;
    for (const d of deltas(before + risky + "后面还有更多正常的内容。")) {
      const step = await gate.push(d);
      if (step.status === "blocked") {
        blocked = step;
        break;
      }
      released += step.released;
    }
    expect(released).toBe(before);
    expect(released).not.toContain(WECHAT_RISKY_SAMPLES[0]);
    expect(blocked).toMatchObject({ status: "blocked", reason: { decision: "block", outcome: { verdict: "risky", label: 21000, category: "other" } } });
    expect(outcomes.length).toBe(2);
  });

  it("streams a clean answer whole, checked in spans and then as a whole", async () => {
    const { gate } = gateFor();
    const text = "第一句话说的是今天的天气很好。第二句话说的是明天可能会下雨。最后一句";
    const calls = wechat.secCheckCalls.length;
    let released = "";
    for (const d of deltas(text)) {
      const step = await gate.push(d);
      if (step.status === "open") released += step.released;
    }
    const end = await gate.finish();
    if (end.status === "open") released += end.released;
    expect(released).toBe(text);
    const sent = wechat.secCheckCalls.slice(calls).map((c) => (c.body as { content: string }).content);
    expect(sent.at(-1)).toBe(text);
    expect(sent.length).toBeGreaterThanOrEqual(2);
  });

  it("follows on_unavailable when WeChat is busy", async () => {
    wechat.setBusy("msg_sec_check", Infinity);
    try {
      const closed = gateFor({ ...CONTENT_SECURITY_OFF, on_unavailable: "closed" });
      expect(await closed.gate.push("一句足够长的正常的话，超过二十个字符了吧。")).toMatchObject({ status: "blocked", reason: { decision: "unavailable_block", outcome: { reason: "busy" } } });
      const open = gateFor({ ...CONTENT_SECURITY_OFF, on_unavailable: "open" });
      expect(await open.gate.push("一句足够长的正常的话，超过二十个字符了吧。")).toEqual({ status: "open", released: "一句足够长的正常的话，超过二十个字符了吧。" });
    } finally {
      wechat.setBusy("msg_sec_check", 0);
    }
  });
});
