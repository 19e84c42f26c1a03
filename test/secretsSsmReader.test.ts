// The SSM reader's edges (lib/secrets/ssmReader.ts) and provider keys that follow a re-read
// (lib/secrets/providerKeys.ts), against the SSM double through the SDK.
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import type { ModelTargets } from "../lib/models/modelTargets";
import { followProviderKeys, providerKeyRefresher } from "../lib/secrets/providerKeys";
import { SecretReadError, ssmSecretReader } from "../lib/secrets/ssmReader";
import { type FakeSsm, startFakeSsm } from "./support/fakeSsm";
import { realConfigFiles } from "./support/harness";

let ssm: FakeSsm | undefined;
afterEach(async () => {
  await ssm?.close();
  ssm = undefined;
});

const REF = { variable: "MINIASK_TOKEN_KEYS", secretName: "miniask-token-keys", versionId: "SSM_Current" };
const failureOf = (work: Promise<unknown>) => work.then(() => undefined, (err: unknown) => err as SecretReadError);

describe("ssmSecretReader", () => {
  it("names each missing credential, and takes MINIASK_SSM_REGION over the function's region", async () => {
    ssm = await startFakeSsm({ secrets: { "miniask-token-keys": { SSM_Current: "k1:x" } } });
    const { TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN } = ssm.credentials;
    const base = { TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint };
    await expect(ssmSecretReader({ ...base, TENCENTCLOUD_SECRETKEY: "" })).rejects.toThrow(/environment variables TENCENTCLOUD_SECRETKEY: required/);
    await expect(ssmSecretReader({ ...base, TENCENTCLOUD_REGION: "" })).rejects.toThrow(/environment variables TENCENTCLOUD_REGION \(or MINIASK_SSM_REGION\): required/);
    const read = await ssmSecretReader({ ...base, MINIASK_SSM_REGION: "ap-shanghai" });
    expect(await read(REF)).toBe("k1:x");
    expect(ssm.calls.at(-1)?.region).toBe("ap-shanghai");
  });

  it("says SSM's code and RequestId, or RequestFailed with the cause (credentials of the endpoint masked)", async () => {
    ssm = await startFakeSsm();
    const env = { ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint };
    const missing = await failureOf((await ssmSecretReader(env))(REF));
    expect(missing).toBeInstanceOf(SecretReadError);
    expect(missing).toMatchObject({ name: "SecretReadError", variable: "MINIASK_TOKEN_KEYS", code: "ResourceNotFound" });
    expect(missing?.message).toBe("MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-token-keys (version SSM_Current) failed: ResourceNotFound (RequestId ssm-req-1)");
    const refused = await failureOf((await ssmSecretReader({ ...env, MINIASK_SSM_ENDPOINT: "http://proxy-user:ssm-proxy-pass@127.0.0.1:1" }))(REF));
    expect(refused).toMatchObject({ code: "RequestFailed" });
    expect(refused?.message).toMatch(/^MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-token-keys \(version SSM_Current\) failed: RequestFailed \(.*ECONNREFUSED/);
    expect(refused?.message).not.toContain("ssm-proxy-pass");
  });

  it("says an empty secret with its own code, and cuts a long cause to 160 characters", async () => {
    ssm = await startFakeSsm({ secrets: { "miniask-token-keys": { SSM_Current: "" } } });
    const env = { ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou", MINIASK_SSM_ENDPOINT: ssm.endpoint };
    const empty = await failureOf((await ssmSecretReader(env))(REF));
    expect(empty).toMatchObject({ name: "SecretReadError", variable: "MINIASK_TOKEN_KEYS", code: "EmptySecret", message: "MINIASK_TOKEN_KEYS: SSM secret miniask-token-keys (version SSM_Current) is empty" });
    // The request's URL (and so this long path) is part of the cause the SDK reports.
    const far = await failureOf((await ssmSecretReader({ ...env, MINIASK_SSM_ENDPOINT: `http://127.0.0.1:1/${"p".repeat(400)}` }))(REF));
    expect(far).toMatchObject({ code: "RequestFailed" });
    const prefix = "MINIASK_TOKEN_KEYS: SSM GetSecretValue miniask-token-keys (version SSM_Current) failed: RequestFailed (";
    expect(far?.message.startsWith(prefix)).toBe(true);
    expect(far?.message.length).toBe(prefix.length + 160 + 1);
  });

  it("speaks HTTPS unless the endpoint says http://, and goes to Tencent's endpoint when none is set", async () => {
    ssm = await startFakeSsm({ secrets: { "miniask-token-keys": { SSM_Current: "k1:x" } } });
    const env = { ...ssm.credentials, TENCENTCLOUD_REGION: "ap-guangzhou" };
    // The double speaks plain HTTP: a TLS client gets no answer from it.
    expect(await failureOf((await ssmSecretReader({ ...env, MINIASK_SSM_ENDPOINT: ssm.endpoint.replace("http://", "https://") }))(REF))).toMatchObject({ code: "RequestFailed" });
    expect(await failureOf((await ssmSecretReader({ ...env, MINIASK_SSM_ENDPOINT: ssm.endpoint.replace("http://", "") }))(REF))).toMatchObject({ code: "RequestFailed" });
    // No endpoint: ssm.tencentcloudapi.com, which this machine cannot reach (no internet).
    expect(await failureOf((await ssmSecretReader(env))(REF))).toMatchObject({ code: "RequestFailed" });
    expect(ssm.calls).toHaveLength(0);
  }, 30_000);
});

describe("provider keys that follow their secret", () => {
  const config = loadConfig(realConfigFiles());
  const targets = (): ModelTargets => ({ fast: [{ provider: "hunyuan", model: "m", baseUrl: "http://x/v1", apiKey: "sk-initial", timeoutMs: 1000, jsonSchema: false, sendUser: false }] });

  it("reads an ssm: provider key live (spread copies too), and leaves a plain one as it was", () => {
    const variables: Record<string, string | undefined> = { HUNYUAN_API_KEY: "sk-initial" };
    const followed = targets();
    followProviderKeys(config, followed, variables, new Set(["HUNYUAN_API_KEY"]));
    const plain = targets();
    followProviderKeys(config, plain, variables, new Set());
    variables.HUNYUAN_API_KEY = "sk-rotated";
    expect(followed.fast![0]!.apiKey).toBe("sk-rotated");
    expect({ ...followed.fast![0]! }.apiKey).toBe("sk-rotated");
    expect(plain.fast![0]!.apiKey).toBe("sk-initial");
  });

  it("re-reads the refused target's key variable, and nothing for a provider it does not know", async () => {
    const asked: string[] = [];
    const refresh = providerKeyRefresher(config, async (variable) => {
      asked.push(variable);
      return true;
    });
    expect(await refresh({ provider: "deepseek" })).toBe(true);
    expect(await refresh({ provider: "unknown" })).toBe(false);
    expect(asked).toEqual(["DEEPSEEK_API_KEY"]);
  });
});
