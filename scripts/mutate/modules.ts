// What `npm run mutate` mutates, and against which tests: one row per module. A module is
// mutated against its own test files only (a mutant another suite happens to kill does not say
// the module's own tests pin it down). Add a row to add a module.
export interface MutatedModule {
  /** The file Stryker mutates, from the repository root. */
  module: string;
  /** Its own test files: the only ones each of its mutants runs against. */
  tests: readonly string[];
}

export const MUTATED_MODULES: readonly MutatedModule[] = [
  { module: "lib/observability/redact.ts", tests: ["test/redact.test.ts"] },
  // A real memory store and a fake clock: the step alone, no server.
  { module: "lib/limits/admit.ts", tests: ["test/admit.test.ts"] },
  // An injected clock, so expiry and every TTL's unit are pinned down.
  { module: "lib/store/memoryStore.ts", tests: ["test/memoryStore.test.ts"] },
  { module: "lib/auth/appToken.ts", tests: ["test/appToken.test.ts", "test/appTokenClaims.test.ts"] },
  { module: "lib/auth/tokenVerifier.ts", tests: ["test/tokenVerifier.test.ts", "test/appTokenClaims.test.ts"] },
  { module: "lib/auth/tokenKeys.ts", tests: ["test/tokenKeys.test.ts"] },
  // The walk with injected sleep/now/random and fake attempts, plus the wire against the local upstream.
  { module: "lib/models/callModelChain.ts", tests: ["test/callModelChainUnits.test.ts"] },
  // Added by the hardening issue (#16): JSON limits, normalisation, the per-IP limit, quota
  // reservation (the admit script's arguments and reply parsing; its Lua runs on real Redis),
  // circuit breakers.
  { module: "lib/request/jsonLimits.ts", tests: ["test/jsonLimits.test.ts"] },
  { module: "lib/text/normalize.ts", tests: ["test/normalize.test.ts"] },
  { module: "lib/limits/ipLimit.ts", tests: ["test/ipLimit.test.ts"] },
  { module: "lib/store/admitScript.ts", tests: ["test/admitScript.test.ts"] },
  { module: "lib/breaker/circuitBreaker.ts", tests: ["test/circuitBreaker.test.ts", "test/circuitBreakerStates.test.ts"] },
  // Added by the third hardening round (#25): budget holds, the breakers' shared state, the openid
  // seal, the client address, the keyless warm-up, context keys, believed usage, replay's pick.
  { module: "lib/cost/budgetGate.ts", tests: ["test/budgetHold.test.ts", "test/costBudget.test.ts"] },
  { module: "lib/breaker/sharedBreakerState.ts", tests: ["test/circuitBreakerShared.test.ts"] },
  { module: "lib/contentSecurity/openidSeal.ts", tests: ["test/openidSeal.test.ts"] },
  { module: "lib/limits/clientAddress.ts", tests: ["test/clientAddress.test.ts"] },
  { module: "lib/warmup/warmupRoute.ts", tests: ["test/warmupRoute.test.ts"] },
  { module: "lib/warmup/pingLimit.ts", tests: ["test/warmupRoute.test.ts"] },
  { module: "lib/contentSecurity/textsOf.ts", tests: ["test/textsOf.test.ts"] },
  { module: "lib/chat/usage.ts", tests: ["test/usageBound.test.ts"] },
  { module: "lib/replay/pickRecord.ts", tests: ["test/replayPickRecord.test.ts"] },
  // Also named by #25 or changed by it: WeChat's content check (the guard and the stream gate),
  // JSON escapes, the pattern guards, the secrets' loading (SSM, references, URL masks, the
  // refreshing token verifier), the audit line, SCF's cron grammar, refine's store flight.
  { module: "lib/contentSecurity/streamGate.ts", tests: ["test/contentSecurityStreamGate.test.ts"] },
  { module: "lib/contentSecurity/contentGuard.ts", tests: ["test/contentGuard.test.ts"] },
  { module: "lib/text/jsonEscapes.ts", tests: ["test/jsonEscapes.test.ts"] },
  { module: "lib/safety/outputRules.ts", tests: ["test/guardsStreaming.test.ts"] },
  { module: "lib/safety/guards.ts", tests: ["test/guards.test.ts", "test/guardsStreaming.test.ts", "test/guardsBuilt.test.ts"] },
  { module: "lib/secrets/maskUrl.ts", tests: ["test/secretsUrlMask.test.ts"] },
  { module: "lib/secrets/refreshingTokenVerifier.ts", tests: ["test/secretsTokenKeys.test.ts"] },
  { module: "lib/secrets/secretRefs.ts", tests: ["test/secretsSsm.test.ts", "test/secretsSsmReader.test.ts"] },
  { module: "lib/secrets/loadSecrets.ts", tests: ["test/secretsSsm.test.ts", "test/secretsSsmReader.test.ts"] },
  { module: "lib/secrets/ssmReader.ts", tests: ["test/secretsSsm.test.ts", "test/secretsSsmReader.test.ts"] },
  { module: "lib/observability/auditLogLine.ts", tests: ["test/auditLogLine.test.ts"] },
  { module: "lib/deploy/cron.ts", tests: ["test/deployCron.test.ts", "test/deployEdges.test.ts", "test/manifest.test.ts"] },
  { module: "lib/refine/storeFlight.ts", tests: ["test/refineStoreFlight.test.ts"] },
];

/** The score under which a module fails the run (percent). */
export const MIN_SCORE = 85;
