// Safety rules of the environment: input rules before any provider sees the text (422
// blocked_input), output rules after the model answered (502 blocked_output). Neither
// message repeats the matched text.
import { AppError } from "../appError";
import type { Safety } from "../config/schema";
import type { AskContext } from "../intents/intent";

/** Lower-case, NFKC (full-width -> ASCII), no whitespace: "Ｉｇｎｏｒｅ  all" finds "ignore all". */
function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

const INJECTION_PATTERNS = [
  /ignore\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts?|rules)/i,
  /disregard\s+(all\s+|the\s+)?(previous|prior|above|system)\s+(instructions|prompts?)/i,
  /(reveal|print|show|repeat)\s+(me\s+)?(your|the)\s+(system\s+prompt|instructions)/i,
  /you\s+are\s+now\s+(in\s+)?(developer|dan|jailbreak)\s*mode/i,
  /忽略(之前|以上|前面|上面)的?(所有)?(指令|指示|规则|提示)/,
  /(输出|告诉我|显示|重复)(你的)?(系统提示|系统指令|提示词)/,
];

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

export function createInputGuard(safety: Safety) {
  const terms = safety.blocked_input_terms.map(fold);
  return function guardInput(input: unknown, context: AskContext | undefined): void {
    const texts = [...stringsOf(input), ...stringsOf(context ?? {})];
    const length = texts.reduce((sum, t) => sum + t.length, 0);
    if (length > safety.max_input_chars) {
      throw new AppError(422, "blocked_input", `the input is longer than this service accepts (${safety.max_input_chars} characters)`);
    }
    const folded = texts.map(fold);
    if (terms.some((term) => folded.some((text) => text.includes(term)))) {
      throw new AppError(422, "blocked_input", "the input contains content this service does not accept");
    }
    if (safety.block_prompt_injection && texts.some((text) => INJECTION_PATTERNS.some((p) => p.test(text.normalize("NFKC"))))) {
      throw new AppError(422, "blocked_input", "the input tries to change the assistant's instructions");
    }
  };
}

export function createOutputGuard(safety: Safety, systemPrompt: string) {
  const terms = safety.blocked_output_terms.map(fold);
  // Lines long enough that repeating one is a leak, not a coincidence.
  const promptLines = systemPrompt.split("\n").map(fold).filter((line) => line.length >= 24);
  return function guardOutput(text: string): void {
    const folded = fold(text);
    if (terms.some((term) => folded.includes(term))) {
      throw new AppError(502, "blocked_output", "the answer was withheld by the output filter");
    }
    if (safety.block_prompt_leak && promptLines.some((line) => folded.includes(line))) {
      throw new AppError(502, "blocked_output", "the answer was withheld by the output filter");
    }
  };
}

/** One output guard per profile, built once (each knows its own system prompt). */
export function createOutputGuards(profiles: Readonly<Record<string, { system_prompt: string }>>, safety: Safety): (profile: string) => (text: string) => void {
  const guards = new Map(Object.entries(profiles).map(([name, p]) => [name, createOutputGuard(safety, p.system_prompt)]));
  return (profile) => guards.get(profile) ?? (() => undefined);
}
