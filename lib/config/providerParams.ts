// Each provider API's own request-body parameters, by the names and types its docs give, so a
// models.yaml `params:` entry is checked at load (a misspelt or mistyped one stops the start)
// and can never carry a field of OpenAI's own request (model, messages, max_tokens, stream ...).
//  - dashscope: enable_thinking, thinking_budget, enable_search
//    (https://help.aliyun.com/en/model-studio/deep-thinking, .../model-studio/error-code);
//  - hunyuan: ChatCompletionsRequest's switches in snake_case, as the OpenAI-compatible endpoint
//    takes them (https://cloud.tencent.com/document/product/1729/111007; the SDK's
//    hunyuan_models.d.ts);
//  - deepseek and openai: none documented beyond OpenAI's own fields.
import * as z from "zod/mini";

export const PROVIDER_APIS = ["openai", "deepseek", "dashscope", "hunyuan"] as const;
export type ProviderApi = (typeof PROVIDER_APIS)[number];

export type ProviderParams = Readonly<Record<string, string | number | boolean>>;

/** A parameter's value as models.yaml may give it. */
export const paramValueSchema = z.union([z.string(), z.number(), z.boolean()]);

const flag = z.optional(z.boolean({ error: "expected true or false" }));

export const PROVIDER_PARAM_SCHEMAS: Readonly<Record<ProviderApi, z.ZodMiniType<ProviderParams>>> = {
  openai: z.strictObject({}),
  deepseek: z.strictObject({}),
  dashscope: z.strictObject({
    enable_thinking: flag,
    thinking_budget: z.optional(z.int({ error: "expected a whole number of tokens" }).check(z.gte(1, "expected at least 1"), z.lte(1_000_000, "expected at most 1000000"))),
    enable_search: flag,
  }),
  hunyuan: z.strictObject({
    enable_enhancement: flag,
    citation: flag,
    search_info: flag,
    enable_speed_search: flag,
    force_search_enhancement: flag,
    enable_recommended_questions: flag,
    stream_moderation: flag,
    enable_thinking: flag,
  }),
};

/** Problems with `params` for a provider of this API, each as "<name>: <what is wrong>". */
export function paramProblems(api: ProviderApi, params: Readonly<Record<string, unknown>>): string[] {
  const parsed = z.safeParse(PROVIDER_PARAM_SCHEMAS[api], params);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const keys = (issue as { keys?: string[] }).keys;
    const name = keys?.length ? keys.join(", ") : issue.path.join(".");
    return keys?.length ? `${name}: not a parameter ${api} documents` : `${name}: ${issue.message}`;
  });
}
