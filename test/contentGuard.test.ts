// The content guard on its own: the environment's policy applied to WeChat's answers (a fake
// WeChat written from the msgSecCheck docs) for the input, the whole answer and a stream, and
// the errors each refusal becomes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../lib/appError";
import { createAccessTokenSource } from "../lib/contentSecurity/accessToken";
import { createContentGuard } from "../lib/contentSecurity/contentGuard";
import { type CheckTextRequest, type ContentChecker, createContentChecker } from "../lib/contentSecurity/msgSecCheck";
import { CONTENT_SECURITY_OFF, type ContentSecurityPolicy } from "../lib/contentSecurity/policy";
import type { CheckOutcome } from "../lib/contentSecurity/verdict";
import { createMemoryTokenStore } from "./support/csStore";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";

const OPENID = "o-guard-user";
const NO_OPENID = { verdict: "unavailable", reason: "no_openid", timings: { tokenMs: 0, wechatMs: 0 } };
const ON: ContentSecurityPolicy = { ...CONTENT_SECURITY_OFF, input: true, output: true, every_chars: 20 };

let wechat: FakeWechat;
beforeAll(async () => {
  wechat = await startFakeWechat({ openids: [OPENID] });
});
afterAll(() => wechat.close());
beforeEach(() => {
  wechat.clearRules();
  wechat.addRule({ term: "坏广告", label: 10001, suggest: "risky" });
  wechat.addRule({ term: "可疑的话", label: 20003, suggest: "review" });
});

/** The real checker over the fake WeChat; records what each check asked for, deadline included. */
function realChecker() {
  const accessTokens = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: wechat.url }, store: createMemoryTokenStore() });
  const inner = createContentChecker({ apiBase: wechat.url, accessTokens });
  const asked: { request: CheckTextRequest; deadlineMs: number }[] = [];
  const checker: ContentChecker = {
    checkText: (request, deadlineMs) => {
      asked.push({ request, deadlineMs });
      return inner.checkText(request, deadlineMs);
    },
  };
  return { checker, asked };
}

function guardWith(policy: ContentSecurityPolicy, now?: () => number) {
  const { checker, asked } = realChecker();
  const outcomes: CheckOutcome[] = [];
  const guard = createContentGuard({ policy, checker, onCheck: (o) => outcomes.push(o), ...(now ? { now } : {}) });
  return { guard, asked, outcomes };
}

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const farDeadline = () => Date.now() + 10_000;

