// A function that cannot start says why once, on stderr, and exits non-zero: no stack trace and
// no source line in the function's log.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

function run(args: string[], env: Record<string, string>) {
  return spawnSync(`${REPO_ROOT}node_modules/.bin/tsx`, args, { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, PORT: "0", ...env }, encoding: "utf8", timeout: 20_000 });
}

describe("functionEntry", () => {
  it("prints every start-up problem once and exits 1, without a stack", () => {
    const started = run(["functions/summarize/index.ts"], { MINIASK_ENV: "prod" });
    expect(started.status).toBe(1);
    expect(started.stderr.match(/miniask summarize:/g)).toHaveLength(1);
    expect(started.stderr).toContain("MINIASK_TOKEN_KEYS");
    expect(started.stderr).toContain("HUNYUAN_API_KEY");
    // A forgotten store variable stops a prod start too (every instance would count alone).
    expect(started.stderr).toContain("MINIASK_STORE: required in prod");
    // Prod checks content with WeChat: it needs the Mini Program's credentials.
    expect(started.stderr).toContain("WECHAT_APPID, WECHAT_SECRET: required in prod");
    expect(started.stderr).not.toMatch(/^\s+at /m);
    expect(started.stderr).not.toMatch(/\.ts:\d+|\.mjs:\d+|node:internal/);
    expect(started.stdout).toBe("");
  });

  it("starts prod on the in-memory store only when asked by name, and says so loudly", () => {
    const env = { MINIASK_ENV: "prod", MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: "k1:prod-secret-of-at-least-32-bytes-0123456789", MINIASK_UPSTREAM_URL: "http://127.0.0.1:9/v1", WECHAT_APPID: "wx0123456789abcdef", WECHAT_SECRET: "wechat-app-secret-0123456789abcdef" };
    // Imported, not run as the entry: it builds the app (and logs) without listening.
    const started = run(["-e", 'import("./functions/summarize/index.ts").then((m) => { console.log(typeof m.main_handler); setTimeout(() => process.exit(0), 50); });'], env);
    expect(started.status).toBe(0);
    expect(started.stdout).toContain("function");
    const warnings = started.stdout
      .split("\n")
      .filter((l) => l.includes("start-up warning"))
      .map((l) => JSON.parse(l) as { level: string; note: string });
    expect(warnings).toEqual([expect.objectContaining({ level: "warn", note: expect.stringContaining("MINIASK_STORE=memory in prod") })]);
  });

  it("takes MINIASK_STORE_TIMEOUT_MS over the env policy's store timeout", async () => {
    const { createProcessApp } = await import("../lib/runtime/createProcessApp");
    const { loadConfig } = await import("../lib/config/loadConfig");
    const { INTENTS } = await import("../lib/intents/registry");
    const { realConfigFiles } = await import("./support/harness");
    const build = (extra: Record<string, string>) => createProcessApp({ processEnv: { MINIASK_ENV: "dev", ...extra }, config: loadConfig(realConfigFiles()), intents: INTENTS, upstreamOverride: { baseUrl: "http://127.0.0.1:9/v1" } });
    expect(build({}).app.env.limits.store_timeout_ms).toBe(loadConfig(realConfigFiles()).environments.dev!.limits.store_timeout_ms);
    expect(build({ MINIASK_STORE_TIMEOUT_MS: "2000" }).app.env.limits.store_timeout_ms).toBe(2000);
    expect(() => build({ MINIASK_STORE_TIMEOUT_MS: "soon" })).toThrow("MINIASK_STORE_TIMEOUT_MS");
  });
});

