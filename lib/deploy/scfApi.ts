// The SCF API as the deployer sees it: an action and its parameters. In production the
// official SDK (tencentcloud-sdk-nodejs-scf); in tests the same SDK pointed at a local fake.
export interface ScfApi {
  call(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export class ScfApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export function isNotFound(err: unknown): boolean {
  const code = err instanceof ScfApiError ? err.code : (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ResourceNotFound");
}

export async function sdkScfApi(options: { secretId: string; secretKey: string; token?: string; region: string; endpoint?: string }): Promise<ScfApi> {
  // Imported only here: a deploy is the one place that needs the SDK.
  const { scf } = await import("tencentcloud-sdk-nodejs-scf");
  const endpoint = options.endpoint?.replace(/^https?:\/\//, "");
  const client = new scf.v20180416.Client({
    credential: { secretId: options.secretId, secretKey: options.secretKey, ...(options.token ? { token: options.token } : {}) },
    region: options.region,
    profile: { httpProfile: { ...(endpoint ? { endpoint } : {}), ...(options.endpoint?.startsWith("http://") ? { protocol: "http://" } : {}), reqTimeout: 60 } },
  });
  return {
    async call(action, params) {
      try {
        return (await client.request(action, params)) as Record<string, unknown>;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new ScfApiError(typeof code === "string" ? code : "SdkError", err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/**
 * --dry-run: reads go through (when there is an API to read), writes are only recorded, and
 * what the run itself "created" reads back as existing so the plan can continue.
 */
export function recordingScfApi(read: ScfApi | undefined, log: (action: string, params: Record<string, unknown>) => void): ScfApi {
  let version = 0;
  const created = new Set<string>();
  const empty: Record<string, Record<string, unknown>> = { ListNamespaces: { Namespaces: [] }, ListTriggers: { Triggers: [] }, GetProvisionedConcurrencyConfig: { Allocated: [] } };
  return {
    async call(action, params) {
      if (/^(Get|List)/.test(action)) {
        if (action === "GetFunction" && created.has(String(params.FunctionName))) return { Status: "Active" };
        if (read) return read.call(action, params);
        const nothing = empty[action];
        if (nothing) return nothing;
        throw new ScfApiError("ResourceNotFound.DryRun", "no credentials: assuming nothing exists yet");
      }
      log(action, params);
      if (action === "CreateFunction") created.add(String(params.FunctionName));
      if (action === "PublishVersion") return { FunctionVersion: String(++version) };
      return {};
    },
  };
}
