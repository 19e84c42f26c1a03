// CLS's SearchLog as operator scripts call it: the official SDK client (tencentcloud-sdk-nodejs,
// a devDependency: no function bundle imports it), loaded only when a script reads CLS. In tests
// the same client points at test/support/fakeCls.ts through MINIASK_CLS_ENDPOINT.
import type { SearchLogRequest, SearchLogResponse } from "tencentcloud-sdk-nodejs/tencentcloud/services/cls/v20201016/cls_models";
import { ConfigError } from "../../lib/config/configError";

export type SearchLog = (request: SearchLogRequest) => Promise<SearchLogResponse>;

export interface ClsSettings {
  topicId: string;
  region: string;
  secretId: string;
  secretKey: string;
  token?: string;
  /** Another API endpoint (tests: the local double), with or without http://. */
  endpoint?: string;
}

/**
 * Where the audit trail lives: the topic SCF ships the functions' logs to. Flags win over
 * MINIASK_CLS_TOPIC_ID / MINIASK_CLS_REGION; the key is the operator's (a CAM key allowed
 * cls:SearchLog on that topic), as deploy reads TENCENTCLOUD_SECRET_ID / _KEY / _SESSION_TOKEN.
 */
export function clsSettingsOf(env: Readonly<Record<string, string | undefined>>, flags: { topic?: string; region?: string } = {}): ClsSettings {
  const topicId = flags.topic ?? env.MINIASK_CLS_TOPIC_ID;
  const region = flags.region ?? env.MINIASK_CLS_REGION;
  const problems = [
    ...(topicId ? [] : ["--cls-topic or MINIASK_CLS_TOPIC_ID: the CLS topic the functions log to (SCF console: the function's log configuration)"]),
    ...(region ? [] : ["--cls-region or MINIASK_CLS_REGION: the topic's region, e.g. ap-guangzhou"]),
    ...(env.TENCENTCLOUD_SECRET_ID && env.TENCENTCLOUD_SECRET_KEY ? [] : ["TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY: a CAM key allowed cls:SearchLog on the topic"]),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    topicId: topicId!,
    region: region!,
    secretId: env.TENCENTCLOUD_SECRET_ID!,
    secretKey: env.TENCENTCLOUD_SECRET_KEY!,
    ...(env.TENCENTCLOUD_SESSION_TOKEN ? { token: env.TENCENTCLOUD_SESSION_TOKEN } : {}),
    ...(env.MINIASK_CLS_ENDPOINT ? { endpoint: env.MINIASK_CLS_ENDPOINT } : {}),
  };
}

export async function sdkSearchLog(settings: ClsSettings): Promise<SearchLog> {
  // The service's own entry, not the package root: that would load every Tencent product.
  const { cls } = await import("tencentcloud-sdk-nodejs/tencentcloud/services/cls/index.js");
  const endpoint = settings.endpoint?.replace(/^https?:\/\//, "");
  const client = new cls.v20201016.Client({
    credential: { secretId: settings.secretId, secretKey: settings.secretKey, ...(settings.token ? { token: settings.token } : {}) },
    region: settings.region,
    profile: { httpProfile: { ...(endpoint ? { endpoint } : {}), ...(settings.endpoint?.startsWith("http://") ? { protocol: "http://" } : {}), reqTimeout: 60 } },
  });
  return (request) => client.SearchLog(request);
}
