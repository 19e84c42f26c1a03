// A `wx` stand-in for tests, written from the base library's documentation and
// miniprogram-api-typings (lib.wx.api.d.ts), not from what the client sends:
// - wx.request: `data` (string sent as is; an object is JSON for POST, a query string for GET),
//   `dataType` json (the body is JSON.parse'd when it parses, else left a string),
//   `responseType` arraybuffer, `timeout` (default 60 s, then fail "request:fail timeout"),
//   success {data, statusCode, header, cookies, errMsg "request:ok"} / fail {errMsg, errno},
//   then complete. It returns a RequestTask: abort() (fail "request:fail abort"),
//   on/offHeadersReceived (2.1.0), on/offChunkReceived (2.20.1) with ArrayBuffer chunks when the
//   request set enableChunked (2.20.2). What success carries as `data` after a chunked body is
//   not documented: `chunkedData` picks an empty ArrayBuffer (default) or the whole body.
// - wx.canIUse (1.1.1): true for what the pretended base library has.
// - wx.login: an async success {code, errMsg "login:ok"}; codes come from `codeFor` and the
//   fake WeChat server (test/support/fakeWechat.ts) knows them.
// - Storage: set/get/remove/clearStorageSync; values kept as JSON copies (the docs allow only
//   what JSON.stringify keeps); a missing key reads as "".
// Every request goes over real HTTP to the server under test. `wxPageRelay` carries the same
// stand-in into a browser page (miniprogram-simulate runs there: it needs a DOM).
import type { Page } from "playwright-core";

/** Minimum base library of each API the stand-in knows (from the typings' 需要基础库 notes). */
export const SINCE: Record<string, string> = {
  canIUse: "1.1.1",
  "request.object.responseType": "1.7.0",
  "request.object.timeout": "2.10.0",
  "RequestTask.abort": "1.4.0",
  "RequestTask.onHeadersReceived": "2.1.0",
  "RequestTask.offHeadersReceived": "2.1.0",
  "RequestTask.onChunkReceived": "2.20.1",
  "RequestTask.offChunkReceived": "2.20.1",
  "request.object.enableChunked": "2.20.2",
  removeStorageSync: "1.0.0",
};

export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export interface RecordedWxRequest {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
  dataType?: string;
  responseType?: string;
  enableChunked?: boolean;
  timeout?: number;
}

export interface WxRequestOption extends RecordedWxRequest {
  success?: (res: { data: unknown; statusCode: number; header: Record<string, string>; cookies: string[]; errMsg: string }) => void;
  fail?: (err: { errMsg: string; errno: number }) => void;
  complete?: (res: unknown) => void;
}

type ChunkListener = (res: { data: ArrayBuffer }) => void;
type HeadersListener = (res: { header: Record<string, string>; statusCode: number; cookies: string[] }) => void;

export interface WxRequestTaskStandIn {
  abort(): void;
  onHeadersReceived?(listener: HeadersListener): void;
  offHeadersReceived?(listener?: HeadersListener): void;
  onChunkReceived?(listener: ChunkListener): void;
  offChunkReceived?(listener?: ChunkListener): void;
}

export interface WxStandInOptions {
  /** Re-cut each received piece of the body into chunks of at most this many bytes. */
  chunkBytes?: number;
  /** The base library to behave as: APIs newer than it are absent. Default 3.0.0. */
  baseLibrary?: string;
  /** success's `data` after a chunked body. */
  chunkedData?: "empty" | "whole";
}

export interface WxStandIn {
  loginCalls: number;
  requests: RecordedWxRequest[];
  storage: Map<string, unknown>;
  baseLibrary: string;
  canIUse?(schema: string): boolean;
  login(options: { timeout?: number; success?: (res: { code: string; errMsg: string }) => void; fail?: (err: { errMsg: string }) => void; complete?: (res: unknown) => void }): void;
  request(options: WxRequestOption): WxRequestTaskStandIn;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  clearStorageSync(): void;
}

