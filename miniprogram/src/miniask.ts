// The module a Mini Program requires to call miniask: it logs in with wx.login, keeps the app
// token, refreshes it before expiry and once on a 401, and sends a traceId with every call.
import { createSseParser, createUtf8Decoder } from "./sseParser";
import type { WxLike, WxRequestSuccess } from "./wx";

export type { WxLike } from "./wx";

export interface MiniaskOptions {
  /** One origin for every route (the local server, or one gateway in front of the functions). */
  baseUrl?: string;
  /** Deployed Function URLs: login, and ask per intent (each intent is its own function). */
  urls?: { login?: string; flags?: string; ask?: Record<string, string> };
  /** Defaults to the global `wx`. */
  wx?: WxLike;
  now?: () => number;
  /** Log in again when the token has less than this left. */
  refreshMarginSeconds?: number;
  timeoutMs?: number;
  storageKey?: string;
}

export interface AskOptions {
  traceId?: string;
  profile?: string;
  context?: Record<string, string | number | boolean>;
}

export interface StreamOptions extends AskOptions {
  /** Called with each piece of text as the model writes it. */
  onDelta?: (text: string) => void;
}

/** GET /v1/mini/flags: the profile each intent will use for this user, and its features. */
export interface Flags {
  env: string;
  configHash: string;
  intents: Record<string, { profile: string; arm: string; features: { streaming: boolean; refine: boolean; cache: boolean; tools: boolean } }>;
}

export interface AskResult<A = unknown> {
  answer: A;
  traceId: string;
  intent: string;
  profile: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  cached: boolean;
}

/** Rejection of every call: `traceId` is what the user reads out to support. */
export class MiniaskError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly traceId: string,
    readonly status: number,
  ) {
    super(`${detail} (trace ${traceId})`);
    this.name = "MiniaskError";
  }
}

interface Session {
  token: string;
  userId: string;
  expiresAt: number;
}

function isSession(value: unknown): value is Session {
  const v = value as Partial<Session> | null;
  return !!v && typeof v.token === "string" && typeof v.userId === "string" && typeof v.expiresAt === "number";
}

