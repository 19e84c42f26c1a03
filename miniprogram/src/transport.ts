// wx.request as a promise, and what this base library can do. A missing or throwing API becomes
// a MiniaskError with the call's traceId: an old base library must never surface a TypeError.
import { MiniaskError } from "./errors";
import { createUtf8Decoder } from "./sseParser";
import type { WxLike, WxRequestOptions, WxRequestSuccess, WxRequestTask } from "./wx";

/** Lets a caller stop what is in flight (askStream's `abort()`). */
export interface AbortScope {
  aborted?: MiniaskError;
  onAbort?: () => void;
}

export interface SentRequest {
  reply: Promise<WxRequestSuccess>;
  task: WxRequestTask | undefined;
}

export function missingApi(name: string, traceId: string): MiniaskError {
  return new MiniaskError("wx_unavailable", `${name} is not available in this base library`, traceId, 0);
}

export function sendRequest(wxApi: WxLike, options: Omit<WxRequestOptions, "success" | "fail">, traceId: string, scope?: AbortScope): SentRequest {
  let task: WxRequestTask | undefined;
  const reply = new Promise<WxRequestSuccess>((resolve, reject) => {
    if (scope?.aborted) return reject(scope.aborted);
    if (typeof wxApi.request !== "function") return reject(missingApi("wx.request", traceId));
    const request = wxApi.request;
    try {
      task = request.call(
        wxApi,
        Object.assign({}, options, {
          success: resolve,
          fail: (err: { errMsg?: string }) => reject(new MiniaskError("network_error", (err && err.errMsg) || "request:fail", traceId, 0)),
        }),
      ) || undefined;
    } catch (err) {
      return reject(new MiniaskError("network_error", `wx.request threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err }));
    }
    if (scope) {
      scope.onAbort = () => {
        if (task && typeof task.abort === "function") task.abort();
        if (scope.aborted) reject(scope.aborted);
      };
    }
  });
  return { reply, task };
}

/**
 * Chunked transfer needs `enableChunked` (base library 2.20.2) and RequestTask.onChunkReceived
 * (2.20.1), both answered by wx.canIUse (itself 1.1.1). Without them the body only comes whole.
 */
export function canStreamChunks(wxApi: WxLike): boolean {
  if (typeof wxApi.canIUse !== "function") return false;
  try {
    return wxApi.canIUse("request.object.enableChunked") === true && wxApi.canIUse("RequestTask.onChunkReceived") === true;
  } catch {
    return false;
  }
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // Not instanceof: an ArrayBuffer from another realm (the platform's) is still one.
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}

/** A reply body as bytes, whatever form wx gave it in. */
export function bytesOf(data: unknown): Uint8Array {
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  const text = typeof data === "string" ? data : data === undefined || data === null ? "" : JSON.stringify(data);
  const bytes: number[] = [];
  const encoded = unescape(encodeURIComponent(text));
  for (let i = 0; i < encoded.length; i++) bytes.push(encoded.charCodeAt(i));
  return new Uint8Array(bytes);
}

/** A reply body parsed as JSON when it is JSON; otherwise its text (or the object wx parsed). */
export function bodyOf(data: unknown): unknown {
  if (data !== null && typeof data === "object" && !isArrayBuffer(data) && !(data instanceof Uint8Array)) return data;
  const text = typeof data === "string" ? data : createUtf8Decoder().decode(bytesOf(data), true);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function joinBytes(chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const all = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}
