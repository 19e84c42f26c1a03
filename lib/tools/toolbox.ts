// The tools of the config, ready to run: definitions for the model, validators built once.
import * as z from "zod/mini";
import type { Config } from "../config/loadConfig";
import type { ToolParameters } from "../config/schema";
import type { ToolCall, ToolDefinition } from "../chat/types";
import { describeIssueAt } from "../validation/describeIssue";
import { faqLookup } from "./faqLookup";
import { AppError } from "../appError";
import { type ToolCaller, callHttpTool } from "./httpTool";
import { jsonSchemaToZod } from "./jsonSchemaToZod";

const FAQ_PARAMETERS: ToolParameters = { type: "object", properties: { query: { type: "string", minLength: 1, maxLength: 500, description: "what the user asked" } }, required: ["query"] };

export interface ToolOutcome {
  content: string;
  ok: boolean;
  /** Why a call failed, for the log (never shown to the user). */
  error?: string;
}

export interface ToolLimits {
  maxRounds: number;
  maxCallsPerRound: number;
  maxCallsPerRequest: number;
  /** All of one request's tool calls together. */
  maxTotalMs: number;
}

export interface Toolbox extends ToolLimits {
  definitions(names: readonly string[]): ToolDefinition[];
  /** Runs one call for `caller`, within `timeoutMs` (what is left of the request's tool time). */
  run(call: ToolCall, caller: ToolCaller, timeoutMs: number): Promise<ToolOutcome>;
}

export function createToolbox(config: Config): Toolbox {
  const entries = Object.entries(config.tools.tools).map(([name, tool]) => {
    const parameters = tool.kind === "faq" ? FAQ_PARAMETERS : tool.parameters;
    return [name, { tool, parameters, validate: jsonSchemaToZod(parameters) }] as const;
  });
  const byName = new Map(entries);
  return {
    maxRounds: config.tools.max_rounds,
    maxCallsPerRound: config.tools.max_calls_per_round,
    maxCallsPerRequest: config.tools.max_calls_per_request,
    maxTotalMs: config.tools.max_total_ms,
    definitions: (names) =>
      names.flatMap((name) => {
        const entry = byName.get(name);
        return entry ? [{ type: "function" as const, function: { name, description: entry.tool.description, parameters: entry.parameters } }] : [];
      }),
    async run(call, caller, timeoutMs) {
      const entry = byName.get(call.name);
      if (!entry) return { ok: false, content: JSON.stringify({ error: `no tool named ${call.name}` }), error: "unknown_tool" };
      let args: unknown;
      try {
        args = JSON.parse(call.arguments || "{}");
      } catch {
        return { ok: false, content: JSON.stringify({ error: "arguments are not valid JSON" }), error: "invalid_arguments" };
      }
      const parsed = z.safeParse(entry.validate, args);
      if (!parsed.success) {
        const why = parsed.error.issues[0] ? describeIssueAt(parsed.error.issues[0], args) : "invalid";
        return { ok: false, content: JSON.stringify({ error: `invalid arguments: ${why}` }), error: "invalid_arguments" };
      }
      try {
        if (entry.tool.kind === "faq") {
          const found = faqLookup(config.faq, String(parsed.data.query), entry.tool.max_results);
          return { ok: true, content: JSON.stringify(found.length > 0 ? found : { result: "no matching FAQ entry" }) };
        }
        return { ok: true, content: await callHttpTool(entry.tool, parsed.data, caller, timeoutMs) };
      } catch (err) {
        if (err instanceof AppError) return { ok: false, content: JSON.stringify({ error: err.message }), error: err.code };
        const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : err instanceof Error && "code" in err ? String(err.code) : "failed";
        return { ok: false, content: JSON.stringify({ error: "the tool is unavailable right now" }), error: reason };
      }
    },
  };
}
