import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/configError";
import { loadConfig } from "../lib/config/loadConfig";
import { missingKeyVariables, noProviderKeySet, resolveModelTargets } from "../lib/models/modelTargets";
import { readSettings } from "../lib/runtime/settings";
import { realConfigFiles } from "./support/harness";

const config = loadConfig(realConfigFiles());
const allKeys = { HUNYUAN_API_KEY: "hy-secret", DEEPSEEK_API_KEY: "ds-secret", DASHSCOPE_API_KEY: "qw-secret" };

describe("resolveModelTargets", () => {
  it("builds each alias's chain in order with the keys from the environment", () => {
    const targets = resolveModelTargets(config, "prod", allKeys);
    expect(targets.fast?.map((t) => [t.provider, t.model, t.baseUrl, t.apiKey, t.timeoutMs])).toEqual([
      ["hunyuan", "hunyuan-turbos-latest", "https://api.hunyuan.cloud.tencent.com/v1", "hy-secret", 3000],
      ["qwen", "qwen-turbo", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qw-secret", 3000],
    ]);
  });

  it("stops staging and prod when a key variable is unset, naming it", () => {
    const attempt = () => resolveModelTargets(config, "staging", { HUNYUAN_API_KEY: "x", DEEPSEEK_API_KEY: "y" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow("staging needs the environment variable DASHSCOPE_API_KEY (a provider key)");
    expect(missingKeyVariables(config, "prod", {})).toEqual(["HUNYUAN_API_KEY", "DASHSCOPE_API_KEY", "DEEPSEEK_API_KEY"]);
  });

  it("knows when no key the environment needs is set (npm start then uses the local stand-in)", () => {
    expect(noProviderKeySet(config, "dev", {})).toBe(true);
    expect(noProviderKeySet(config, "dev", { DEEPSEEK_API_KEY: "ds" })).toBe(false);
    expect(noProviderKeySet(config, "dev", { UNRELATED_KEY: "x" })).toBe(true);
  });

  it("in dev, skips providers without keys and keeps the rest of the chain", () => {
    const targets = resolveModelTargets(config, "dev", { DEEPSEEK_API_KEY: "ds" });
    expect(targets.fast?.map((t) => t.provider)).toEqual(["deepseek"]);
    expect(targets.strong?.map((t) => t.provider)).toEqual(["deepseek"]);
  });

  it("points every provider at MINIASK_UPSTREAM_URL when set, with its key, even in prod without keys", () => {
    const targets = resolveModelTargets(config, "prod", {}, { baseUrl: "http://127.0.0.1:9999/v1", apiKey: "gw-key" });
    for (const chain of Object.values(targets)) {
      for (const target of chain) expect(target).toMatchObject({ baseUrl: "http://127.0.0.1:9999/v1", apiKey: "gw-key" });
    }
    expect(targets.strong?.map((t) => t.model)).toEqual(["deepseek-chat", "hunyuan-t1-latest"]);
  });
});

describe("readSettings", () => {
  it("defaults to dev on port 9000", () => {
    expect(readSettings({})).toEqual({ MINIASK_ENV: "dev", PORT: "9000", WECHAT_API_BASE: "https://api.weixin.qq.com", MINIASK_RATE_LIMITS: "on" });
  });

  it("treats empty variables as unset", () => {
    expect(readSettings({ MINIASK_ENV: "", MINIASK_UPSTREAM_URL: "" }).MINIASK_ENV).toBe("dev");
  });

  it("names a bad MINIASK_ENV and what it accepts", () => {
    expect(() => readSettings({ MINIASK_ENV: "production" })).toThrow('environment variable MINIASK_ENV: expected one of "dev", "staging", "prod", got "production"');
  });

  it("names a bad MINIASK_UPSTREAM_URL", () => {
    expect(() => readSettings({ MINIASK_UPSTREAM_URL: "localhost:8080" })).toThrow("environment variable MINIASK_UPSTREAM_URL: expected an http(s) URL");
  });
});
