// A `wx` stand-in for tests: login() hands out WeChat codes the fake WeChat server knows, and
// request() goes over real HTTP to the server under test. With enableChunked, the response body
// reaches onChunkReceived as it arrives, optionally re-cut into pieces of `chunkBytes`.
import type { WxLike, WxRequestOptions } from "../../miniprogram/src/wx";

export interface WxStandIn extends WxLike {
  loginCalls: number;
  requests: WxRequestOptions[];
  storage: Map<string, unknown>;
}

export function wxStandIn(codeFor: () => string = () => "ok-openid-client", options: { chunkBytes?: number } = {}): WxStandIn {
  const storage = new Map<string, unknown>();
  const requests: WxRequestOptions[] = [];
  const stand: WxStandIn = {
    loginCalls: 0,
    requests,
    storage,
    login(loginOptions) {
      stand.loginCalls++;
      setTimeout(() => loginOptions.success?.({ code: codeFor() }), 0);
    },
    request(requestOptions) {
      requests.push(requestOptions);
      const listeners: ((res: { data: ArrayBuffer }) => void)[] = [];
      const controller = new AbortController();
      void (async () => {
        try {
          const res = await fetch(requestOptions.url, {
            method: requestOptions.method,
            headers: requestOptions.header,
            signal: controller.signal,
            ...(requestOptions.data === undefined ? {} : { body: requestOptions.data }),
          });
          const header = Object.fromEntries(res.headers.entries());
          if (requestOptions.enableChunked && res.body) {
            const reader = res.body.getReader();
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              const size = options.chunkBytes ?? value.length;
              for (let at = 0; at < value.length; at += size) {
                const piece = value.slice(at, at + size);
                for (const listener of listeners) listener({ data: piece.buffer });
              }
            }
            requestOptions.success?.({ statusCode: res.status, data: new ArrayBuffer(0), header });
            return;
          }
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // wx leaves non-JSON as a string
          }
          requestOptions.success?.({ statusCode: res.status, data, header });
        } catch (err) {
          requestOptions.fail?.({ errMsg: `request:fail ${(err as Error).message}` });
        }
      })();
      return { onChunkReceived: (listener) => void listeners.push(listener), abort: () => controller.abort() };
    },
    getStorageSync: (key) => storage.get(key) ?? "",
    setStorageSync: (key, value) => void storage.set(key, value),
  };
  return stand;
}