export function newTraceId(now: () => number = Date.now): string {
  return `${now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function createMiniaskClient(options: MiniaskOptions) {
  const found = options.wx ?? (globalThis as { wx?: WxLike }).wx;
  if (!found) throw new Error("miniask: no wx API (pass options.wx)");
  const wxApi: WxLike = found;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginSeconds ?? 60;
  const storageKey = options.storageKey ?? "miniask.session";
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const loginUrl = options.urls?.login ?? `${base}/v1/mini/login`;
  const askUrl = (intent: string) => options.urls?.ask?.[intent] ?? `${base}/v1/mini/ask`;

  let session: Session | undefined;
  const stored = wxApi.getStorageSync?.(storageKey);
  if (isSession(stored)) session = stored;
  let loggingIn: Promise<Session> | undefined;

  const post = (url: string, body: unknown, header: Record<string, string>) =>
    new Promise<WxRequestSuccess>((resolve, reject) =>
      wxApi.request({
        url,
        method: "POST",
        header: { "content-type": "application/json", ...header },
        data: JSON.stringify(body),
        dataType: "json",
        timeout: options.timeoutMs ?? 15_000,
        success: resolve,
        fail: (err) => reject(new MiniaskError("network_error", err.errMsg, header["x-trace-id"] ?? "", 0)),
      }),
    );

  const errorOf = (res: WxRequestSuccess, fallbackTrace: string): MiniaskError => {
    const body = res.data as { error?: { code?: string; message?: string }; traceId?: string } | null;
    return new MiniaskError(body?.error?.code ?? "http_error", body?.error?.message ?? `HTTP ${res.statusCode}`, body?.traceId ?? fallbackTrace, res.statusCode);
  };

  const wxCode = () =>
    new Promise<string>((resolve, reject) =>
      wxApi.login({ success: (res) => resolve(res.code), fail: (err) => reject(new MiniaskError("wx_login_failed", err.errMsg, "", 0)) }),
    );

  /** Logs in once even when several calls need a token at the same time. */
  function login(): Promise<Session> {
    if (loggingIn) return loggingIn;
    const pending = (async () => {
      const traceId = newTraceId(now);
      const res = await post(loginUrl, { code: await wxCode() }, { "x-trace-id": traceId });
      if (res.statusCode !== 200 || !isSession(res.data)) throw errorOf(res, traceId);
      const fresh = { token: res.data.token, userId: res.data.userId, expiresAt: res.data.expiresAt };
      session = fresh;
      wxApi.setStorageSync?.(storageKey, fresh);
      return fresh;
    })();
    loggingIn = pending;
    // Promise.prototype.finally is missing on older base libraries.
    const clear = () => {
      loggingIn = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  async function currentSession(): Promise<Session> {
    if (session && session.expiresAt - margin > now() / 1000) return session;
    return login();
  }

  async function ask<A = unknown>(intent: string, input: Record<string, unknown>, askOptions: AskOptions = {}): Promise<AskResult<A>> {
    const traceId = askOptions.traceId ?? newTraceId(now);
    const send = async (s: Session) =>
      post(askUrl(intent), { intent, userId: s.userId, traceId, input, ...(askOptions.context ? { context: askOptions.context } : {}), ...(askOptions.profile ? { profile: askOptions.profile } : {}) }, {
        authorization: `Bearer ${s.token}`,
        "x-trace-id": traceId,
      });
    let res = await send(await currentSession());
    if (res.statusCode === 401) {
      // A token the server no longer accepts (rotated key, clock): log in again, once.
      session = undefined;
      res = await send(await login());
    }
    if (res.statusCode !== 200) throw errorOf(res, traceId);
    return res.data as AskResult<A>;
  }

  /**
   * The answer as server-sent events: onDelta gets text as it arrives, the promise resolves
   * with the `done` event (the shaped answer). Uses wx.request's enableChunked transport.
   */
  async function askStream<A = unknown>(intent: string, input: Record<string, unknown>, streamOptions: StreamOptions = {}): Promise<AskResult<A>> {
    const traceId = streamOptions.traceId ?? newTraceId(now);
    const body = (s: Session) => ({
      intent,
      userId: s.userId,
      traceId,
      input,
      stream: true,
      ...(streamOptions.context ? { context: streamOptions.context } : {}),
      ...(streamOptions.profile ? { profile: streamOptions.profile } : {}),
    });
    const once = (s: Session) =>
      new Promise<{ status: number; result?: AskResult<A>; error?: MiniaskError }>((resolve) => {
        let result: AskResult<A> | undefined;
        let streamError: MiniaskError | undefined;
        const raw: Uint8Array[] = [];
        const parser = createSseParser((event) => {
          const data = JSON.parse(event.data) as Record<string, unknown>;
          if (event.event === "delta") streamOptions.onDelta?.(String(data.text ?? ""));
          else if (event.event === "done") result = data as unknown as AskResult<A>;
          else if (event.event === "error") {
            const e = (data.error ?? {}) as { code?: string; message?: string };
            streamError = new MiniaskError(e.code ?? "stream_error", e.message ?? "stream failed", String(data.traceId ?? traceId), 502);
          }
        });
        const task = wxApi.request({
          url: askUrl(intent),
          method: "POST",
          header: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${s.token}`, "x-trace-id": traceId },
          data: JSON.stringify(body(s)),
          responseType: "arraybuffer",
          enableChunked: true,
          timeout: options.timeoutMs ?? 60_000,
          success: (res) => {
            if (res.statusCode !== 200) {
              // Not a stream: a JSON error body, delivered in chunks like any other.
              const decoder = createUtf8Decoder();
              const text = raw.map((c) => decoder.decode(c)).join("") + decoder.decode(new Uint8Array(0), true);
              let parsed: unknown = null;
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = null;
              }
              resolve({ status: res.statusCode, error: errorOf({ ...res, data: parsed }, traceId) });
              return;
            }
            parser.end();
            resolve(result ? { status: 200, result } : { status: 200, error: streamError ?? new MiniaskError("stream_incomplete", "the stream ended without an answer", traceId, 502) });
          },
          fail: (err) => resolve({ status: 0, error: new MiniaskError("network_error", err.errMsg, traceId, 0) }),
        });
        task.onChunkReceived((chunk) => {
          const bytes = new Uint8Array(chunk.data);
          raw.push(bytes);
          parser.push(bytes);
        });
      });
    let outcome = await once(await currentSession());
    if (outcome.status === 401) {
      session = undefined;
      outcome = await once(await login());
    }
    if (outcome.result) return outcome.result;
    throw outcome.error ?? new MiniaskError("stream_error", "stream failed", traceId, outcome.status);
  }

  let flagsCache: { flags: Flags; fetchedAt: number } | undefined;
  const flagsUrl = options.urls?.flags ?? `${base || (options.urls?.login ?? "").replace(/\/v1\/mini\/login$/, "")}/v1/mini/flags`;

  /** The remote flags, fetched at most once a minute; a new configHash means they changed. */
  async function flags(): Promise<Flags> {
    if (flagsCache && now() - flagsCache.fetchedAt < 60_000) return flagsCache.flags;
    const traceId = newTraceId(now);
    const get = (s: Session) =>
      new Promise<WxRequestSuccess>((resolve, reject) =>
        wxApi.request({
          url: flagsUrl,
          method: "GET",
          header: { authorization: `Bearer ${s.token}`, "x-trace-id": traceId },
          dataType: "json",
          success: resolve,
          fail: (err) => reject(new MiniaskError("network_error", err.errMsg, traceId, 0)),
        }),
      );
    let res = await get(await currentSession());
    if (res.statusCode === 401) {
      session = undefined;
      res = await get(await login());
    }
    if (res.statusCode !== 200) throw errorOf(res, traceId);
    flagsCache = { flags: res.data as Flags, fetchedAt: now() };
    return flagsCache.flags;
  }

  /**
   * What a page calls: streams when the flags say this intent streams and the page wants
   * deltas, asks in one piece otherwise. The server decides the profile either way.
   */
  async function answer<A = unknown>(intent: string, input: Record<string, unknown>, streamOptions: StreamOptions = {}): Promise<AskResult<A>> {
    const streaming = streamOptions.onDelta !== undefined && (await flags()).intents[intent]?.features.streaming === true;
    return streaming ? askStream<A>(intent, input, streamOptions) : ask<A>(intent, input, streamOptions);
  }

  return {
    ask,
    askStream,
    answer,
    flags,
    login,
    /** The signed-in userId, when there is a session. */
    userId: () => session?.userId,
  };
}

export type MiniaskClient = ReturnType<typeof createMiniaskClient>;
