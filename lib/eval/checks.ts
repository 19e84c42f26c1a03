// One golden case's checks against one run. Returns the names of the checks that failed.
import type { RunOutcome } from "../replay/runProfile";
import type { Checks } from "./evalSet";
import { missingPicks, picksWithoutReason, unlistedPicks } from "./recommendChecks";
import { inventedOrderData, missingToolCalls } from "./supportChecks";

function textOf(answer: unknown): string {
  return typeof answer === "string" ? answer : JSON.stringify(answer ?? "");
}

function fieldsOf(input: Record<string, unknown>): string[] | undefined {
  return Array.isArray(input.fields) ? input.fields.map(String) : undefined;
}

export function failedChecks(checks: Checks, outcome: RunOutcome, input: Record<string, unknown>): string[] {
  if (!outcome.ok) return [`answered (${outcome.code ?? "error"})`];
  const failed: string[] = [];
  const text = textOf(outcome.answer);
  const lower = text.toLowerCase();
  const bullets = typeof outcome.answer === "string" ? outcome.answer.split("\n").filter((l) => l.trim() !== "").length : 0;
  if (checks.min_bullets !== undefined && bullets < checks.min_bullets) failed.push(`min_bullets ${checks.min_bullets} (got ${bullets})`);
  if (checks.max_bullets !== undefined && bullets > checks.max_bullets) failed.push(`max_bullets ${checks.max_bullets} (got ${bullets})`);
  for (const term of checks.required_terms ?? []) if (!lower.includes(term.toLowerCase())) failed.push(`required "${term}"`);
  for (const term of checks.forbidden_terms ?? []) if (lower.includes(term.toLowerCase())) failed.push(`forbidden "${term}"`);
  if (checks.json_schema_valid) {
    const fields = fieldsOf(input) ?? [];
    const answer = outcome.answer;
    const valid =
      answer !== null &&
      typeof answer === "object" &&
      !Array.isArray(answer) &&
      Object.keys(answer).sort().join(",") === [...fields].sort().join(",") &&
      Object.values(answer).every((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
    if (!valid) failed.push("json_schema_valid");
  }
  for (const [field, expected] of Object.entries(checks.expect_fields ?? {})) {
    const got = (outcome.answer as Record<string, unknown> | null)?.[field];
    if (got !== expected) failed.push(`expect ${field}=${JSON.stringify(expected)} (got ${JSON.stringify(got)})`);
  }
  failed.push(...intentChecks(checks, outcome, input, text));
  if (checks.max_latency_ms !== undefined && outcome.ms > checks.max_latency_ms) failed.push(`max_latency_ms ${checks.max_latency_ms} (took ${outcome.ms})`);
  if (checks.max_tokens !== undefined && (outcome.usage?.totalTokens ?? 0) > checks.max_tokens) failed.push(`max_tokens ${checks.max_tokens} (used ${outcome.usage?.totalTokens})`);
  return failed;
}

/** The checks that fit one intent: support's tool use and order data, recommend's picks. */
function intentChecks(checks: Checks, outcome: RunOutcome, input: Record<string, unknown>, text: string): string[] {
  const calls = outcome.toolCalls ?? [];
  return [
    ...(checks.tools_called ? missingToolCalls(checks.tools_called, calls) : []),
    ...(checks.no_invented_order_data ? inventedOrderData(text, calls, JSON.stringify(input)) : []),
    ...(checks.only_listed_ids ? unlistedPicks(outcome.answer, input) : []),
    ...(checks.reasons_present ? picksWithoutReason(outcome.answer) : []),
    ...(checks.required_ids ? missingPicks(checks.required_ids, outcome.answer) : []),
  ];
}
