// The module a Mini Program requires to call miniask: it logs in with wx.login, keeps the app
// token, refreshes it before expiry and once on a 401, and sends a traceId with every call.
// Built to ES2015 (scripts/buildMiniprogram.ts): no object spread with extra keys, no
// Promise.prototype.finally, no globalThis, nothing later than ES2015 at run time.
import { type TextCallbacks, callPage, isAnswerReply, textOf } from "./answerEvents";
import { MiniaskError, errorFromBody } from "./errors";
import type { IntentAnswers, IntentInputs, IntentName } from "./intents";
import type { AskResult, Flags, RefineResult } from "./results";
import { type Session, createSessionKeeper } from "./session";
import { streamOnce } from "./streamAnswer";
import { createTimeouts } from "./timeouts";
import { type AbortScope, bodyOf, canStreamChunks, sendRequest } from "./transport";
import type { WxLike, WxRequestSuccess } from "./wx";

export type { TextCallbacks, TextPhase } from "./answerEvents";
export { textOf } from "./answerEvents";
export { MiniaskError } from "./errors";
export type { ErrorDetail } from "./errors";
export type { AskResult, Flags, RefineResult, Usage } from "./results";
export type { IntentAnswers, IntentInputs, IntentName } from "./intents";
export type { WxLike } from "./wx";

export interface MiniaskOptions {
  /** The Mini Program's `wx`, passed explicitly (the module never looks for a global). */
  wx: WxLike;
  /** One origin for every route (the local server, or one gateway in front of the functions). */
  baseUrl?: string;
  /**
   * The stage's one SCF custom domain (`npm run deploy` prints it), e.g. "https://api.example.com":
   * each function under its own path, as the deploy routes it (lib/deploy/customDomain.ts):
   * /<intent>/v1/mini/ask and /refine, /auth/v1/mini/login and /flags.
   */
  domain?: string;
  /** Deployed Function URLs: login, and per intent its ask (and refine: the same function serves it). */
  urls?: { login?: string; flags?: string; ask?: Record<string, string>; refine?: Record<string, string> };
  /** Start signed in (dev: a token from `npm run token`); without expiresAt it is used until a 401. */
  session?: { token: string; userId: string; expiresAt?: number };
  now?: () => number;
  /** Log in again when the token has less than this left. */
  refreshMarginSeconds?: number;
  /**
   * One timeout for every call. Without it each call waits as long as the function it calls
   * may run (serverless.yml's timeouts, built in) plus 5 s, up to wx.request's 60 s ceiling:
   * login 15 s, an intent's ask, refine and stream 60 s.
   */
  timeoutMs?: number;
  storageKey?: string;
}

export interface AskOptions {
  traceId?: string;
  profile?: string;
  context?: Record<string, string | number | boolean>;
}

export interface StreamOptions extends AskOptions, TextCallbacks {
  /**
   * Without chunked transfer a refining profile's whole reply carries `refine: {id}`; askStream
   * then fetches the refined answer itself (draft, then final, like the stream) unless false.
   */
  followRefine?: boolean;
}

/** askStream's promise, with `abort()` to stop it (for example in a page's onUnload). */
export type StreamingCall<A> = Promise<AskResult<A>> & { abort(): void };

