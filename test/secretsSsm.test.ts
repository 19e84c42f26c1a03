// Secrets named as `ssm:<name>` are read from SSM (here its double, test/support/fakeSsm.ts) with
// the role's temporary credentials, once at init; re-read after a failed use; never printed.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { ConfigError } from "../lib/config/configError";
import { loadConfig } from "../lib/config/loadConfig";
import { INTENTS } from "../lib/intents/registry";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { type LoadedSecrets, MIN_REFRESH_INTERVAL_MS, loadSecrets } from "../lib/secrets/loadSecrets";
import { keyVariableOf } from "../lib/secrets/providerKeys";
import { hasSecretRefs, secretRefsOf } from "../lib/secrets/secretRefs";
import { type SecretReadError, ssmSecretReader } from "../lib/secrets/ssmReader";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { type FakeSsm, startFakeSsm } from "./support/fakeSsm";
import { ARTICLE_TEXT, REPO_ROOT, realConfigFiles } from "./support/harness";
import { KEYLESS } from "./support/spawnServer";

const TOKEN_KEYS_V1 = "k1:ssm-token-secret-of-at-least-32-bytes-AAAAAAAA";
const TOKEN_KEYS_V2 = "k2:ssm-rotated-token-secret-at-least-32-bytes-BBBB,k1:ssm-token-secret-of-at-least-32-bytes-AAAAAAAA";
const UPSTREAM_KEY_V1 = "sk-upstream-from-ssm-111111111111";
const UPSTREAM_KEY_V2 = "sk-upstream-rotated-222222222222";
const RELAY_PASSWORD = "relay-pass-777777";
const REGION = "ap-guangzhou";

const SECRETS = {
  "miniask-staging-token-keys": { SSM_Current: TOKEN_KEYS_V1 },
  "miniask-upstream-key": { SSM_Current: UPSTREAM_KEY_V1, v2: UPSTREAM_KEY_V2 },
  "miniask-not-for-this-role": { SSM_Current: "sk-forbidden-333333333333" },
};
const ALL_SECRET_TEXT = [TOKEN_KEYS_V1, ...TOKEN_KEYS_V2.split(",").map((k) => k.split(":")[1]!), UPSTREAM_KEY_V1, UPSTREAM_KEY_V2, "sk-forbidden-333333333333", RELAY_PASSWORD];

let ssm: FakeSsm;
let upstream: LocalUpstream;
const children: ChildProcess[] = [];

beforeAll(async () => {
  upstream = await startLocalUpstream();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await ssm?.close();
});

const newSsm = async () => {
  ssm = await startFakeSsm({ secrets: structuredClone(SECRETS), allowed: ["miniask-staging-token-keys", "miniask-upstream-key", "miniask-missing"] });
  return ssm;
};
/** What SCF gives a function with an execution role, and the double's address. */
const roleEnv = () => ({ ...ssm.credentials, TENCENTCLOUD_REGION: REGION, MINIASK_SSM_ENDPOINT: ssm.endpoint });
const errorOf = async (work: Promise<unknown>) => (await work.then(() => undefined, (err: unknown) => err)) as Error | undefined;

describe("ssm: references", () => {
  it("parse as name or name@version (SSM_Current by default) and refuse malformed names", () => {
    expect(hasSecretRefs({ A: "plain", U: undefined })).toBe(false);
    expect(hasSecretRefs({ A: "plain", B: "ssm:x" })).toBe(true);
    expect(secretRefsOf({ A: "ssm:token-keys", B: "ssm:upstream_key@v2", C: "plain", U: undefined })).toEqual([
      { variable: "A", secretName: "token-keys", versionId: "SSM_Current" },
      { variable: "B", secretName: "upstream_key", versionId: "v2" },
    ]);
    for (const bad of ["ssm:", "ssm:-lead", "ssm:has space", "ssm:name@", "ssm:name@.v", "ssm:name@v1 x", `ssm:${"n".repeat(129)}`, `ssm:name@${"v".repeat(65)}`]) {
      expect(() => secretRefsOf({ MINIASK_TOKEN_KEYS: bad })).toThrow(ConfigError);
    }
    expect(() => secretRefsOf({ MINIASK_TOKEN_KEYS: "ssm:bad name" })).toThrow("MINIASK_TOKEN_KEYS: expected ssm:<SecretName>");
  });
});

