// Stryker's options for one module's run. Each choice here answers a trap of this repository.
import type { LogLevel, PartialStrykerOptions } from "@stryker-mutator/api/core";

export function strykerOptions(module: string, vitestConfigFile: string, tempDirName: string): PartialStrykerOptions {
  return {
    mutate: [module],
    testRunner: "vitest",
    // The per-module config decides the tests; `related` would widen them to every importer.
    vitest: { configFile: vitestConfigFile, related: false },
    coverageAnalysis: "perTest",
    // The machine has 2 cores, shared.
    concurrency: 2,
    // No type checker: TypeScript 7 has no JS API, and Stryker's tsconfig rewriting imports
    // `typescript` when the file exists. A path that does not exist turns that step off.
    checkers: [],
    tsconfigFile: "scripts/mutate/no-tsconfig-here.json",
    tempDirName,
    cleanTempDir: "always",
    // What the sandbox needs is lib/, test/, scripts/, profiles/ and the configs.
    // Scratch files other sessions' runs write and delete (`*.tmp.*`) would vanish mid-copy.
    ignorePatterns: ["dist", "test-artifacts", "examples", "miniprogram", "reports", ".stryker-tmp", "**/*.tmp.*"],
    incremental: false,
    reporters: ["progress-append-only"],
    // LogLevel is a const enum, which isolatedModules cannot import as a value.
    logLevel: "warn" as LogLevel,
    fileLogLevel: "off" as LogLevel,
    // Tests here talk to Redis and a real HTTP upstream: more slack than the 5 s default.
    timeoutMS: 10_000,
    thresholds: { high: 95, low: 85, break: null },
  };
}
