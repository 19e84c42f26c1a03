// A password or key inside a URL setting (MINIASK_UPSTREAM_URL, MINIASK_STORE, WECHAT_API_BASE)
// is never printed: the start-up lines, the `listening` line and start-up errors all go through
// one helper, maskUrlCredentials.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import { INTENTS } from "../lib/intents/registry";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { maskUrlCredentials } from "../lib/secrets/maskUrl";
import { realConfigFiles } from "./support/harness";

describe("maskUrlCredentials", () => {
  it.each([
    ["http://user:p4ss@host:8080/v1", "http://user:***@host:8080/v1"],
    ["redis://:redis-pw@10.0.0.5:6379/0", "redis://:***@10.0.0.5:6379/0"],
    ["https://TOKEN123@gateway.example/v1", "https://***@gateway.example/v1"],
    ["https://api.example/v1?key=k1&model=x", "https://api.example/v1?key=***&model=x"],
    ["https://api.example/v1?model=x&api_key=k2#frag", "https://api.example/v1?model=x&api_key=***#frag"],
    ["https://api.example/cgi?ACCESS_TOKEN=k3&token=k4", "https://api.example/cgi?ACCESS_TOKEN=***&token=***"],
    ["https://api.example/v1?apikey=k5&signature=k6&password=k7", "https://api.example/v1?apikey=***&signature=***&password=***"],
    ["upstream at http://a:b@h/v1 and store redis://:c@h:6379", "upstream at http://a:***@h/v1 and store redis://:***@h:6379"],
    [
      "https://h/v1?api-key=a&x-api-key=b&auth=c&secret=d&client_secret=e&pass=f&pwd=g&sig=h&sign=i;key=j",
      "https://h/v1?api-key=***&x-api-key=***&auth=***&secret=***&client_secret=***&pass=***&pwd=***&sig=***&sign=***;key=***",
    ],
  ])("%s -> %s", (input, masked) => {
    expect(maskUrlCredentials(input)).toBe(masked);
  });

  it("leaves URLs without credentials (and other text) as they are", () => {
    for (const text of ["http://127.0.0.1:8080/v1", "https://api.weixin.qq.com", "https://x.example/v1?model=a&monkey=b", "user@example.com wrote"]) {
      expect(maskUrlCredentials(text)).toBe(text);
    }
  });
});

describe("start-up lines", () => {
  it("name the upstream and WeChat's base URL without their credentials", () => {
    const built = createProcessApp({
      processEnv: {
        MINIASK_ENV: "dev",
        MINIASK_UPSTREAM_URL: "http://relay:upstream-pass-1@127.0.0.1:9/v1",
        WECHAT_APPID: "wx0123456789abcdef",
        WECHAT_SECRET: "wechat-app-secret-0123456789abcdef",
        WECHAT_API_BASE: "https://wx-proxy.example/?access_token=wx-proxy-token-2",
      },
      config: loadConfig(realConfigFiles()),
      intents: INTENTS,
      serveLogin: true,
      logWrite: () => undefined,
    });
    const notes = built.startupNotes.join("\n");
    expect(notes).toContain("MINIASK_UPSTREAM_URL=http://relay:***@127.0.0.1:9/v1");
    expect(notes).toContain("via https://wx-proxy.example/?access_token=***");
    expect(notes).not.toContain("upstream-pass-1");
    expect(notes).not.toContain("wx-proxy-token-2");
  });
});
