// burst and plan read their options as flags (scripts/burst/flags.ts) whose readers apply their
// own fallbacks: flagsOf hands them only what was given, so a declared default never hides
// "not given" (plan's --per-instance: given, one candidate; not given, every candidate).
import { describe, expect, it } from "vitest";
import { REPLAY_MODEL_OPTIONS, flagsOf } from "../scripts/burst/burstOptions";
import { latencyFrom, modelFrom } from "../scripts/burst/burstInputs";
import { DEFAULT_MODEL } from "../scripts/burst/instanceModel";
import { DEFAULT_LATENCY } from "../scripts/burst/shapes";
import { defineCommand, parseCommandLine } from "../scripts/support/cli";

const SPEC = defineCommand({ command: "npm run t --", summary: "s", options: { ...REPLAY_MODEL_OPTIONS, real: { type: "boolean", description: "d" }, trace: { type: "string", description: "d" } } });

describe("flagsOf", () => {
  it("passes on only the flags given: numbers as the text the readers parse, booleans as true", () => {
    const flags = flagsOf(parseCommandLine(SPEC, ["--per-instance", "4", "--real", "--trace", "t.jsonl", "--cold-start-ms", "250,300"]));
    expect(flags).toEqual({ "per-instance": "4", real: true, trace: "t.jsonl", "cold-start-ms": "250,300" });
    expect(flagsOf(parseCommandLine(SPEC, []))).toEqual({});
  });

  it("the declared defaults are the ones the readers fall back to", () => {
    const none = flagsOf(parseCommandLine(SPEC, []));
    const { values } = parseCommandLine(SPEC, []);
    expect(latencyFrom(none)).toEqual({ medianMs: values["latency-median"], sigma: values["latency-sigma"] });
    expect(latencyFrom(none)).toEqual(DEFAULT_LATENCY);
    const model = modelFrom(none, [300]);
    expect([model.cpuMsPerRequest, model.idleReclaimMs / 60_000, model.maxInstances, model.elasticStartsPerMinute, model.provisionedStartsPerMinute]).toEqual([values["cpu-ms-per-request"], values["idle-reclaim-min"], values["max-instances"], values["elastic-per-min"], values["provisioned-per-min"]]);
    expect(model.perInstanceConcurrency).toBe(DEFAULT_MODEL.perInstanceConcurrency);
  });
});
