import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as z from "zod/mini";
import { ConfigError } from "../lib/config/configError";
import { type RawConfigFiles, auditReplayTtlSeconds, environmentOf, loadConfig } from "../lib/config/loadConfig";
import { readConfigFiles } from "../lib/config/readConfigFiles";
import { envPolicyFileSchema, profilesFileSchema } from "../lib/config/schema";
import { REPO_ROOT, realConfigFiles } from "./support/harness";

type Json = Record<string, any>;

/** The real files, changed by `edit`, then loaded: returns the problems it reports. */
function problemsAfter(edit: (files: { profiles: Json; envPolicy: Json; models: Json }) => void): string[] {
  const files = structuredClone(realConfigFiles()) as { profiles: Json; envPolicy: Json; models: Json };
  edit(files);
  try {
    loadConfig(files as RawConfigFiles);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

const ARTICLE_PROFILES = `# mini-program-profiles.yaml
profiles:
  summarize_v1:
    model: fast
    system_prompt: |
      You are a concise assistant.
      Return bullet points only.
    max_tokens: 400

  support_v1:
    model: strong
    system_prompt: |
      You are a helpful support engineer.
      Ask one clarifying question when needed.
    max_tokens: 800

routing:
  summarize: summarize_v1
  support: support_v1`;

const ARTICLE_ENV_POLICY = `# env-policy.yaml
environments:
  dev:
    allowed_profiles: ["summarize_v2", "support_v2"]
    log_level: "debug"
  prod:
    allowed_profiles: ["summarize_v1", "support_v1"]
    log_level: "info"`;

function linesInOrder(file: string, snippet: string): boolean {
  const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
  let at = 0;
  for (const wanted of snippet.split("\n").filter((l) => l.trim() !== "")) {
    while (at < lines.length && lines[at] !== wanted) at++;
    if (at === lines.length) return false;
    at++;
  }
  return true;
}

describe("loadConfig", () => {
  it("loads the shipped files and resolves each environment's routing", () => {
    const config = loadConfig(readConfigFiles(REPO_ROOT));
    expect(environmentOf(config, "dev").routing.summarize).toBe("summarize_v2");
    expect(environmentOf(config, "prod").routing.summarize).toBe("summarize_v1");
    expect(environmentOf(config, "prod").allowedProfiles).toEqual(["summarize_v1", "support_v1", "recommend_v1", "extract_v1"]);
    expect(environmentOf(config, "prod").tokenTtlSeconds).toBe(15 * 60);
    expect(config.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("keeps the article's two YAML examples unchanged inside the shipped files, and parses them alone", () => {
    expect(linesInOrder("profiles/mini-program-profiles.yaml", ARTICLE_PROFILES)).toBe(true);
    expect(linesInOrder("profiles/env-policy.yaml", ARTICLE_ENV_POLICY)).toBe(true);
    expect(z.safeParse(profilesFileSchema, parse(ARTICLE_PROFILES)).success).toBe(true);
    expect(z.safeParse(envPolicyFileSchema, parse(ARTICLE_ENV_POLICY)).success).toBe(true);
  });

  it("hashes the same content the same way, and a changed prompt differently", () => {
    const a = loadConfig(realConfigFiles());
    const b = loadConfig(realConfigFiles());
    const changed = structuredClone(realConfigFiles()) as { profiles: Json };
    changed.profiles.profiles.summarize_v1.system_prompt = "Something else.";
    const c = loadConfig(changed as RawConfigFiles);
    expect(a.hash).toBe(b.hash);
    expect(c.hash).not.toBe(a.hash);
    expect(c.profiles.summarize_v1?.contentHash).not.toBe(a.profiles.summarize_v1?.contentHash);
    expect(c.profiles.support_v1?.contentHash).toBe(a.profiles.support_v1?.contentHash);
  });

  describe("names each mistake by file and key path", () => {
    it("a wrong type", () => {
      expect(problemsAfter((f) => (f.profiles.profiles.summarize_v1.max_tokens = "400"))).toContain(
        "profiles/mini-program-profiles.yaml: profiles.summarize_v1.max_tokens: expected number, got string",
      );
    });

    it("a misspelt key", () => {
      expect(problemsAfter((f) => (f.profiles.profiles.support_v1.max_token = 5))).toContain(
        'profiles/mini-program-profiles.yaml: profiles.support_v1: unknown key "max_token"',
      );
    });

    it("a routed profile that does not exist", () => {
      const problems = problemsAfter((f) => (f.profiles.routing.summarize = "summarize_v9"));
      expect(problems[0]).toMatch(/^profiles\/mini-program-profiles\.yaml: routing\.summarize: unknown profile "summarize_v9" \(known: summarize_v1, /);
    });

    it("a routed profile that serves another intent", () => {
      expect(problemsAfter((f) => (f.profiles.routing.summarize = "support_v1"))).toContain(
        'profiles/mini-program-profiles.yaml: routing.summarize: profile "support_v1" serves intent "support", not "summarize"',
      );
    });

    it("an intent with no route", () => {
      expect(problemsAfter((f) => delete f.profiles.routing.extract)).toContain('profiles/mini-program-profiles.yaml: routing: intent "extract" has no profile');
    });

    it("a model alias that does not exist", () => {
      expect(problemsAfter((f) => (f.profiles.profiles.summarize_v1.model = "fastest"))).toContain(
        'profiles/mini-program-profiles.yaml: profiles.summarize_v1.model: unknown model alias "fastest" (known: fast, strong) in profiles/models.yaml',
      );
    });

    it("an allowed profile that does not exist", () => {
      expect(problemsAfter((f) => f.envPolicy.environments.prod.allowed_profiles.push("summarize_v3"))).toContain(
        'profiles/env-policy.yaml: environments.prod.allowed_profiles[2]: unknown profile "summarize_v3" (known: summarize_v1, support_v1, summarize_v2, support_v2, recommend_v1, extract_v1)',
      );
    });

    it("an environment that cannot serve an intent", () => {
      const problems = problemsAfter((f) => delete f.envPolicy.environments.dev.routing);
      expect(problems).toContain(
        'profiles/env-policy.yaml: environments.dev: cannot serve intent "summarize": it routes to "summarize_v1", which dev does not allow (allowed: summarize_v2, support_v2, recommend_v1, extract_v1); allow it or add environments.dev.routing.summarize',
      );
    });

    it("an environment routing override to the wrong intent", () => {
      expect(problemsAfter((f) => (f.envPolicy.environments.dev.routing.support = "summarize_v2"))).toContain(
        'profiles/env-policy.yaml: environments.dev.routing.support: profile "summarize_v2" serves intent "summarize", not "support"',
      );
    });

    it("a chain entry naming an unknown provider, and a bad log level", () => {
      const problems = problemsAfter((f) => {
        f.models.aliases.fast.prod[1].provider = "openia";
        f.envPolicy.environments.staging.log_level = "verbose";
      });
      expect(problems).toContain('profiles/env-policy.yaml: environments.staging.log_level: expected one of "debug", "info", "warn", "error", got "verbose"');
      // Schema errors stop before cross-checks; fix the log level to see the next one.
      expect(problemsAfter((f) => (f.models.aliases.fast.prod[1].provider = "openia"))).toContain(
        'profiles/models.yaml: aliases.fast.prod[1].provider: unknown provider "openia" (known: hunyuan, deepseek, qwen)',
      );
    });

    it("an alias with no chain for an environment that uses it", () => {
      expect(problemsAfter((f) => delete f.models.aliases.strong.staging)).toContain(
        'profiles/models.yaml: aliases.strong.staging: missing, but profile "support_v1" (allowed in staging) uses alias "strong"',
      );
    });

    it("a key in the models file that is not a variable name", () => {
      expect(problemsAfter((f) => (f.models.providers.qwen.key_env = "sk-abc123"))).toContain(
        "profiles/models.yaml: providers.qwen.key_env: expected an environment variable name",
      );
    });

    it("several mistakes at once, all reported", () => {
      const problems = problemsAfter((f) => {
        f.profiles.routing.recommend = "nope_v1";
        f.envPolicy.environments.prod.allowed_profiles = ["summarize_v1"];
      });
      expect(problems.length).toBeGreaterThanOrEqual(2);
      expect(problems.some((p) => p.startsWith("profiles/mini-program-profiles.yaml: routing.recommend"))).toBe(true);
      expect(problems.some((p) => p.startsWith('profiles/env-policy.yaml: environments.prod: cannot serve intent "support"'))).toBe(true);
    });
  });

  it("refuses an environment the policy does not define", () => {
    const files = structuredClone(realConfigFiles()) as { envPolicy: Json };
    delete files.envPolicy.environments.staging;
    const config = loadConfig(files as RawConfigFiles);
    expect(() => environmentOf(config, "staging")).toThrow("profiles/env-policy.yaml: environments.staging: not defined, but MINIASK_ENV=staging");
  });

  it("reports unreadable YAML with the file name", () => {
    expect(() => readConfigFiles("/nonexistent")).toThrow("profiles/mini-program-profiles.yaml: cannot be read (ENOENT)");
  });

  it("refuses a redaction pattern that could backtrack badly, by file and key path", () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: Record<string, any> };
    files.envPolicy.environments.staging.logging.redact_patterns = [{ name: "greedy", pattern: "(a+)+b" }];
    let problems: readonly string[] = [];
    try {
      loadConfig(files);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^profiles\/env-policy\.yaml: environments\.staging\.logging\.redact_patterns\[0\]\.pattern: expected a linear-time pattern: /)]);
  });
  describe("audit.replay_days: how long Redis keeps a record for replay (the trail itself is CLS's)", () => {
    it("ships 1 day in dev, 2 in staging, 3 in prod, and gives the store's audit TTL in seconds", () => {
      const config = loadConfig(realConfigFiles());
      expect((["dev", "staging", "prod"] as const).map((env) => environmentOf(config, env).audit.replay_days)).toEqual([1, 2, 3]);
      expect(auditReplayTtlSeconds(environmentOf(config, "prod"))).toBe(3 * 86_400);
    });

    it("defaults to 1 day when an environment leaves it out", () => {
      const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: Json };
      delete files.envPolicy.environments.staging.audit.replay_days;
      expect(environmentOf(loadConfig(files), "staging").audit.replay_days).toBe(1);
    });

    it("refuses 0, 4 and a fraction by file and key path", () => {
      for (const days of [0, 4]) {
        expect(problemsAfter((f) => (f.envPolicy.environments.prod.audit.replay_days = days))).toEqual([expect.stringMatching(/^profiles\/env-policy\.yaml: environments\.prod\.audit\.replay_days: expected a number at (least 1|most 3)$/)]);
      }
      expect(problemsAfter((f) => (f.envPolicy.environments.prod.audit.replay_days = 1.5))).toEqual([expect.stringMatching(/^profiles\/env-policy\.yaml: environments\.prod\.audit\.replay_days: /)]);
    });

    it("refuses a replay window longer than the retention", () => {
      expect(
        problemsAfter((f) => {
          f.envPolicy.environments.dev.audit.retention_days = 2;
          f.envPolicy.environments.dev.audit.replay_days = 3;
        }),
      ).toEqual(["profiles/env-policy.yaml: environments.dev.audit.replay_days: 3 days in Redis exceeds retention_days (2)"]);
    });

    it("refuses a log level that would drop the audit line", () => {
      expect(problemsAfter((f) => (f.envPolicy.environments.prod.log_level = "warn"))).toEqual(['profiles/env-policy.yaml: environments.prod.log_level: "warn" would drop the per-request audit line (level info); use info or debug']);
    });
  });
});
