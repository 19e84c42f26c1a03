// The playground's routes, for dev and staging only. In dev the page gets a token signed with
// the built-in dev key (worthless anywhere else); in staging the team pastes one from login.
// Given the app's model chains, it also replays an input against another profile (replayRoute).
import { issueAppToken } from "../auth/appToken";
import type { TokenKeys } from "../auth/tokenKeys";
import type { Config, ResolvedEnvironment } from "../config/loadConfig";
import { jsonResponse } from "../http/plain";
import type { Handler } from "../http/router";
import { INTENT_NAMES } from "../intents/names";
import type { ModelTargets } from "../models/modelTargets";
import { PLAYGROUND_HTML } from "./page";
import { PLAYGROUND_SCRIPT } from "./pageScript";
import { PLAYGROUND_STYLES } from "./pageStyles";
import { replayableProfiles, replayRoute } from "./replayRoute";
import { PLAYGROUND_HEADERS } from "./securityHeaders";

const SAMPLES: Record<string, unknown> = {
  summarize: { text: "Mini Programs are thin clients. Model keys stay on the server. Profiles are versioned, so prompts change without a release. Rate limits protect the budget.", maxBullets: 3 },
  support: { question: "How do I get a refund for a cancelled order?" },
  recommend: { items: [{ id: "t1", title: "Green tea", tags: ["tea"] }, { id: "c1", title: "Iced coffee", tags: ["coffee", "cold"] }, "Plain water"], preferences: ["coffee"], limit: 2 },
  extract: { text: "Order id: A-1001\nCity: Hangzhou", fields: ["order_id", "city"] },
};

export function playgroundRoutes(deps: { config: Config; env: ResolvedEnvironment; tokenKeys: TokenKeys; models?: ModelTargets }): Record<string, Handler> {
  if (deps.env.name === "prod") return {};
  const { models } = deps;
  // Without the app's chains the replay goes through /v1/mini/ask: only profiles the environment serves.
  const direct = models !== undefined && deps.env.name === "dev";
  const replayable = (intent: string) => (direct ? replayableProfiles(deps.config, deps.env, intent) : served(intent));
  const served = (intent: string) => deps.env.allowedProfiles.filter((p) => deps.config.profiles[p]?.intent === intent);
  return {
    // A direct run skips the request path (input rules, WeChat's checks, limits, budget, audit):
    // dev only. Staging's playground replays through /v1/mini/ask, with everything it enforces.
    ...(models && deps.env.name === "dev" ? { "POST /playground/replay": replayRoute({ ...deps, models }) } : {}),
    "GET /": async () => ({ status: 200, headers: { ...PLAYGROUND_HEADERS, "content-type": "text/html; charset=utf-8" }, body: PLAYGROUND_HTML }),
    "GET /playground/app.js": async () => ({ status: 200, headers: { ...PLAYGROUND_HEADERS, "content-type": "text/javascript; charset=utf-8" }, body: PLAYGROUND_SCRIPT }),
    "GET /playground/app.css": async () => ({ status: 200, headers: { ...PLAYGROUND_HEADERS, "content-type": "text/css; charset=utf-8" }, body: PLAYGROUND_STYLES }),
    "GET /playground/config": async () => {
      const intents = Object.fromEntries(
        INTENT_NAMES.map((intent) => [intent, { routed: deps.env.routing[intent], profiles: served(intent), replayProfiles: replayable(intent), sample: SAMPLES[intent] }]),
      );
      const devToken = deps.env.name === "dev" && deps.tokenKeys.builtInDevKey ? (await issueAppToken(deps.tokenKeys, "dev", "u_playground", 3600)).token : undefined;
      return jsonResponse(200, { env: deps.env.name, configHash: deps.config.hash, replay: direct ? "run" : "ask", intents, ...(devToken ? { devToken, userId: "u_playground" } : {}) }, PLAYGROUND_HEADERS);
    },
  };
}