export function newTraceId(now: () => number = Date.now): string {
  return `${now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function sumUsage(a: AskResult["usage"], b: AskResult["usage"]): AskResult["usage"] {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

export function createMiniaskClient(options: MiniaskOptions) {
  // A page that forgot `wx` gets wx_unavailable from its first call, with that call's traceId.
  const wxApi: WxLike = options && options.wx && typeof options.wx === "object" ? options.wx : {};
  const now = options.now ?? Date.now;
  const timeoutFor = createTimeouts(options.timeoutMs);
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const domain = (options.domain ?? "").replace(/\/+$/, "");
  // On the custom domain a route's first path segment names its function; elsewhere one origin serves all.
  const under = (fn: string) => (domain ? `${domain}/${fn}` : base);
  const loginUrl = options.urls?.login ?? `${under("auth")}/v1/mini/login`;
  const askUrl = (intent: string) => options.urls?.ask?.[intent] ?? `${under(intent)}/v1/mini/ask`;
  const refineUrl = (intent?: string) =>
    (intent && options.urls?.refine?.[intent]) ||
    (intent && options.urls?.ask?.[intent]?.replace(/\/v1\/mini\/ask$/, "/v1/mini/refine")) ||
    (domain && intent ? `${under(intent)}/v1/mini/refine` : `${base}/v1/mini/refine`);
  const flagsUrl = options.urls?.flags ?? (domain ? `${under("auth")}/v1/mini/flags` : `${base || (options.urls?.login ?? "").replace(/\/v1\/mini\/login$/, "")}/v1/mini/flags`);
  const given = options.session;
  const sessions = createSessionKeeper({
    wxApi,
    storageKey: options.storageKey ?? "miniask.session",
    loginUrl,
    now,
    refreshMarginSeconds: options.refreshMarginSeconds ?? 60,
    timeoutMs: timeoutFor("auth"),
    newTraceId: () => newTraceId(now),
    initial: given ? { token: given.token, userId: given.userId, expiresAt: given.expiresAt ?? 0 } : undefined,
  });

  const headers = (s: Session, traceId: string): Record<string, string> => ({ "content-type": "application/json", authorization: `Bearer ${s.token}`, "x-trace-id": traceId });

  /** Sends with the current token; on a 401 logs in again, once, and sends again. */
  async function withSession<R extends { statusCode: number }>(traceId: string, send: (s: Session) => Promise<R>): Promise<R> {
    const res = await send(await sessions.current(traceId));
    if (res.statusCode !== 401) return res;
    // A token the server no longer accepts (rotated key, clock): log in again, once.
    sessions.drop();
    return send(await sessions.login(traceId));
  }

  function askBody(intent: string, userId: string, traceId: string, input: unknown, askOptions: AskOptions, stream: boolean): string {
    const body: Record<string, unknown> = { intent, userId, traceId, input };
    if (askOptions.context) body.context = askOptions.context;
    if (askOptions.profile) body.profile = askOptions.profile;
    if (stream) body.stream = true;
    return JSON.stringify(body);
  }

  async function postJson(url: string, timeout: number, traceId: string, data: (s: Session) => string, scope?: AbortScope): Promise<WxRequestSuccess> {
    return withSession(traceId, (s) => sendRequest(wxApi, { url, method: "POST", header: headers(s, traceId), data: data(s), dataType: "json", timeout }, traceId, scope).reply);
  }

  async function askWith<A>(intent: string, input: unknown, askOptions: AskOptions, traceId: string, scope?: AbortScope): Promise<AskResult<A>> {
    const res = await postJson(askUrl(intent), timeoutFor(intent), traceId, (s) => askBody(intent, s.userId, traceId, input, askOptions, false), scope);
    const body = bodyOf(res.data);
    if (res.statusCode !== 200 || !isAnswerReply(body)) throw errorFromBody(body, res.statusCode, traceId, res.header);
    return body as unknown as AskResult<A>;
  }

  /** The answer in one JSON reply. The intent, its input and its answer are typed from lib/intents' schemas. */
  function ask<I extends IntentName>(intent: I, input: IntentInputs[I], askOptions: AskOptions = {}): Promise<AskResult<IntentAnswers[I]>> {
    return askWith<IntentAnswers[I]>(intent, input, askOptions, askOptions.traceId ?? newTraceId(now));
  }

  async function refineWith<A>(id: string, intent: string | undefined, scope?: AbortScope): Promise<RefineResult<A>> {
    // Served by the intent's function: /refine may compute the refinement itself.
    if (domain && !intent && !options.urls?.refine) throw new MiniaskError("intent_required", "refine on a custom domain needs the reply's intent: refine(id, { intent })", id, 0);
    const res = await postJson(refineUrl(intent), timeoutFor(intent), id, () => JSON.stringify({ traceId: id }), scope);
    const body = bodyOf(res.data);
    if (res.statusCode !== 200 || !isAnswerReply(body)) throw errorFromBody(body, res.statusCode, id, res.header);
    return body as unknown as RefineResult<A>;
  }

  /**
   * The refined answer of a fast reply that carried `refine: {id}` (POST /v1/mini/refine). Pass
   * the reply's intent when each intent has its own Function URL (it also types the answer).
   */
  function refine<I extends IntentName = IntentName>(id: string, refineOptions: { intent?: I } = {}): Promise<RefineResult<IntentAnswers[I]>> {
    return refineWith<IntentAnswers[I]>(id, refineOptions.intent);
  }

  /** A whole reply shown as a stream would have shown it: each callback once per phase. */
  async function wholeAnswer<A>(reply: AskResult<A>, streamOptions: StreamOptions, scope: AbortScope): Promise<AskResult<A>> {
    const show = (answer: unknown, phase: "draft" | "final" | "answer") => {
      const text = textOf(answer);
      callPage(reply.traceId, () => streamOptions.onDelta?.(text, phase));
      callPage(reply.traceId, () => streamOptions.onText?.(text, phase));
    };
    if (!reply.refine || streamOptions.followRefine === false) {
      show(reply.answer, "answer");
      return reply;
    }
    show(reply.answer, "draft");
    const fast: AskResult<A> = Object.assign({}, reply, { draft: reply.answer });
    delete fast.refine;
    let refined: RefineResult<A>;
    try {
      refined = await refineWith<A>(reply.refine.id, reply.intent, scope);
    } catch (err) {
      // As in the stream: a failed refinement leaves the draft as the answer, unless the output
      // rules withheld it or the page stopped.
      const code = err instanceof MiniaskError ? err.code : "";
      if (code === "blocked_output" || code === "aborted" || code === "callback_error") throw err;
      return Object.assign(fast, { refined: false });
    }
    show(refined.answer, "final");
    return Object.assign(fast, { answer: refined.answer, model: refined.model, usage: sumUsage(reply.usage, refined.usage), refined: true });
  }

  /**
   * The answer as it is written: `onText(textSoFar, phase)` for the text so far ("draft" then
   * "final" for a refining profile, "answer" otherwise), `onDelta(piece, phase)` for each piece;
   * resolves with the shaped answer. Without chunked transfer it asks for one JSON reply and
   * calls the callbacks once.
   */
  function askStream<I extends IntentName>(intent: I, input: IntentInputs[I], streamOptions: StreamOptions = {}): StreamingCall<IntentAnswers[I]> {
    type A = IntentAnswers[I];
    const traceId = streamOptions.traceId ?? newTraceId(now);
    const scope: AbortScope = {};
    const run = async (): Promise<AskResult<A>> => {
      if (!canStreamChunks(wxApi)) return wholeAnswer(await askWith<A>(intent, input, streamOptions, traceId, scope), streamOptions, scope);
      const attempt = await withSession(traceId, (s) =>
        scope.aborted
          ? Promise.reject(scope.aborted)
          : streamOnce<A>(wxApi, { url: askUrl(intent), method: "POST", header: Object.assign(headers(s, traceId), { accept: "text/event-stream" }), data: askBody(intent, s.userId, traceId, input, streamOptions, true), timeout: timeoutFor(intent) }, streamOptions, traceId, scope),
      );
      if (attempt.result) return attempt.result;
      if (attempt.whole) return wholeAnswer(attempt.whole, streamOptions, scope);
      throw attempt.error ?? new MiniaskError("stream_incomplete", "the stream ended without an answer", traceId, attempt.statusCode);
    };
    return Object.assign(run(), {
      abort() {
        if (scope.aborted) return;
        scope.aborted = new MiniaskError("aborted", "the page stopped the request", traceId, 0);
        scope.onAbort?.();
      },
    });
  }

  let flagsCache: { flags: Flags; fetchedAt: number } | undefined;

  /** The remote flags, fetched at most once a minute; a new configHash means they changed. */
  async function flags(): Promise<Flags> {
    if (flagsCache && now() - flagsCache.fetchedAt < 60_000) return flagsCache.flags;
    const traceId = newTraceId(now);
    const res = await withSession(traceId, (s) =>
      sendRequest(wxApi, { url: flagsUrl, method: "GET", header: { authorization: `Bearer ${s.token}`, "x-trace-id": traceId }, dataType: "json", timeout: timeoutFor("auth") }, traceId).reply,
    );
    const body = bodyOf(res.data) as Flags | null;
    if (res.statusCode !== 200 || !body || typeof body !== "object" || !body.intents) throw errorFromBody(body, res.statusCode, traceId, res.header);
    flagsCache = { flags: body, fetchedAt: now() };
    return body;
  }

  /**
   * What a page calls: streams when the flags say this intent streams and the page gave a text
   * callback, asks in one piece otherwise. The server decides the profile either way.
   */
  async function answer<I extends IntentName>(intent: I, input: IntentInputs[I], streamOptions: StreamOptions = {}): Promise<AskResult<IntentAnswers[I]>> {
    const wantsText = streamOptions.onDelta !== undefined || streamOptions.onText !== undefined;
    const streaming = wantsText && (await flags()).intents[intent]?.features.streaming === true;
    return streaming ? askStream(intent, input, streamOptions) : ask(intent, input, streamOptions);
  }

  return {
    ask,
    askStream,
    refine,
    answer,
    flags,
    login: () => sessions.login(newTraceId(now)),
    /** Forgets the session, in memory and in storage: the next call logs in with wx.login again. */
    logout: () => sessions.logout(),
    /** The signed-in userId, when there is a session. */
    userId: () => sessions.userId(),
  };
}

export type MiniaskClient = ReturnType<typeof createMiniaskClient>;