describe("loadSecrets with the SDK against the SSM double", () => {
  it("reads each ssm: variable once with the role's signed temporary credentials, and leaves plain ones alone", async () => {
    await newSsm();
    const env = { ...roleEnv(), MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key@v2", PLAIN: "as-is" };
    const secrets = await loadSecrets(env, await ssmSecretReader(env));
    expect(secrets.env.MINIASK_TOKEN_KEYS).toBe(TOKEN_KEYS_V1);
    expect(secrets.env.MINIASK_UPSTREAM_KEY).toBe(UPSTREAM_KEY_V2);
    expect(secrets.env.PLAIN).toBe("as-is");
    expect([...secrets.fromSsm].sort()).toEqual(["MINIASK_TOKEN_KEYS", "MINIASK_UPSTREAM_KEY"]);
    expect(ssm.calls.map((c) => [c.action, c.region, c.params, c.error])).toEqual(
      expect.arrayContaining([
        ["GetSecretValue", REGION, { SecretName: "miniask-staging-token-keys", VersionId: "SSM_Current" }, undefined],
        ["GetSecretValue", REGION, { SecretName: "miniask-upstream-key", VersionId: "v2" }, undefined],
      ]),
    );
    expect(ssm.calls).toHaveLength(2);
    expect(await secrets.refresh("PLAIN")).toBe(false);
    expect(ssm.calls).toHaveLength(2);
    ssm.failNext("InternalError");
    expect(await secrets.refresh("MINIASK_TOKEN_KEYS")).toBe(false); // no listener: still no rejection
    expect(secrets.env.MINIASK_TOKEN_KEYS).toBe(TOKEN_KEYS_V1);
  });

  it("decodes a binary secret, trims the text, and refuses an empty one naming it", async () => {
    await newSsm();
    ssm.put("miniask-upstream-key", "bin", `${UPSTREAM_KEY_V2}\n`, { binary: true });
    ssm.put("miniask-staging-token-keys", "empty", "");
    const env = { ...roleEnv(), MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key@bin" };
    expect((await loadSecrets(env, await ssmSecretReader(env))).env.MINIASK_UPSTREAM_KEY).toBe(UPSTREAM_KEY_V2);
    const empty = { ...roleEnv(), MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys@empty" };
    expect((await errorOf(loadSecrets(empty, await ssmSecretReader(empty))))?.message).toContain("MINIASK_TOKEN_KEYS: SSM secret miniask-staging-token-keys (version empty) is empty");
  });

  it("re-reads on demand: true when the value changed, once a minute at most, the old value kept when the read fails", async () => {
    await newSsm();
    let clock = 1_000_000;
    const failures: SecretReadError[] = [];
    const env = { ...roleEnv(), MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" };
    const secrets = await loadSecrets(env, await ssmSecretReader(env), { now: () => clock, onRefreshError: (err) => failures.push(err) });
    expect(await secrets.refresh("NOT_SSM")).toBe(false);
    // The first failed use after init re-reads at once (a key rotated right after start).
    expect(await secrets.refresh("MINIASK_UPSTREAM_KEY")).toBe(false);
    ssm.put("miniask-upstream-key", "SSM_Current", UPSTREAM_KEY_V2);
    expect(await secrets.refresh("MINIASK_UPSTREAM_KEY")).toBe(false); // within the minute: no call
    expect(secrets.env.MINIASK_UPSTREAM_KEY).toBe(UPSTREAM_KEY_V1);
    expect(ssm.calls).toHaveLength(2);
    clock += MIN_REFRESH_INTERVAL_MS;
    const [a, b] = await Promise.all([secrets.refresh("MINIASK_UPSTREAM_KEY"), secrets.refresh("MINIASK_UPSTREAM_KEY")]);
    expect([a, b]).toEqual([true, true]); // one read serves both
    expect(ssm.calls).toHaveLength(3);
    expect(secrets.env.MINIASK_UPSTREAM_KEY).toBe(UPSTREAM_KEY_V2);
    clock += MIN_REFRESH_INTERVAL_MS;
    env.TENCENTCLOUD_SESSIONTOKEN = "an-expired-token";
    expect(await secrets.refresh("MINIASK_UPSTREAM_KEY")).toBe(false);
    expect(secrets.env.MINIASK_UPSTREAM_KEY).toBe(UPSTREAM_KEY_V2);
    expect(failures.map((f) => [f.variable, f.code])).toEqual([["MINIASK_UPSTREAM_KEY", "AuthFailure.TokenFailure"]]);
    clock += MIN_REFRESH_INTERVAL_MS;
    delete (env as Record<string, string | undefined>).TENCENTCLOUD_SECRETID;
    expect(await secrets.refresh("MINIASK_UPSTREAM_KEY")).toBe(false);
    expect(failures[1]).toMatchObject({ variable: "MINIASK_UPSTREAM_KEY", code: "ReadFailed" });
    expect(failures[1]!.message).toContain("MINIASK_UPSTREAM_KEY: reading SSM secret miniask-upstream-key failed (environment variables TENCENTCLOUD_SECRETID: required");
  });

  it("says which variable a reader that fails on its own was reading, and only the error's name", async () => {
    const err = await errorOf(loadSecrets({ MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys" }, () => Promise.reject(new TypeError(`bad ${UPSTREAM_KEY_V1}`))));
    expect(err).toEqual(new ConfigError(["MINIASK_TOKEN_KEYS: reading SSM secret miniask-staging-token-keys failed (TypeError)"]));
    const odd = await errorOf(loadSecrets({ MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys" }, () => Promise.reject("a string")));
    expect(odd?.message).toContain("MINIASK_TOKEN_KEYS: reading SSM secret miniask-staging-token-keys failed (error)");
  });

  it("refuses to start, naming each variable and SSM's code, never a value", async () => {
    await newSsm();
    const env = { ...roleEnv(), MINIASK_TOKEN_KEYS: "ssm:miniask-missing", HUNYUAN_API_KEY: "ssm:miniask-not-for-this-role", MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key@v9" };
    const err = await errorOf(loadSecrets(env, await ssmSecretReader(env)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain("MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-missing (version SSM_Current) failed: ResourceNotFound");
    expect(err!.message).toContain("HUNYUAN_API_KEY: SSM GetSecretValue miniask-not-for-this-role (version SSM_Current) failed: UnauthorizedOperation");
    expect(err!.message).toContain("MINIASK_UPSTREAM_KEY: SSM GetSecretValue miniask-upstream-key (version v9) failed: ResourceNotFound");
    for (const text of ALL_SECRET_TEXT) expect(err!.message).not.toContain(text);

    const wrongKey = { ...env, TENCENTCLOUD_SECRETKEY: "not-the-role-key", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", HUNYUAN_API_KEY: "", MINIASK_UPSTREAM_KEY: "" };
    expect((await errorOf(loadSecrets(wrongKey, await ssmSecretReader(wrongKey))))?.message).toContain("failed: AuthFailure.SignatureFailure");
    const noToken = { ...wrongKey, TENCENTCLOUD_SECRETKEY: ssm.credentials.TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN: "" };
    expect((await errorOf(loadSecrets(noToken, await ssmSecretReader(noToken))))?.message).toContain("failed: AuthFailure.TokenFailure");
    expect(await errorOf(ssmSecretReader({ MINIASK_TOKEN_KEYS: "ssm:x", TENCENTCLOUD_REGION: REGION }))).toEqual(
      new ConfigError(["environment variables TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY: required to read ssm: secrets (SCF sets them for a function with an execution role; give the function one whose policy allows ssm:GetSecretValue)"]),
    );
    expect((await errorOf(ssmSecretReader({ ...ssm.credentials })))?.message).toContain("TENCENTCLOUD_REGION (or MINIASK_SSM_REGION)");
    // No answer at all (no route out, a closed port): said as RequestFailed with the cause.
    const unreachable = { ...roleEnv(), MINIASK_SSM_ENDPOINT: "http://127.0.0.1:1", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys" };
    expect((await errorOf(loadSecrets(unreachable, await ssmSecretReader(unreachable))))?.message).toMatch(/MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-staging-token-keys \(version SSM_Current\) failed: RequestFailed \(.*ECONNREFUSED/);
  });
});

describe("a process whose secrets come from SSM", () => {
  const body = { intent: "summarize", userId: "u_ssm", input: { text: ARTICLE_TEXT } };

  it("sends the re-read provider key from the next call on (the provider-401 path)", async () => {
    await newSsm();
    const env = { ...roleEnv(), MINIASK_ENV: "dev", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys" };
    const secrets: LoadedSecrets = await loadSecrets(env, await ssmSecretReader(env));
    const logs: string[] = [];
    const built = createProcessApp({ processEnv: secrets.env, config: loadConfig(realConfigFiles()), intents: INTENTS, secrets, logWrite: (line) => logs.push(line) });
    expect(built.startupNotes).toContain("secrets from SSM: MINIASK_TOKEN_KEYS, MINIASK_UPSTREAM_KEY");
    const server = createHttpServer(built.app.handle);
    const port = await listen(server, 0, "127.0.0.1");
    try {
      const token = (await issueAppToken(parseTokenKeys(TOKEN_KEYS_V1, "dev"), "dev", "u_ssm", 600)).token;
      // A new text each time: a cached answer would call no provider.
      const ask = (n: number) => fetch(`http://127.0.0.1:${port}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ ...body, input: { text: `${ARTICLE_TEXT} (${n})` } }) });
      expect((await ask(1)).status).toBe(200);
      expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY_V1}`);
      // The key is rotated in SSM; the provider refuses the old one: that request fails, and
      // the refusal itself has the key read again, so the next call carries the new one.
      ssm.put("miniask-upstream-key", "SSM_Current", UPSTREAM_KEY_V2);
      upstream.enqueue({ status: 401, errorMessage: "Incorrect API key provided" });
      expect((await ask(2)).status).toBe(502);
      await vi.waitFor(() => expect(ssm.calls.filter((c) => c.params.SecretName === "miniask-upstream-key").length).toBeGreaterThanOrEqual(2));
      expect((await ask(3)).status).toBe(200);
      expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY_V2}`);
      expect(logs.length).toBeGreaterThanOrEqual(2);
      for (const text of ALL_SECRET_TEXT) expect(logs.join("\n")).not.toContain(text);
    } finally {
      server.close();
    }
  });

  it("knows which variable each provider's key comes from", () => {
    const config = loadConfig(realConfigFiles());
    expect(keyVariableOf(config, { provider: "hunyuan" })).toBe("HUNYUAN_API_KEY");
    expect(keyVariableOf(config, { provider: "qwen" })).toBe("DASHSCOPE_API_KEY");
    expect(keyVariableOf(config, { provider: "hunyuan@override" })).toBe("MINIASK_UPSTREAM_KEY");
    expect(keyVariableOf(config, { provider: "nobody" })).toBeUndefined();
  });
});

/** functions/summarize as scf_bootstrap runs it: a web function; resolves with its `listening` line. */
function startFunction(env: Record<string, string>): Promise<{ output: () => string; port?: number; code?: number | null; listening?: Record<string, unknown> }> {
  const child = spawn(`${REPO_ROOT}node_modules/.bin/tsx`, ["functions/summarize/index.ts"], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, PORT: "0", ...env } });
  children.push(child);
  let output = "";
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.includes('"listening"'));
      if (line) {
        const listening = JSON.parse(line) as Record<string, unknown>;
        resolve({ output: () => output, port: Number(listening.port), listening });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ output: () => output, code }));
  });
}

describe("the built function entry with ssm: variables", () => {
  it("reads its secrets before listening, answers, follows a rotated token key, and prints no secret", async () => {
    await newSsm();
    const relayUrl = upstream.url.replace("http://", `http://relay-user:${RELAY_PASSWORD}@`);
    const fn = await startFunction({ ...roleEnv(), MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", MINIASK_UPSTREAM_URL: relayUrl, MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" });
    expect(fn.port).toBeGreaterThan(0);
    expect(ssm.calls.filter((c) => !c.error)).toHaveLength(2);
    expect(fn.listening?.notes).toEqual(expect.arrayContaining(["secrets from SSM: MINIASK_TOKEN_KEYS, MINIASK_UPSTREAM_KEY", expect.stringContaining("relay-user:***@127.0.0.1")]));
    expect(fn.listening?.secretsMs).toEqual(expect.any(Number));
    const ask = async (keys: string) => {
      const token = (await issueAppToken(parseTokenKeys(keys, "staging"), "staging", "u_ssm", 600)).token;
      return fetch(`http://127.0.0.1:${fn.port}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ intent: "summarize", userId: "u_ssm", input: { text: ARTICLE_TEXT } }) });
    };
    const first = await ask(TOKEN_KEYS_V1);
    expect(first.status).toBe(200);
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY_V1}`);
    // A new key put first in the secret: its tokens verify after one re-read.
    ssm.put("miniask-staging-token-keys", "SSM_Current", TOKEN_KEYS_V2);
    expect((await ask(TOKEN_KEYS_V2)).status).toBe(200);
    expect(ssm.calls.filter((c) => !c.error)).toHaveLength(3);
    // A token no key verifies: 401, and no second read within the minute.
    expect((await ask("k3:a-key-nobody-has-of-at-least-32-bytes-CCCCCC")).status).toBe(401);
    expect(ssm.calls).toHaveLength(3);
    const everything = fn.output() + JSON.stringify(ssm.calls.map((c) => c.error));
    for (const text of [...ALL_SECRET_TEXT, ssm.credentials.TENCENTCLOUD_SECRETKEY, ssm.credentials.TENCENTCLOUD_SESSIONTOKEN]) expect(everything).not.toContain(text);
  }, 30_000);

  it("as an event function, holds an event that arrives during init until its secrets are read, then answers it", async () => {
    await newSsm();
    const minted = (await issueAppToken(parseTokenKeys(TOKEN_KEYS_V1, "staging"), "staging", "u_event", 600)).token;
    const event = { httpMethod: "POST", path: "/v1/mini/ask", headers: { "content-type": "application/json", authorization: `Bearer ${minted}` }, body: JSON.stringify({ intent: "summarize", userId: "u_event", input: { text: `${ARTICLE_TEXT} (event)` } }), requestContext: { requestId: "r-1", sourceIp: "10.0.0.1" } };
    // Imported, not run as the entry: SCF's event runtime calls main_handler right away.
    const script = `import("./functions/summarize/index.ts").then(async (m) => { const res = await m.main_handler(${JSON.stringify(event)}, {}); console.log("RESULT " + res.statusCode); process.exit(0); });`;
    const child = spawn(`${REPO_ROOT}node_modules/.bin/tsx`, ["-e", script], { cwd: REPO_ROOT, env: { ...process.env, ...KEYLESS, ...roleEnv(), MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" } });
    children.push(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.on("exit", resolve));
    expect(output).toContain("RESULT 200");
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${UPSTREAM_KEY_V1}`);
    for (const text of ALL_SECRET_TEXT) expect(output).not.toContain(text);
  }, 30_000);

  it("says a failed re-read in a warning naming the variable and SSM's code, and keeps serving with the keys it has", async () => {
    await newSsm();
    const fn = await startFunction({ ...roleEnv(), MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: "ssm:miniask-staging-token-keys", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" });
    const ask = async (keys: string) => {
      const token = (await issueAppToken(parseTokenKeys(keys, "staging"), "staging", "u_ssm", 600)).token;
      return fetch(`http://127.0.0.1:${fn.port}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ intent: "summarize", userId: "u_ssm", input: { text: `${ARTICLE_TEXT} (warn)` } }) });
    };
    ssm.failNext("InternalError");
    expect((await ask(TOKEN_KEYS_V2)).status).toBe(401);
    expect((await ask(TOKEN_KEYS_V1)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const warning = fn.output().split("\n").find((l) => l.includes("secret re-read failed"));
    expect(JSON.parse(warning!)).toMatchObject({ level: "warn", function: "summarize", variable: "MINIASK_TOKEN_KEYS", code: "InternalError" });
    for (const text of ALL_SECRET_TEXT) expect(fn.output()).not.toContain(text);
  }, 30_000);

  it("does not start when a secret cannot be read: one line naming the variable and SSM's code, exit 1", async () => {
    await newSsm();
    const fn = await startFunction({ ...roleEnv(), MINIASK_ENV: "staging", MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: "ssm:miniask-missing", MINIASK_UPSTREAM_URL: upstream.url, MINIASK_UPSTREAM_KEY: "ssm:miniask-upstream-key" });
    expect(fn.code).toBe(1);
    expect(fn.output().match(/miniask summarize:/g)).toHaveLength(1);
    expect(fn.output()).toContain("MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-missing (version SSM_Current) failed: ResourceNotFound");
    expect(fn.output()).not.toMatch(/^\s+at /m);
    for (const text of ALL_SECRET_TEXT) expect(fn.output()).not.toContain(text);
  }, 30_000);
});
