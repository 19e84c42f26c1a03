// A real server (node:http on a free port) in front of the real pipeline, talking over real
// HTTP to the project's local upstream. Logs are captured line by line for assertions.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { Store } from "../../lib/store/store";
import { issueAppToken } from "../../lib/auth/appToken";
import { type RawConfigFiles, loadConfig } from "../../lib/config/loadConfig";
import { readConfigFiles } from "../../lib/config/readConfigFiles";
import type { EnvironmentName } from "../../lib/config/schema";
import { createHttpServer, listen } from "../../lib/http/nodeServer";
import type { Intent } from "../../lib/intents/intent";
import type { IntentName } from "../../lib/intents/names";
import { INTENTS } from "../../lib/intents/registry";
import { playgroundRoutes } from "../../lib/playground/playgroundRoutes";
import { type ProcessApp, createProcessApp } from "../../lib/runtime/createProcessApp";
import { type LocalUpstream, startLocalUpstream } from "../../scripts/local-upstream/server";

export const REPO_ROOT = new URL("../..", import.meta.url).pathname;
export const TEST_TOKEN_KEYS = "k2026:test-secret-of-at-least-32-bytes-aaaaaaaa,k2025:older-test-secret-at-least-32-bytes-bbbbb";

export const TEST_USER_ID_SALT = "test-user-id-salt-of-at-least-32-chars!";

/** The config files as shipped: what `npm start` and a built function read. */
export function shippedConfigFiles(): RawConfigFiles {
  return readConfigFiles(REPO_ROOT);
}

/**
 * The shipped files, less WeChat's content check: tests run without WeChat unless they bring
 * the fake one (test/contentSecurityPipeline.test.ts turns the check on, with it).
 */
export function realConfigFiles(): RawConfigFiles {
  const files = readConfigFiles(REPO_ROOT) as RawConfigFiles & { envPolicy: { environments: Record<string, Record<string, unknown>> } };
  for (const env of Object.values(files.envPolicy.environments)) delete env.content_security;
  return files;
}

export interface Harness {
  url: string;
  upstream: LocalUpstream;
  built: ProcessApp;
  logs: string[];
  /** Parsed log lines. */
  logRecords(): Record<string, unknown>[];
  token(userId: string, ttlSeconds?: number): Promise<string>;
  ask(body: unknown, init?: { token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startHarness(options: {
  env?: EnvironmentName;
  processEnv?: Record<string, string | undefined>;
  rawFiles?: RawConfigFiles;
  intents?: Partial<Record<IntentName, Intent>>;
  upstream?: LocalUpstream;
  serveLogin?: boolean;
  /** Use the providers of the config files as they are (keys from processEnv), not the override. */
  providersFromConfig?: boolean;
  store?: Store;
  playground?: boolean;
} = {}): Promise<Harness> {
  const env = options.env ?? "dev";
  const upstream = options.upstream ?? (await startLocalUpstream());
  const logs: string[] = [];
  const built = createProcessApp({
    processEnv: {
      MINIASK_ENV: env,
      // Each harness its own keys, so counters never leak between tests sharing a Redis.
      MINIASK_STORE_PREFIX: `test:${randomUUID()}:`,
      ...(env === "dev" ? {} : { MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS, WECHAT_APPID: "wx0123456789abcdef", WECHAT_SECRET: "wechat-app-secret-0123456789abcdef", MINIASK_USER_ID_SALT: TEST_USER_ID_SALT }),
      ...options.processEnv,
    },
    config: loadConfig(options.rawFiles ?? realConfigFiles()),
    intents: options.intents ?? INTENTS,
    ...(options.providersFromConfig ? {} : { upstreamOverride: { baseUrl: upstream.url, apiKey: "sk-test-upstream-key-0123456789" } }),
    logWrite: (line) => logs.push(line),
    serveLogin: options.serveLogin ?? true,
    ...(options.store ? { store: options.store } : {}),
    ...(options.playground ? { extraRoutes: playgroundRoutes } : {}),
  });
  const server: Server = createHttpServer(built.app.handle);
  const port = await listen(server, 0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  const token = async (userId: string, ttlSeconds = 600) => (await issueAppToken(built.tokenKeys, env, userId, ttlSeconds)).token;
  return {
    url,
    upstream,
    built,
    logs,
    logRecords: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>),
    token,
    async ask(body, init = {}) {
      const bearer = init.token === undefined ? await token(typeof body === "object" && body && "userId" in body ? String(body.userId) : "u_123") : init.token;
      const res = await fetch(`${url}/v1/mini/ask`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...init.headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.upstream) await upstream.close();
    },
  };
}

export const ARTICLE_TEXT =
  "Building a WeChat Mini Program with AI features sounds easy until you hit the real questions. Where does the model live? " +
  "How do you keep keys safe? How do you ship updates without breaking users? The best move is to treat the Mini Program as a thin client. " +
  "Keep model logic on a server you control. A stable server environment is the difference between a demo and a product. " +
  "Version your prompts so the backend can iterate faster than review cycles.";
