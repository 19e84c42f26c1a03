// The local server's app with the playground, as npm start builds it, for the browser tests:
// the playground gets the app's model chains (resolved as the app resolves them), so its replay
// runs against any profile the environment allows.
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { issueAppToken } from "../lib/auth/appToken";
import { type RawConfigFiles, loadConfig } from "../lib/config/loadConfig";
import type { EnvironmentName } from "../lib/config/schema";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { INTENTS } from "../lib/intents/registry";
import { resolveModelTargets } from "../lib/models/modelTargets";
import { playgroundRoutes } from "../lib/playground/playgroundRoutes";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { TEST_TOKEN_KEYS, TEST_USER_ID_SALT, realConfigFiles } from "./support/harness";

export interface PlaygroundServer {
  url: string;
  upstream: LocalUpstream;
  token(userId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startPlaygroundServer(options: { env?: EnvironmentName; rawFiles?: RawConfigFiles } = {}): Promise<PlaygroundServer> {
  const env = options.env ?? "dev";
  const upstream = await startLocalUpstream();
  const config = loadConfig(options.rawFiles ?? realConfigFiles());
  const override = { baseUrl: upstream.url, apiKey: "sk-test-upstream-key-0123456789" };
  const processEnv = {
    MINIASK_ENV: env,
    MINIASK_STORE_PREFIX: `test:${randomUUID()}:`,
    ...(env === "dev" ? {} : { MINIASK_STORE: "memory", MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS, WECHAT_APPID: "wx0123456789abcdef", WECHAT_SECRET: "wechat-app-secret-0123456789abcdef", MINIASK_USER_ID_SALT: TEST_USER_ID_SALT }),
  };
  const built = createProcessApp({
    processEnv,
    config,
    intents: INTENTS,
    upstreamOverride: override,
    logWrite: () => undefined,
    serveLogin: true,
    extraRoutes: (deps) => playgroundRoutes({ ...deps, models: resolveModelTargets(config, env, processEnv, override) }),
  });
  const server: Server = createHttpServer(built.app.handle);
  const port = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    upstream,
    token: async (userId) => (await issueAppToken(built.tokenKeys, env, userId, 600)).token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
}
