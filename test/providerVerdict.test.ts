// A provider's own code or finish_reason, read as what it means for the user and for the target.
import { describe, expect, it } from "vitest";
import { ProviderRefusal, interruptedBy, verdictOfError, verdictOfFinish } from "../lib/models/providerVerdict";

describe("verdictOfError", () => {
  it.each([
    [400, "data_inspection_failed", "input", { kind: "refused", side: "input", check: "data_inspection_failed" }],
    [400, "data_inspection_failed", "output", { kind: "refused", side: "output", check: "data_inspection_failed" }],
    [400, "data_inspection_failed", undefined, { kind: "refused", side: "input", check: "data_inspection_failed" }],
    [400, "DataInspectionFailed", "output", { kind: "refused", side: "output", check: "DataInspectionFailed" }],
    [400, "content_filter", undefined, { kind: "refused", side: "input", check: "content_filter" }],
    [402, "invalid_request_error", undefined, { kind: "out_of_funds", check: "payment_required" }],
    [402, undefined, undefined, { kind: "out_of_funds", check: "payment_required" }],
    [400, "Arrearage", undefined, { kind: "out_of_funds", check: "Arrearage" }],
    [429, "insufficient_quota", undefined, { kind: "out_of_funds", check: "insufficient_quota" }],
    [400, "FailedOperation.ResourcePackExhausted", undefined, { kind: "out_of_funds", check: "FailedOperation.ResourcePackExhausted" }],
    [400, "FailedOperation.FreeResourcePackExhausted", undefined, { kind: "out_of_funds", check: "FailedOperation.FreeResourcePackExhausted" }],
    [400, "FailedOperation.ServiceStopArrears", undefined, { kind: "out_of_funds", check: "FailedOperation.ServiceStopArrears" }],
  ] as const)("%i %s (%s)", (status, code, side, verdict) => {
    expect(verdictOfError(status, code, side)).toEqual(verdict);
  });

  it.each([
    [400, "invalid_request_error"],
    [429, "limit_requests"],
    [429, "FailedOperation.EngineServerLimitExceeded"],
    [500, undefined],
    [undefined, undefined],
  ] as const)("%s %s says nothing more", (status, code) => {
    expect(verdictOfError(status, code, undefined)).toBeUndefined();
  });
});

describe("verdictOfFinish", () => {
  it("content_filter and Hunyuan's sensitive withhold the output; the rest do not", () => {
    expect(verdictOfFinish("content_filter")).toEqual({ kind: "refused", side: "output", check: "content_filter" });
    expect(verdictOfFinish("sensitive")).toEqual({ kind: "refused", side: "output", check: "sensitive" });
    for (const finish of ["stop", "length", "tool_calls", "insufficient_system_resource", null, undefined]) expect(verdictOfFinish(finish)).toBeUndefined();
  });
});

describe("interruptedBy", () => {
  it("DeepSeek's insufficient_system_resource only", () => {
    expect(interruptedBy("insufficient_system_resource")).toBe(true);
    for (const finish of ["stop", "length", "content_filter", "sensitive", null, undefined]) expect(interruptedBy(finish)).toBe(false);
  });
});

describe("ProviderRefusal", () => {
  it("input: 422 blocked_input; output: 502 blocked_output; the category names provider and check, without an override's suffix", () => {
    const input = new ProviderRefusal("qwen", "input", "data_inspection_failed");
    expect(input).toMatchObject({ status: 422, code: "blocked_input", fields: { category: "qwen:data_inspection_failed" } });
    expect(input.message).toBe("the input was refused by the model provider's content check (qwen:data_inspection_failed)");
    const output = new ProviderRefusal("hunyuan@override", "output", "sensitive");
    expect(output).toMatchObject({ status: 502, code: "blocked_output", fields: { category: "hunyuan:sensitive" } });
    expect(output.message).toBe("the answer was withheld by the model provider's content check (hunyuan:sensitive)");
  });
});
