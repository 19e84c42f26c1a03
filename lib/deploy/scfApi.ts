// The SCF API as the deployer sees it: the SDK client's own typed methods, only those we call.
// In production the official client (tencentcloud-sdk-nodejs-scf); in tests the same client
// pointed at a local double. No `request(action, any)`: each call is checked against the
// SDK's request model, and each answer read through its response model.
import type { scf } from "tencentcloud-sdk-nodejs-scf";

type SdkClient = InstanceType<typeof scf.v20180416.Client>;

export const SCF_ACTIONS = [
  "ListNamespaces",
  "CreateNamespace",
  "GetFunction",
  "CreateFunction",
  "UpdateFunctionCode",
  "UpdateFunctionConfiguration",
  "ListVersionByFunction",
  "PublishVersion",
  "GetAlias",
  "CreateAlias",
  "UpdateAlias",
  "ListTriggers",
  "CreateTrigger",
  "UpdateTrigger",
  "GetProvisionedConcurrencyConfig",
  "PutProvisionedConcurrencyConfig",
  "DeleteProvisionedConcurrencyConfig",
  "GetCustomDomain",
  "CreateCustomDomain",
  "UpdateCustomDomain",
] as const;

export type ScfAction = (typeof SCF_ACTIONS)[number];
export type ScfRequest<A extends ScfAction> = Parameters<SdkClient[A]>[0];
export type ScfResponse<A extends ScfAction> = Awaited<ReturnType<SdkClient[A]>>;
export type ScfApi = { [A in ScfAction]: (req: ScfRequest<A>) => Promise<ScfResponse<A>> };

/** The API's error code (`ResourceNotFound.Function`, ...), from the SDK's exception. */
export function errorCode(err: unknown): string | undefined {
  const code = err !== null && typeof err === "object" ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return errorCode(err)?.startsWith("ResourceNotFound") ?? false;
}

export interface SdkOptions {
  secretId: string;
  secretKey: string;
  token?: string;
  region: string;
  /** Another API endpoint (tests: a local double), with or without http://. */
  endpoint?: string;
}

export async function sdkScfApi(options: SdkOptions): Promise<ScfApi> {
  // Imported only here: a deploy is the one place that needs the SDK.
  const { scf: sdk } = await import("tencentcloud-sdk-nodejs-scf");
  const endpoint = options.endpoint?.replace(/^https?:\/\//, "");
  const client: ScfApi = new sdk.v20180416.Client({
    credential: { secretId: options.secretId, secretKey: options.secretKey, ...(options.token ? { token: options.token } : {}) },
    region: options.region,
    profile: { httpProfile: { ...(endpoint ? { endpoint } : {}), ...(options.endpoint?.startsWith("http://") ? { protocol: "http://" } : {}), reqTimeout: 60 } },
  });
  return client;
}
