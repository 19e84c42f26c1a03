// A provider's reported usage is believed only up to what the call could have used.
import { describe, expect, it } from "vitest";
import { ZERO_USAGE, addUsage, believedUsage, estimateTokens, estimatedUsage, reportedUsage, usageBound } from "../lib/chat/usage";
import type { Usage } from "../lib/chat/types";

const request = { messages: [{ role: "system" as const, content: "Be brief." }, { role: "user" as const, content: "总结一下" }], maxTokens: 200 };

describe("usageBound", () => {
  it("counts the prompt's UTF-8 bytes plus 16 a message and one more, and max_tokens", () => {
    // "Be brief." is 9 bytes, "总结一下" 12.
    expect(usageBound(request)).toEqual({ promptTokens: 9 + 12 + 16 * 3, completionTokens: 200 });
  });
  it("counts tool calls, tool results and tool definitions as prompt", () => {
    const withTools = {
      messages: [
        { role: "assistant" as const, content: null, tool_calls: [{ id: "c1", type: "function" as const, function: { name: "f", arguments: "{}" } }] },
        { role: "tool" as const, tool_call_id: "c1", content: "ok" },
      ],
      maxTokens: 10,
      tools: [{ type: "function" }],
    };
    const calls = JSON.stringify(withTools.messages[0]!.tool_calls);
    expect(usageBound(withTools).promptTokens).toBe(Buffer.byteLength(calls) + 2 + JSON.stringify(withTools.tools).length + 16 * 3);
    expect(usageBound({ ...withTools, tools: [] }).promptTokens).toBe(Buffer.byteLength(calls) + 2 + 2 + 16 * 3);
    const { tools: _none, ...noTools } = withTools;
    expect(usageBound(noTools).promptTokens).toBe(Buffer.byteLength(calls) + 2 + 16 * 3);
  });
});

describe("believedUsage", () => {
  const bound = usageBound(request);
  it("keeps usage within the bound as it is, and says nothing", () => {
    const calls: unknown[] = [];
    const usage: Usage = { promptTokens: bound.promptTokens, completionTokens: 200, totalTokens: bound.promptTokens + 200 };
    expect(believedUsage(usage, request, (...a) => calls.push(a))).toBe(usage);
    expect(calls).toEqual([]);
  });
  it("clamps a completion past max_tokens, and tells once with what was reported and the bound", () => {
    const calls: unknown[] = [];
    const reported: Usage = { promptTokens: 30, completionTokens: 9_999_999, totalTokens: 10_000_029 };
    expect(believedUsage(reported, request, (...a) => calls.push(a))).toEqual({ promptTokens: 30, completionTokens: 200, totalTokens: 230 });
    expect(calls).toEqual([[reported, bound]]);
  });
  it("clamps a prompt past its bytes", () => {
    const reported: Usage = { promptTokens: bound.promptTokens + 1, completionTokens: 5, totalTokens: bound.promptTokens + 6 };
    expect(believedUsage(reported, request)).toEqual({ promptTokens: bound.promptTokens, completionTokens: 5, totalTokens: bound.promptTokens + 5 });
  });
});

describe("the rest of usage.ts", () => {
  it("adds usages field by field", () => {
    expect(addUsage({ promptTokens: 1, completionTokens: 2, totalTokens: 3 }, { promptTokens: 10, completionTokens: 20, totalTokens: 30 })).toEqual({ promptTokens: 11, completionTokens: 22, totalTokens: 33 });
    expect(ZERO_USAGE).toEqual({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    expect(Object.isFrozen(ZERO_USAGE)).toBe(true);
  });
  it("estimates four characters a token, rounded up, for prompt and completion", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
    expect(estimatedUsage([{ role: "system", content: "abc" }, { role: "user", content: "defg" }], "hijklmnop")).toEqual({ promptTokens: 2, completionTokens: 3, totalTokens: 5 });
    // Messages join with a newline: 4 + 1 + 4 characters.
    expect(estimatedUsage([{ role: "system", content: "abcd" }, { role: "user", content: "efgh" }], "").promptTokens).toBe(3);
    expect(estimatedUsage([{ role: "assistant", content: null, tool_calls: [] }], "")).toEqual({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
  });
  it("believes reported usage of whole counts from 0 to ten million, and totals it itself", () => {
    expect(reportedUsage({ prompt_tokens: 3, completion_tokens: 4 })).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(reportedUsage({ prompt_tokens: 0, completion_tokens: 10_000_000 })).toEqual({ promptTokens: 0, completionTokens: 10_000_000, totalTokens: 10_000_000 });
    for (const bad of [-1, 1.5, 10_000_001, "3", null, Number.NaN]) {
      expect(reportedUsage({ prompt_tokens: bad, completion_tokens: 1 })).toBeUndefined();
      expect(reportedUsage({ prompt_tokens: 1, completion_tokens: bad })).toBeUndefined();
    }
    expect(reportedUsage(null)).toBeUndefined();
    expect(reportedUsage(undefined)).toBeUndefined();
  });
});