describe("createContentGuard: input and whole answers", () => {
  it("says which sides it checks", () => {
    expect(createContentGuard({ policy: { ...ON, output: false }, checker: realChecker().checker })).toMatchObject({ input: true, output: false });
    expect(createContentGuard({ policy: { ...ON, input: false }, checker: realChecker().checker })).toMatchObject({ input: false, output: true });
  });

  it("lets clean text through, after asking WeChat with the policy's scene", async () => {
    const { guard, asked, outcomes } = guardWith({ ...ON, scene: 3 });
    await expect(guard.checkInput("今天天气怎么样", OPENID, farDeadline())).resolves.toBeUndefined();
    await expect(guard.checkOutput("今天晴。", OPENID, farDeadline())).resolves.toBeUndefined();
    expect(asked.map((a) => a.request)).toEqual([
      { openid: OPENID, scene: 3, content: "今天天气怎么样" },
      { openid: OPENID, scene: 3, content: "今天晴。" },
    ]);
    expect(outcomes.map((o) => o.verdict)).toEqual(["pass", "pass"]);
  });

  it("refuses risky input with 422 blocked_input and the category, risky output with 502 blocked_output", async () => {
    const { guard } = guardWith(ON);
    const input = await refusalOf(guard.checkInput("买坏广告", OPENID, farDeadline()));
    expect(input).toMatchObject({ status: 422, code: "blocked_input", message: "the input was refused by WeChat's content rules (ad)", headers: {}, fields: { category: "ad", categoryTitle: "广告" } });
    const output = await refusalOf(guard.checkOutput("买坏广告", OPENID, farDeadline()));
    expect(output).toMatchObject({ status: 502, code: "blocked_output", message: "the answer was withheld by WeChat's content rules (ad)", headers: {}, fields: { category: "ad", categoryTitle: "广告" } });
  });

  it("follows on_review: a review verdict passes by default and is refused with its category when the policy blocks it", async () => {
    await expect(guardWith(ON).guard.checkInput("一句可疑的话", OPENID, farDeadline())).resolves.toBeUndefined();
    const refused = await refusalOf(guardWith({ ...ON, on_review: "block" }).guard.checkInput("一句可疑的话", OPENID, farDeadline()));
    expect(refused).toMatchObject({ status: 422, code: "blocked_input", fields: { category: "abuse", categoryTitle: "辱骂" } });
  });

  it("does not ask WeChat about blank text", async () => {
    const { guard, asked, outcomes } = guardWith(ON);
    await guard.checkInput(" \n\t ", OPENID, farDeadline());
    await guard.checkOutput("", OPENID, farDeadline());
    expect(asked).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it("checks nothing on a side the policy leaves off", async () => {
    const { guard, asked } = guardWith({ ...ON, input: false, output: false });
    await expect(guard.checkInput("买坏广告", OPENID, farDeadline())).resolves.toBeUndefined();
    await expect(guard.checkOutput("买坏广告", OPENID, farDeadline())).resolves.toBeUndefined();
    expect(asked).toEqual([]);
    expect(guard.streamGate(OPENID, farDeadline())).toBeUndefined();
  });

  it("gives WeChat the sooner of the request's deadline and the policy's timeout", async () => {
    const { guard, asked } = guardWith({ ...ON, timeout_ms: 1500 }, () => Date.now());
    const before = Date.now();
    await guard.checkInput("你好", OPENID, before + 60_000);
    expect(asked[0]?.deadlineMs).toBeGreaterThanOrEqual(before + 1500);
    expect(asked[0]?.deadlineMs).toBeLessThanOrEqual(Date.now() + 1500);
    const soon = Date.now() + 700;
    await guard.checkInput("你好", OPENID, soon);
    expect(asked[1]?.deadlineMs).toBe(soon);
  });

  it("without an openid: 503 content_check_unavailable when closed, through when open; WeChat is not asked", async () => {
    const closed = guardWith(ON);
    const error = await refusalOf(closed.guard.checkInput("你好", undefined, farDeadline()));
    expect(error).toMatchObject({ status: 503, code: "content_check_unavailable", message: "the content check is unavailable right now; try again shortly", headers: { "retry-after": "2" } });
    expect(error.fields).toBeUndefined();
    expect(closed.outcomes).toEqual([NO_OPENID]);
    const open = guardWith({ ...ON, on_unavailable: "open" });
    await expect(open.guard.checkOutput("你好", undefined, farDeadline())).resolves.toBeUndefined();
    expect(open.outcomes).toEqual([NO_OPENID]);
    expect([...closed.asked, ...open.asked]).toEqual([]);
  });

  it("refuses with 503 when WeChat is busy and the policy is closed", async () => {
    wechat.setBusy("msg_sec_check", Infinity);
    try {
      const { guard, outcomes } = guardWith(ON);
      const error = await refusalOf(guard.checkOutput("你好", OPENID, farDeadline()));
      expect(error).toMatchObject({ status: 503, code: "content_check_unavailable", headers: { "retry-after": "2" } });
      expect(outcomes).toMatchObject([{ verdict: "unavailable", reason: "busy" }]);
    } finally {
      wechat.setBusy("msg_sec_check", 0);
    }
  });
});

describe("createContentGuard: streams", () => {
  it("gates a stream through WeChat in spans of every_chars, reporting each outcome", async () => {
    const { guard, asked, outcomes } = guardWith(ON);
    const gate = guard.streamGate(OPENID, farDeadline());
    expect(gate).toBeDefined();
    if (!gate) return;
    expect(await gate.push("短句。")).toEqual({ status: "open", released: "" });
    expect(await gate.push("这一句话写得足够长了，超过了二十个字符的门槛。")).toEqual({ status: "open", released: "短句。这一句话写得足够长了，超过了二十个字符的门槛。" });
    const step = await gate.push("然后这里有坏广告出现在第二句话的中间部分了。");
    expect(step).toMatchObject({ status: "blocked", reason: { decision: "block", outcome: { verdict: "risky", category: "ad" } } });
    expect(asked.map((a) => a.request.openid)).toEqual([OPENID, OPENID]);
    expect(outcomes.map((o) => o.verdict)).toEqual(["pass", "risky"]);
    if (step.status !== "blocked") return;
    expect(guard.blockedStream(step.reason)).toMatchObject({ status: 502, code: "blocked_output", fields: { category: "ad", categoryTitle: "广告" } });
  });

  it("without an openid, a stream is held when closed and flows when open; each check is reported", async () => {
    const closed = guardWith(ON);
    const gate = closed.guard.streamGate(undefined, farDeadline());
    const step = await gate?.push("这一句话写得足够长了，超过了二十个字符的门槛。");
    expect(step).toEqual({ status: "blocked", reason: { decision: "unavailable_block", outcome: NO_OPENID } });
    expect(closed.outcomes).toEqual([NO_OPENID]);
    if (step?.status === "blocked") expect(closed.guard.blockedStream(step.reason)).toMatchObject({ status: 503, code: "content_check_unavailable" });
    const open = guardWith({ ...ON, on_unavailable: "open" });
    const flowing = open.guard.streamGate(undefined, farDeadline());
    expect(await flowing?.push("这一句话写得足够长了，超过了二十个字符的门槛。")).toEqual({ status: "open", released: "这一句话写得足够长了，超过了二十个字符的门槛。" });
    expect(open.outcomes).toEqual([NO_OPENID]);
    expect([...closed.asked, ...open.asked]).toEqual([]);
  });

  it("a block whose outcome is unavailable reads as 503, not as a category", () => {
    const guard = createContentGuard({ policy: ON, checker: realChecker().checker });
    const outcome = { verdict: "unavailable", reason: "busy", errcode: -1, timings: { tokenMs: 0, wechatMs: 3 } } as const;
    expect(guard.blockedStream({ decision: "block", outcome })).toMatchObject({ status: 503, code: "content_check_unavailable", headers: { "retry-after": "2" } });
  });

  it("works without an onCheck", async () => {
    const guard = createContentGuard({ policy: ON, checker: realChecker().checker });
    await expect(guard.checkInput("你好", OPENID, farDeadline())).resolves.toBeUndefined();
    expect((await refusalOf(guard.checkOutput("买坏广告", OPENID, farDeadline()))).code).toBe("blocked_output");
    expect(await guard.streamGate(undefined, farDeadline())?.push("这一句话写得足够长了，超过了二十个字符的门槛。")).toMatchObject({ status: "blocked" });
    const gate = guard.streamGate(OPENID, farDeadline());
    expect(await gate?.push("这一句话写得足够长了，超过了二十个字符的门槛。")).toMatchObject({ status: "open" });
  });
});
