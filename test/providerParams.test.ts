// Per-provider request parameters in models.yaml: checked at load against what each provider's
// API documents, merged per chain entry, and kept to that provider's targets.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/configError";
import { type RawConfigFiles, loadConfig } from "../lib/config/loadConfig";
import { paramProblems } from "../lib/config/providerParams";
import { resolveModelTargets } from "../lib/models/modelTargets";
import { realConfigFiles } from "./support/harness";

type Json = Record<string, any>;
const KEYS = { HUNYUAN_API_KEY: "sk-h", DEEPSEEK_API_KEY: "sk-d", DASHSCOPE_API_KEY: "sk-q" };

function problemsOf(edit: (models: Json) => void): string[] {
  const files = structuredClone(realConfigFiles()) as RawConfigFiles & { models: Json };
  edit(files.models);
  try {
    loadConfig(files);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  return [];
}

describe("paramProblems", () => {
  it("knows each API's own names and types, and nothing else", () => {
    expect(paramProblems("hunyuan", { enable_enhancement: true, citation: false, stream_moderation: true })).toEqual([]);
    expect(paramProblems("dashscope", { enable_thinking: false, thinking_budget: 512, enable_search: true })).toEqual([]);
    expect(paramProblems("hunyuan", { enable_enhancment: true })).toEqual(["enable_enhancment: not a parameter hunyuan documents"]);
    expect(paramProblems("dashscope", { enable_thinking: "no" })).toEqual(["enable_thinking: expected true or false"]);
    expect(paramProblems("dashscope", { thinking_budget: 0 })).toEqual(["thinking_budget: expected at least 1"]);
    expect(paramProblems("dashscope", { thinking_budget: 1.5 })).toEqual(["thinking_budget: expected a whole number of tokens"]);
    expect(paramProblems("deepseek", { enable_thinking: false })).toEqual(["enable_thinking: not a parameter deepseek documents"]);
    expect(paramProblems("openai", { model: "gpt" })).toEqual(["model: not a parameter openai documents"]);
  });
});

describe("models.yaml params", () => {
  it("the shipped file loads, each provider naming its API", () => {
    const config = loadConfig(realConfigFiles());
    expect(config.providers.hunyuan).toMatchObject({ api: "hunyuan", params: { enable_enhancement: false } });
    expect(config.providers.qwen).toMatchObject({ api: "dashscope", params: { enable_thinking: false } });
    expect(config.providers.deepseek).toMatchObject({ api: "deepseek" });
  });

  it("a misspelt or mistyped parameter stops the load, naming where", () => {
    const problems = problemsOf((m) => {
      m.providers.hunyuan.params = { enable_enhancment: true };
      m.aliases.fast.staging[1].params = { enable_thinking: "off" };
      m.aliases.strong.prod[0].params = { enable_thinking: false };
    });
    expect(problems).toEqual([
      "profiles/models.yaml: providers.hunyuan.params.enable_enhancment: not a parameter hunyuan documents",
      "profiles/models.yaml: aliases.fast.staging[1].params.enable_thinking: expected true or false",
      "profiles/models.yaml: aliases.strong.prod[0].params.enable_thinking: not a parameter deepseek documents",
    ]);
  });

  it("a provider without `api` takes OpenAI's fields only", () => {
    const problems = problemsOf((m) => {
      m.providers.other = { base_url: "https://llm.example.com/v1", key_env: "OTHER_KEY", params: { top_k: 5 } };
    });
    expect(problems).toEqual(["profiles/models.yaml: providers.other.params.top_k: not a parameter openai documents"]);
  });

  it("each target carries its provider's parameters under its entry's, and only its own; the override carries none", () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { models: Json };
    files.models.aliases.fast.staging[1].params = { enable_search: true };
    const config = loadConfig(files);
    const staging = resolveModelTargets(config, "staging", KEYS);
    const [hunyuan, qwen] = staging.fast!;
    expect(hunyuan).toMatchObject({ provider: "hunyuan", params: { enable_enhancement: false } });
    expect(qwen).toMatchObject({ provider: "qwen", params: { enable_thinking: false, enable_search: true } });
    const deepseek = staging.strong!.find((t) => t.provider === "deepseek")!;
    expect(deepseek.params).toBeUndefined();
    const overridden = resolveModelTargets(config, "staging", KEYS, { baseUrl: "http://127.0.0.1:1/v1" });
    expect(overridden.fast!.every((t) => t.params === undefined)).toBe(true);
  });
});
