// A local stand-in for ssm.tencentcloudapi.com's GetSecretValue, written from the SSM API docs
// and the SDK's ssm_models.d.ts, never from what our reader sends. The official SDK, pointed at
// it through httpProfile.endpoint (MINIASK_SSM_ENDPOINT), makes real signed calls; this double
// - verifies the TC3-HMAC-SHA256 signature with the role's temporary SecretKey, and the
//   session token (X-TC-Token) temporary credentials must carry (AuthFailure.* otherwise),
// - refuses parameters GetSecretValueRequest lacks (UnknownParameter) and requires the ones it
//   marks required, SecretName and VersionId (MissingParameter), read from ssm_models.d.ts,
// - keeps secrets by name and version and answers GetSecretValueResponse (SecretName,
//   VersionId, SecretString), or ResourceNotFound for a name or version it does not hold,
// - applies a CAM policy: the role may read only the secrets `allowed` names
//   (UnauthorizedOperation otherwise), as `ssm:GetSecretValue` on named resources does.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer as readBody } from "node:stream/consumers";
import type { GetSecretValueRequest, GetSecretValueResponse } from "tencentcloud-sdk-nodejs-ssm/tencentcloud/services/ssm/v20190923/ssm_models";
import { sdkRequestModel } from "./sdkRequestModel";
import { TencentApiError as ApiError, verifyTc3Signature } from "./tc3Signature";

export interface FakeSsmOptions {
  /** The role's temporary credentials (what SCF puts in TENCENTCLOUD_SECRETID / SECRETKEY / SESSIONTOKEN). */
  secretId?: string;
  secretKey?: string;
  sessionToken?: string;
  /** secret name -> version id -> text. */
  secrets?: Record<string, Record<string, string>>;
  /** The names the role's policy allows ssm:GetSecretValue on; every secret when unset. */
  allowed?: readonly string[];
}

export interface FakeSsm {
  endpoint: string;
  credentials: { TENCENTCLOUD_SECRETID: string; TENCENTCLOUD_SECRETKEY: string; TENCENTCLOUD_SESSIONTOKEN: string };
  calls: { action: string; region: string; params: Record<string, unknown>; error?: string }[];
  /** UpdateSecret's effect: a version's content replaced (rotation); `binary` stores it as SecretBinary. */
  put(name: string, versionId: string, text: string, options?: { binary?: boolean }): void;
  /** The next call fails with this documented error (GetSecretValue: InternalError, FailedOperation, ...). */
  failNext(code: "InternalError" | "FailedOperation" | "ResourceUnavailable.NotPurchased"): void;
  close(): Promise<void>;
}

export async function startFakeSsm(options: FakeSsmOptions = {}): Promise<FakeSsm> {
  const secretId = options.secretId ?? "AKIDtemporaryRoleId0001";
  const secretKey = options.secretKey ?? "temporary-role-secret-key-0001";
  const sessionToken = options.sessionToken ?? "temporary-session-token-0001";
  const store = new Map(Object.entries(options.secrets ?? {}).map(([name, versions]) => [name, new Map(Object.entries(versions))]));
  // Versions created with SecretBinary (CreateSecret/UpdateSecret take one of SecretString, SecretBinary).
  const binary = new Set<string>();
  const model = sdkRequestModel("tencentcloud-sdk-nodejs-ssm/tencentcloud/services/ssm/v20190923/ssm_models.d.ts", "GetSecretValueRequest");
  const calls: FakeSsm["calls"] = [];
  let requestCount = 0;
  let nextFailure: string | undefined;

  function getSecretValue(params: Record<string, unknown>): Omit<GetSecretValueResponse, "RequestId"> {
    for (const field of Object.keys(params)) if (!model.fields.has(field)) throw new ApiError("UnknownParameter", `The parameter \`${field}\` is not recognized`);
    for (const field of model.required) if (typeof params[field] !== "string" || params[field] === "") throw new ApiError("MissingParameter", `The request is missing a required parameter \`${field}\``);
    const req = params as unknown as GetSecretValueRequest;
    if (options.allowed && !options.allowed.includes(req.SecretName)) throw new ApiError("UnauthorizedOperation", `the role may not GetSecretValue on ${req.SecretName}`);
    const versions = store.get(req.SecretName);
    if (!versions) throw new ApiError("ResourceNotFound", `secret ${req.SecretName} does not exist`);
    const text = versions.get(req.VersionId);
    if (text === undefined) throw new ApiError("ResourceNotFound", `secret ${req.SecretName} has no version ${req.VersionId}`);
    // "SecretBinary和SecretString只有一个不为空": a binary version answers base64 in SecretBinary.
    if (binary.has(`${req.SecretName}@${req.VersionId}`)) return { SecretName: req.SecretName, VersionId: req.VersionId, SecretBinary: Buffer.from(text).toString("base64") };
    return { SecretName: req.SecretName, VersionId: req.VersionId, SecretString: text };
  }

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const action = String(req.headers["x-tc-action"] ?? "");
      const region = String(req.headers["x-tc-region"] ?? "");
      const requestId = `ssm-req-${++requestCount}`;
      let params: Record<string, unknown> = {};
      let response: object;
      try {
        verifyTc3Signature(req, body, secretId, secretKey);
        // Temporary credentials are valid only with their token (API 3.0 common parameter X-TC-Token).
        if (req.headers["x-tc-token"] !== sessionToken) throw new ApiError("AuthFailure.TokenFailure", "the temporary credentials' token is missing or wrong");
        if (req.headers["x-tc-version"] !== "2019-09-23") throw new ApiError("InvalidParameterValue", "X-TC-Version must be 2019-09-23");
        if (!region) throw new ApiError("MissingParameter", "X-TC-Region is required");
        if (action !== "GetSecretValue") throw new ApiError("InvalidAction", `action ${action} is not served by this double`);
        params = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
        const failure = nextFailure;
        nextFailure = undefined;
        if (failure) throw new ApiError(failure, "failed as the test asked");
        response = { ...getSecretValue(params), RequestId: requestId };
        calls.push({ action, region, params });
      } catch (err) {
        const error = err instanceof ApiError ? { Code: err.code, Message: err.message } : { Code: "InternalError", Message: "internal error" };
        response = { Error: error, RequestId: requestId };
        calls.push({ action, region, params, error: error.Code });
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ Response: response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { TENCENTCLOUD_SECRETID: secretId, TENCENTCLOUD_SECRETKEY: secretKey, TENCENTCLOUD_SESSIONTOKEN: sessionToken },
    calls,
    put: (name, versionId, text, options = {}) => {
      const versions = store.get(name) ?? new Map<string, string>();
      versions.set(versionId, text);
      if (options.binary) binary.add(`${name}@${versionId}`);
      else binary.delete(`${name}@${versionId}`);
      store.set(name, versions);
    },
    failNext: (code) => {
      nextFailure = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
