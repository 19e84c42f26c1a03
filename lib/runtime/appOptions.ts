// What createApp is given (AppOptions) and what it builds once for every route (Shared), in a
// room of their own: askRoutes, loaded lazily by createApp, needs both, and importing them from
// createApp made the two files import each other.
import type { ContentDigest } from "../identity/contentDigest";
import type { WechatApp } from "../auth/code2Session";
import type { Authenticate } from "../auth/authenticate";
import type { LoginDeps } from "../auth/login";
import type { BreakerHub } from "../breaker/breakerHub";
import type { Config, ResolvedEnvironment } from "../config/config";
import type { EnvironmentName } from "../config/schema";
import type { Handler } from "../http/router";
import type { Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { createIpLimit } from "../limits/ipLimit";
import type { Logger } from "../log/logger";
import type { ModelTarget, ModelTargets } from "../models/modelTargets";
import type { createRecordRequest } from "../record/recordRequest";
import type { Store } from "../store/store";

export interface AppOptions {
  config: Config;
  envName: EnvironmentName;
  models: ModelTargets;
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  /** The bearer token's subject (routes whose body has no userId). */
  verifyToken: (token: string) => Promise<string>;
  /** Where log lines go (stdout by default; tests capture them). */
  logWrite?: (line: string) => void;
  /** Serve POST /v1/mini/login (the auth function and the local server). */
  login?: Pick<LoginDeps, "wechat" | "userIdSalt" | "tokenKeys">;
  store: Store;
  storePrefix: string;
  /** The Mini Program's WeChat app: WeChat's content check calls it when the environment turns the check on. */
  contentSecurityApp?: WechatApp;
  /** Opens the openid a token carries sealed (undefined: none, or not sealed by our keys). */
  openidOf?: (sealed: string | undefined) => Promise<string | undefined>;
  /** The warm-up timer's key: a ping without it warms but holds nothing. */
  warmupKey?: string;
  /** MINIASK_STORE_TIMEOUT_MS: overrides the env policy's store timeout. */
  storeTimeoutMs?: number;
  /** Keyed digest of logged content, from MINIASK_USER_ID_SALT (without it: a key of this process). */
  contentDigest?: ContentDigest;
  /** A provider refused its key: read it again (lib/secrets re-reads an ssm: key). */
  onProviderKeyRejected?: (target: Pick<ModelTarget, "provider">) => unknown;
  /** MINIASK_RATE_LIMITS=off (dev only). */
  limitsOff?: boolean;
  /**
   * Routes only the local server has (the playground). Passed in rather than imported so a
   * function bundle never carries them: import size is cold-start time.
   */
  extraRoutes?: (deps: { config: Config; env: ResolvedEnvironment; models: ModelTargets }) => Record<string, Handler>;
}

/** Built once per process by createApp; the lazily loaded ask routes use the same parts. */
export interface Shared {
  env: ResolvedEnvironment;
  logger: Logger;
  stepDeps: { store: Store; env: ResolvedEnvironment; prefix: string; logger: Logger; limitsOff: boolean };
  record: ReturnType<typeof createRecordRequest>;
  ipLimit: ReturnType<typeof createIpLimit>;
  breakers: BreakerHub;
}
