// Reads one secret with GetSecretValue (tencentcloud-sdk-nodejs-ssm, its typed client and models),
// signed with the credentials SCF gives a function that has an execution role. SCF's
// environment-variable doc (cloud.tencent.com/document/product/583/32748, "已内置环境变量") lists
// them as TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY and TENCENTCLOUD_SESSIONTOKEN (temporary,
// so the session token goes with them). The region is the function's own (TENCENTCLOUD_REGION,
// the runtime's region variable; MINIASK_SSM_REGION wins when the secrets live elsewhere).
// Imported only when some variable is `ssm:`: a function without one never loads the SDK.
import type { GetSecretValueRequest, GetSecretValueResponse } from "tencentcloud-sdk-nodejs-ssm/tencentcloud/services/ssm/v20190923/ssm_models";
import { ConfigError } from "../config/configError";
import { maskUrlCredentials } from "./maskUrl";
import type { SecretRef } from "./secretRefs";

type Env = Readonly<Record<string, string | undefined>>;
type SdkModule = typeof import("tencentcloud-sdk-nodejs-ssm");

/** Why a read failed, with SSM's error code: never the value, never the credentials. */
export class SecretReadError extends Error {
  constructor(
    readonly variable: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SecretReadError";
  }
}

export type SecretReader = (ref: SecretRef) => Promise<string>;

/** The role's credentials and the region, or a ConfigError saying which are missing and why. */
function roleCredentials(env: Env): { secretId: string; secretKey: string; token?: string; region: string } {
  const secretId = env.TENCENTCLOUD_SECRETID;
  const secretKey = env.TENCENTCLOUD_SECRETKEY;
  const region = env.MINIASK_SSM_REGION || env.TENCENTCLOUD_REGION;
  const missing = [...(secretId ? [] : ["TENCENTCLOUD_SECRETID"]), ...(secretKey ? [] : ["TENCENTCLOUD_SECRETKEY"]), ...(region ? [] : ["TENCENTCLOUD_REGION (or MINIASK_SSM_REGION)"])];
  if (!secretId || !secretKey || !region) {
    throw new ConfigError([`environment variables ${missing.join(", ")}: required to read ssm: secrets (SCF sets them for a function with an execution role; give the function one whose policy allows ssm:GetSecretValue)`]);
  }
  return { secretId, secretKey, region, ...(env.TENCENTCLOUD_SESSIONTOKEN ? { token: env.TENCENTCLOUD_SESSIONTOKEN } : {}) };
}

/** The secret's text: SecretString, or SecretBinary (base64) decoded; exactly one is set. */
function secretText(ref: SecretRef, response: GetSecretValueResponse): string {
  const text = response.SecretString || (response.SecretBinary ? Buffer.from(response.SecretBinary, "base64").toString("utf8") : "");
  if (!text) throw new SecretReadError(ref.variable, "EmptySecret", `${ref.variable}: SSM secret ${ref.secretName} (version ${ref.versionId}) is empty`);
  return text.trim();
}

/**
 * A reader bound to the process's credentials. Credentials are read again on every call: a
 * re-read after a failed use signs with whatever the environment holds then.
 * MINIASK_SSM_ENDPOINT points the client elsewhere (a private endpoint; tests: the SSM double).
 */
export async function ssmSecretReader(env: Env): Promise<SecretReader> {
  roleCredentials(env);
  // Bundled, the package is its CommonJS build (esbuild on platform node reads "main"), and a
  // dynamic import of it sees module.exports as `default`; unbundled (tsx), the named export.
  const imported: SdkModule & { default?: SdkModule } = await import("tencentcloud-sdk-nodejs-ssm");
  // Stryker disable next-line LogicalOperator,OptionalChaining: unbundled, both forms are there; the bundled form (default only) runs in secretsBundled.test.ts.
  const sdk = imported.ssm ?? imported.default?.ssm;
  // Stryker disable next-line all: unreachable with the package installed; kept for a bundle that left it out.
  if (!sdk) throw new ConfigError(["tencentcloud-sdk-nodejs-ssm: no ssm export (is the package installed and bundled?)"]);
  const endpointSetting = env.MINIASK_SSM_ENDPOINT;
  const endpoint = endpointSetting?.replace(/^https?:\/\//, "");
  return async (ref) => {
    const { region, ...credential } = roleCredentials(env);
    const client = new sdk.v20190923.Client({
      credential,
      region,
      profile: { httpProfile: { ...(endpoint ? { endpoint } : {}), ...(endpointSetting?.startsWith("http://") ? { protocol: "http://" } : {}), reqTimeout: 5 } },
    });
    const request: GetSecretValueRequest = { SecretName: ref.secretName, VersionId: ref.versionId };
    let response: GetSecretValueResponse;
    try {
      response = await client.GetSecretValue(request);
    } catch (err) {
      const apiCode = (err as { code?: unknown }).code;
      const requestId = (err as { requestId?: unknown }).requestId;
      // An API error says its code (and RequestId, for Tencent's support); a request that never
      // got an answer (no route out of a VPC, a timeout) says why, its URL's credentials masked.
      // Stryker disable next-line LogicalOperator,ConditionalExpression: the SDK sets requestId to a string always (tencent_cloud_sdk_exception.js), and code to the reply's Error.Code, a string in SSM's API; the typeof tests guard a malformed reply only.
      const why = typeof apiCode === "string" && apiCode ? `${apiCode}${typeof requestId === "string" && requestId ? ` (RequestId ${requestId})` : ""}` : `RequestFailed (${maskUrlCredentials(err instanceof Error ? err.message : String(err)).slice(0, 160)})`;
      // Stryker disable next-line LogicalOperator,ConditionalExpression: as above.
      throw new SecretReadError(ref.variable, typeof apiCode === "string" && apiCode ? apiCode : "RequestFailed", `${ref.variable}: SSM GetSecretValue ${ref.secretName} (version ${ref.versionId}) failed: ${why}`);
    }
    return secretText(ref, response);
  };
}
