// A `wx` stand-in for tests: login() hands out WeChat codes the fake WeChat server knows, and
// request() goes over real HTTP to the server under test.
import type { WxLike, WxRequestOptions } from "../../miniprogram/src/wx";

export interface WxStandIn extends WxLike {
  loginCalls: number;
  requests: WxRequestOptions[];
  storage: Map<string, unknown>;
}

export function wxStandIn(codeFor: () => string = () => "ok-openid-client"): WxStandIn {
  const storage = new Map<string, unknown>();
  const requests: WxRequestOptions[] = [];
  const stand: WxStandIn = {
    loginCalls: 0,
    requests,
    storage,
    login(options) {
      stand.loginCalls++;
      setTimeout(() => options.success?.({ code: codeFor() }), 0);
    },
    request(options) {
      requests.push(options);
      fetch(options.url, { method: options.method, headers: options.header, ...(options.data === undefined ? {} : { body: options.data }) })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // wx leaves non-JSON as a string
          }
          options.success?.({ statusCode: res.status, data, header: Object.fromEntries(res.headers.entries()) });
        })
        .catch((err: Error) => options.fail?.({ errMsg: `request:fail ${err.message}` }));
      return {};
    },
    getStorageSync: (key) => storage.get(key) ?? "",
    setStorageSync: (key, value) => void storage.set(key, value),
  };
  return stand;
}
