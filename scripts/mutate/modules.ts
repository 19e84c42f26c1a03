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
  { module: "lib/limits/admit.ts", tests: ["test/limits.test.ts"] },
  { module: "lib/store/memoryStore.ts", tests: ["test/store.test.ts"] },
  { module: "lib/auth/appToken.ts", tests: ["test/appToken.test.ts"] },
  { module: "lib/auth/tokenVerifier.ts", tests: ["test/tokenVerifier.test.ts"] },
  { module: "lib/auth/tokenKeys.ts", tests: ["test/tokenKeys.test.ts"] },
  { module: "lib/models/callModelChain.ts", tests: ["test/callModelChain.test.ts"] },
  // Added by the hardening issue (#16). Paths of their tests as expected; until a test file
  // exists the row reports "not run" and the run exits 1.
  { module: "lib/request/jsonLimits.ts", tests: ["test/jsonLimits.test.ts"] },
  { module: "lib/text/normalize.ts", tests: ["test/normalize.test.ts"] },
];

/** The score under which a module fails the run (percent). */
export const MIN_SCORE = 85;