function bodyOf(options: WxRequestOption, method: string): { url: string; body?: string | Uint8Array } {
  const data = options.data;
  if (data === undefined || data === null) return { url: options.url };
  if (method === "GET" && typeof data === "object" && !(data instanceof ArrayBuffer)) {
    const query = Object.entries(data as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return { url: `${options.url}${options.url.includes("?") ? "&" : "?"}${query.join("&")}` };
  }
  if (typeof data === "string") return { url: options.url, body: data };
  if (data instanceof ArrayBuffer) return { url: options.url, body: new Uint8Array(data) };
  return { url: options.url, body: JSON.stringify(data) };
}

function copyOf(data: unknown): unknown {
  return data === undefined ? undefined : JSON.parse(JSON.stringify(data));
}

export function wxStandIn(codeFor: () => string = () => "ok-openid-client", options: WxStandInOptions = {}): WxStandIn {
  const baseLibrary = options.baseLibrary ?? "3.0.0";
  const has = (schema: string) => versionAtLeast(baseLibrary, SINCE[schema] ?? "99.0.0");
  const storage = new Map<string, unknown>();
  const requests: RecordedWxRequest[] = [];

  function request(requestOptions: WxRequestOption): WxRequestTaskStandIn {
    const { success, fail, complete, ...recorded } = requestOptions;
    requests.push(recorded);
    const chunked = requestOptions.enableChunked === true && has("request.object.enableChunked");
    const chunkListeners = new Set<ChunkListener>();
    const headerListeners = new Set<HeadersListener>();
    const controller = new AbortController();
    let reason = "";
    const timeoutMs = has("request.object.timeout") ? (requestOptions.timeout ?? 60_000) : 60_000;
    const timer = setTimeout(() => {
      reason = "timeout";
      controller.abort();
    }, timeoutMs);
    const method = (requestOptions.method ?? "GET").toUpperCase();
    const target = bodyOf(requestOptions, method);
    void (async () => {
      let outcome: unknown;
      try {
        const res = await fetch(target.url, {
          method,
          headers: { "content-type": "application/json", ...requestOptions.header },
          signal: controller.signal,
          ...(target.body === undefined ? {} : { body: target.body }),
        });
        const header = Object.fromEntries(res.headers.entries());
        for (const listener of headerListeners) listener({ header, statusCode: res.status, cookies: [] });
        const pieces: Uint8Array[] = [];
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            pieces.push(value);
            if (!chunked) continue;
            const size = options.chunkBytes ?? value.length;
            for (let at = 0; at < value.length; at += size) {
              const piece = value.slice(at, at + size);
              for (const listener of chunkListeners) listener({ data: piece.buffer });
            }
          }
        }
        const whole = Buffer.concat(pieces);
        let data: unknown;
        if (chunked && options.chunkedData !== "whole") data = new ArrayBuffer(0);
        else if (requestOptions.responseType === "arraybuffer" && has("request.object.responseType")) data = new Uint8Array(whole).buffer;
        else {
          data = whole.toString("utf8");
          if ((requestOptions.dataType ?? "json") === "json") {
            try {
              data = JSON.parse(data as string);
            } catch {
              // a body that is not JSON stays a string
            }
          }
        }
        outcome = { data, statusCode: res.status, header, cookies: [], errMsg: "request:ok" };
        success?.(outcome as Parameters<NonNullable<WxRequestOption["success"]>>[0]);
      } catch (err) {
        outcome = { errMsg: `request:fail ${reason || (err as Error).message}`, errno: reason === "timeout" ? 5 : 600001 };
        fail?.(outcome as { errMsg: string; errno: number });
      } finally {
        clearTimeout(timer);
      }
      complete?.(outcome);
    })();
    const task: WxRequestTaskStandIn = {
      abort: () => {
        reason = "abort";
        controller.abort();
      },
    };
    if (has("RequestTask.onHeadersReceived")) {
      task.onHeadersReceived = (listener) => void headerListeners.add(listener);
      task.offHeadersReceived = (listener) => (listener ? void headerListeners.delete(listener) : headerListeners.clear());
    }
    if (has("RequestTask.onChunkReceived")) {
      task.onChunkReceived = (listener) => void chunkListeners.add(listener);
      task.offChunkReceived = (listener) => (listener ? void chunkListeners.delete(listener) : chunkListeners.clear());
    }
    return task;
  }

  const stand: WxStandIn = {
    loginCalls: 0,
    requests,
    storage,
    baseLibrary,
    login(loginOptions) {
      stand.loginCalls++;
      setTimeout(() => {
        const res = { code: codeFor(), errMsg: "login:ok" };
        loginOptions.success?.(res);
        loginOptions.complete?.(res);
      }, 0);
    },
    request,
    getStorageSync: (key) => (storage.has(key) ? copyOf(storage.get(key)) : ""),
    setStorageSync: (key, value) => void storage.set(key, copyOf(value)),
    removeStorageSync: (key) => void storage.delete(key),
    clearStorageSync: () => storage.clear(),
  };
  if (has("canIUse")) stand.canIUse = (schema) => has(schema);
  return stand;
}

