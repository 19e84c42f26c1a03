// conversation(): support's history kept within what the server accepts (SUPPORT_LIMITS, generated
// from support's input schema, the ask body limit and the strictest environment's input guard):
// at most 20 turns, each at most 4,000 characters, the input's characters within the guard's
// max_input_chars, the whole body within 64 KiB; oldest turns first, a question with its answer. The
// units below hold each limit; the rest sends through the real local server, which refuses the
// same history untrimmed.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SupportEnvelope, type SupportTurn, conversation, cutText, fitHistory, utf8Bytes } from "../miniprogram/src/conversation";
import { SUPPORT_LIMITS } from "../miniprogram/src/intents";
import { MiniaskError, createMiniaskClient } from "../miniprogram/src/miniask";
import { type Harness, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

const user = (content: string): SupportTurn => ({ role: "user", content });
const assistant = (content: string): SupportTurn => ({ role: "assistant", content });
/** n question/answer pairs, oldest first, each turn `chars` characters of `fill`. */
const pairs = (n: number, chars: number, fill = "x"): SupportTurn[] => {
  const turns: SupportTurn[] = [];
  for (let i = 0; i < n; i++) turns.push(user(`q${i} ${fill.repeat(chars)}`.slice(0, chars)), assistant(`a${i} ${fill.repeat(chars)}`.slice(0, chars)));
  return turns;
};
const envelope: SupportEnvelope = { question: "And now?", userId: "u_conv", traceId: "t-conv" };
/** The limits with the input guard out of the way, to see the body limit alone. */
const bytesOnly = { ...SUPPORT_LIMITS, maxInputChars: 1_000_000 };
/** What the input guard counts: every string of the input and the context, and context keys. */
const guardChars = (history: SupportTurn[], env: SupportEnvelope = envelope) =>
  [env.question, ...history.flatMap((t) => [t.role, t.content]), ...Object.entries(env.context ?? {}).flatMap(([k, v]) => [k, typeof v === "string" ? v : ""])].join("").length;
const bodyOf = (history: SupportTurn[], env: SupportEnvelope = envelope) =>
  JSON.stringify({ intent: "support", userId: env.userId ?? "x".repeat(128), traceId: env.traceId, input: { question: env.question, history }, context: env.context, profile: env.profile, stream: true });

describe("utf8Bytes and cutText", () => {
  it("counts UTF-8 bytes as Buffer does, a lone surrogate as U+FFFD", () => {
    for (const text of ["plain", "é", "中文", "🚀 rocket", "a\u0000b", "mixed 中 é 🚀 \n\t"]) expect(utf8Bytes(text), text).toBe(Buffer.byteLength(text, "utf8"));
    expect(utf8Bytes("\ud800")).toBe(3);
    expect(utf8Bytes("a\udc00b")).toBe(5);
  });

  it("cuts to at most max UTF-16 units, never through a surrogate pair", () => {
    expect(cutText("abcdef", 6)).toBe("abcdef");
    expect(cutText("abcdef", 4)).toBe("abcd");
    expect(cutText("ab🚀", 3)).toBe("ab");
    expect(cutText("ab🚀", 4)).toBe("ab🚀");
  });
});

describe("fitHistory", () => {
  it("keeps a history within every limit as it is (role and content only)", () => {
    const history = [user("hi"), assistant("hello"), { role: "user", content: "extra", at: 1 } as SupportTurn];
    expect(fitHistory(history, envelope)).toEqual([user("hi"), assistant("hello"), user("extra")]);
  });

  it("keeps at most maxHistoryTurns, the newest, starting with a question", () => {
    const history = pairs(15, 10);
    const kept = fitHistory(history, envelope);
    expect(kept).toHaveLength(SUPPORT_LIMITS.maxHistoryTurns);
    expect(kept).toEqual(history.slice(-SUPPORT_LIMITS.maxHistoryTurns));
    // 21 turns ending with a question: dropping the oldest leaves an answer first, so it goes too.
    const odd = pairs(10, 10).concat([user("last")]);
    expect(fitHistory(odd, envelope)).toEqual(odd.slice(2));
  });

  it("drops an answer with no question before it, and empty turns", () => {
    expect(fitHistory([assistant("orphan"), user("q"), assistant(""), assistant("a")], envelope)).toEqual([user("q"), assistant("a")]);
  });

  it("cuts a turn longer than maxTurnChars to exactly maxTurnChars", () => {
    const long = "y".repeat(SUPPORT_LIMITS.maxTurnChars + 50);
    const kept = fitHistory([user("q"), assistant(long)], envelope);
    expect(kept[1]?.content).toBe(long.slice(0, SUPPORT_LIMITS.maxTurnChars));
  });

  it("keeps the body within maxBodyBytes: as many of the newest pairs as fit", () => {
    // 20 turns of 3,000 CJK characters: 9,000 bytes each, 180 KB in all.
    const history = pairs(10, 3000, "中");
    const kept = fitHistory(history, envelope, bytesOnly);
    expect(utf8Bytes(bodyOf(kept))).toBeLessThanOrEqual(SUPPORT_LIMITS.maxBodyBytes);
    expect(kept).toEqual(history.slice(history.length - kept.length));
    expect(kept[0]?.role).toBe("user");
    // One more pair would not fit.
    expect(utf8Bytes(bodyOf(history.slice(history.length - kept.length - 2)))).toBeGreaterThan(SUPPORT_LIMITS.maxBodyBytes);
  });

  it("counts the rest of the body: a bigger context or an unknown userId leaves less room", () => {
    const history = pairs(10, 3000, "中");
    const plain = fitHistory(history, envelope, bytesOnly).length;
    const context: Record<string, string> = {};
    for (let i = 0; i < 16; i++) context[`key${i}`] = "语".repeat(256);
    expect(fitHistory(history, { ...envelope, context }, bytesOnly).length).toBeLessThan(plain);
    // A question that leaves room for one pair with this userId (6 characters), not with the
    // longest userId the server accepts (128), which is what an unknown one counts as.
    const pair = [user("q"), assistant("a")];
    const base = utf8Bytes(bodyOf(pair, { ...envelope, question: "" }));
    const question = "q".repeat(SUPPORT_LIMITS.maxBodyBytes - 50 - base);
    expect(fitHistory(pair, { ...envelope, question }, bytesOnly)).toEqual(pair);
    expect(fitHistory(pair, { question, traceId: envelope.traceId }, bytesOnly)).toEqual([]);
  });

  it("keeps the input's characters within maxInputChars, as the input guard counts them", () => {
    // 20 ASCII turns of 1,000 characters: 20,000 characters, well within the body limit.
    const history = pairs(10, 1000);
    const kept = fitHistory(history, envelope);
    expect(guardChars(kept)).toBeLessThanOrEqual(SUPPORT_LIMITS.maxInputChars);
    expect(kept).toEqual(history.slice(history.length - kept.length));
    expect(guardChars(history.slice(history.length - kept.length - 2))).toBeGreaterThan(SUPPORT_LIMITS.maxInputChars);
    // Roles count: a pair that fits by its contents alone does not with "user" and "assistant".
    const exact = [user("u".repeat(100)), assistant("a".repeat(100))];
    const limits = { ...SUPPORT_LIMITS, maxInputChars: 200 + envelope.question.length + "user".length + "assistant".length };
    expect(fitHistory(exact, envelope, limits)).toEqual(exact);
    expect(fitHistory(exact, envelope, { ...limits, maxInputChars: limits.maxInputChars - 1 })).toEqual([]);
    // Context keys and values count too.
    expect(fitHistory(exact, { ...envelope, context: { k: "v" } }, limits)).toEqual([]);
    expect(fitHistory(exact, { ...envelope, context: { k: 1 } }, { ...limits, maxInputChars: limits.maxInputChars + 1 })).toEqual(exact);
  });
});

describe("conversation() against the real local server", () => {
  let h: Harness;
  let session: { token: string; userId: string };
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    session = { token: await h.token("u_conv"), userId: "u_conv" };
  });
  afterAll(() => h.close());

  const client = (wx = wxStandIn(() => "unused")) => ({ wx, miniask: createMiniaskClient({ baseUrl: h.url, wx, session }) });
  const askBodies = (wx: ReturnType<typeof wxStandIn>) =>
    wx.requests.filter((r) => r.url.endsWith("/v1/mini/ask")).map((r) => JSON.parse(String(r.data)) as { input: { question: string; history: SupportTurn[] } });

  it("sends each question with the turns so far and keeps the answer", async () => {
    const { wx, miniask } = client();
    const chat = conversation(miniask);
    const first = await chat.send(`  Where is my order SO123456789012? ${randomUUID()} `);
    await chat.send("And when will it arrive?");
    const bodies = askBodies(wx);
    expect(bodies[0]?.input.history).toEqual([]);
    expect(bodies[1]?.input.history).toEqual([user(bodies[0]!.input.question), assistant(first.answer)]);
    expect(bodies[0]?.input.question).not.toMatch(/^\s|\s$/);
    expect(chat.history()).toHaveLength(4);
    chat.reset();
    expect(chat.history()).toEqual([]);
  });

  it("a history the server refuses as it is (too many bytes, a turn too long) goes through trimmed", async () => {
    const long = pairs(10, 3000, "中");
    long.push(user("one more"), assistant("z".repeat(SUPPORT_LIMITS.maxTurnChars + 1)));
    const { miniask } = client();
    const raw = await miniask.ask("support", { question: "Still there?", history: long.slice(-20) }).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(MiniaskError);
    expect((raw as MiniaskError).code).toBe("payload_too_large");
    const shortRaw = await miniask.ask("support", { question: "Still there?", history: long.slice(-2) }).catch((e: unknown) => e);
    expect((shortRaw as MiniaskError).code).toBe("invalid_input");

    const trimmed = client();
    const chat = conversation(trimmed.miniask, { history: long });
    const reply = await chat.send("Still there?");
    expect(reply.answer).not.toBe("");
    const sent = askBodies(trimmed.wx)[0]!.input.history;
    expect(sent.at(-1)?.content).toHaveLength(SUPPORT_LIMITS.maxTurnChars);
    expect(sent.length).toBeGreaterThan(2);
    expect(chat.history().slice(-2)).toEqual([user("Still there?"), assistant(reply.answer)]);
  });

  it("keeps turns a big context left out: the next call without it sends them", async () => {
    const { wx, miniask } = client();
    const older = pairs(10, 1500, "中");
    const chat = conversation(miniask, { history: older });
    const context: Record<string, string> = {};
    for (let i = 0; i < 16; i++) context[`key${i}`] = "语".repeat(256);
    await chat.send(`With context ${randomUUID()}`, { context });
    await chat.send("Without?");
    const [withContext, without] = askBodies(wx).map((b) => b.input.history);
    const firstOlder = (sent: SupportTurn[]) => older.findIndex((turn) => turn.content === sent[0]?.content);
    expect(firstOlder(withContext!)).toBeGreaterThan(0);
    expect(firstOlder(without!)).toBeGreaterThanOrEqual(0);
    expect(firstOlder(without!)).toBeLessThan(firstOlder(withContext!));
  });

  it("a history over the environment's input guard (dev: 40,000 characters) goes through trimmed", async () => {
    const history = pairs(6, 3900).slice(-12);
    const { miniask } = client();
    const raw = await miniask.ask("support", { question: "Anything else?", history }).catch((e: unknown) => e);
    expect((raw as MiniaskError).code).toBe("blocked_input");
    const strictest = client();
    await conversation(strictest.miniask, { history }).send("Anything else?");
    const devGuard = client();
    await conversation(devGuard.miniask, { history, limits: { ...SUPPORT_LIMITS, maxInputChars: 40_000 } }).send("Anything else?");
    const [sentStrict] = askBodies(strictest.wx).map((b) => b.input.history);
    const [sentDev] = askBodies(devGuard.wx).map((b) => b.input.history);
    expect(guardChars(sentStrict!, { question: "Anything else?", traceId: "" })).toBeLessThanOrEqual(SUPPORT_LIMITS.maxInputChars);
    expect(sentDev!.length).toBeGreaterThan(sentStrict!.length);
    expect(guardChars(sentDev!, { question: "Anything else?", traceId: "" })).toBeLessThanOrEqual(40_000);
  });

  it("keeps nothing from a call that failed or was aborted", async () => {
    const { miniask } = client();
    const chat = conversation(miniask, { history: [user("hi"), assistant("hello")] });
    const failed = await chat.send("   ").catch((e: unknown) => e);
    expect((failed as MiniaskError).code).toBe("invalid_input");
    const call = chat.send(`Where is my invoice? ${randomUUID()}`);
    call.abort();
    expect(((await call.catch((e: unknown) => e)) as MiniaskError).code).toBe("aborted");
    expect(chat.history()).toEqual([user("hi"), assistant("hello")]);
  });
});