/**
 * Puts a `wx` into a browser page whose storage and canIUse live in the page (they are
 * synchronous) and whose login and request run in `stand`, in Node, over real HTTP. Chunks
 * cross as byte arrays and become ArrayBuffers again in the page. Call before the page's scripts.
 */
export async function wxPageRelay(page: Page, stand: WxStandIn): Promise<void> {
  const tasks = new Map<number, WxRequestTaskStandIn>();
  await page.exposeFunction("__wxRelayLogin", () => new Promise<string>((resolve) => stand.login({ success: (res) => resolve(res.code) })));
  await page.exposeFunction("__wxRelayAbort", (id: number) => tasks.get(id)?.abort());
  await page.exposeFunction("__wxRelayRequest", (id: number, options: RecordedWxRequest) => {
    const deliver = (kind: string, payload: unknown) => void page.evaluate(([i, k, p]) => (globalThis as unknown as { __wxDeliver(i: unknown, k: unknown, p: unknown): void }).__wxDeliver(i, k, p), [id, kind, payload] as const).catch(() => undefined);
    const task = stand.request({
      ...options,
      success: (res) => deliver("success", { ...res, data: res.data instanceof ArrayBuffer ? { bytes: [...new Uint8Array(res.data)] } : res.data }),
      fail: (err) => deliver("fail", err),
    });
    tasks.set(id, task);
    task.onChunkReceived?.((res) => deliver("chunk", [...new Uint8Array(res.data)]));
    return { chunks: typeof task.onChunkReceived === "function" };
  });
  await page.addInitScript(
    ({ since, baseLibrary }) => {
      const atLeast = (version: string, minimum: string) => {
        const a = version.split(".").map(Number);
        const b = minimum.split(".").map(Number);
        for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
        return true;
      };
      const has = (schema: string) => atLeast(baseLibrary, since[schema] ?? "99.0.0");
      type Pending = { success?: (res: unknown) => void; fail?: (err: unknown) => void; complete?: (res: unknown) => void; chunks: Set<(res: { data: ArrayBuffer }) => void> };
      const pending = new Map<number, Pending>();
      const store = new Map<string, string>();
      let nextId = 1;
      const relay = globalThis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const deliver = (id: number, kind: string, payload: unknown) => {
        const p = pending.get(id);
        if (!p) return;
        if (kind === "chunk") {
          const data = new Uint8Array(payload as number[]).buffer;
          for (const listener of p.chunks) listener({ data });
          return;
        }
        pending.delete(id);
        const res = payload as { data?: unknown };
        if (kind === "success") {
          const data = res.data && typeof res.data === "object" && "bytes" in (res.data as object) ? new Uint8Array((res.data as { bytes: number[] }).bytes).buffer : res.data;
          const full = { ...res, data };
          p.success?.(full);
          p.complete?.(full);
        } else {
          p.fail?.(payload);
          p.complete?.(payload);
        }
      };
      (globalThis as unknown as { __wxDeliver: typeof deliver }).__wxDeliver = deliver;
      const wx: Record<string, unknown> = {
        login(options: { success?: (res: unknown) => void; complete?: (res: unknown) => void }) {
          void relay.__wxRelayLogin!().then((code) => {
            const res = { code, errMsg: "login:ok" };
            options.success?.(res);
            options.complete?.(res);
          });
        },
        request(options: Record<string, unknown> & { success?: (res: unknown) => void; fail?: (err: unknown) => void; complete?: (res: unknown) => void }) {
          const id = nextId++;
          const { success, fail, complete, ...plain } = options;
          const entry: Pending = { success, fail, complete, chunks: new Set() };
          pending.set(id, entry);
          void relay.__wxRelayRequest!(id, plain);
          const task: Record<string, unknown> = { abort: () => void relay.__wxRelayAbort!(id) };
          if (has("RequestTask.onChunkReceived")) {
            task.onChunkReceived = (listener: (res: { data: ArrayBuffer }) => void) => void entry.chunks.add(listener);
            task.offChunkReceived = (listener?: (res: { data: ArrayBuffer }) => void) => (listener ? void entry.chunks.delete(listener) : entry.chunks.clear());
          }
          return task;
        },
        getStorageSync: (key: string) => (store.has(key) ? JSON.parse(store.get(key)!) : ""),
        setStorageSync: (key: string, value: unknown) => void store.set(key, JSON.stringify(value)),
        removeStorageSync: (key: string) => void store.delete(key),
        clearStorageSync: () => store.clear(),
      };
      if (has("canIUse")) wx.canIUse = has;
      (globalThis as unknown as { __wxStandIn: unknown }).__wxStandIn = wx;
    },
    { since: SINCE, baseLibrary: stand.baseLibrary },
  );
}
