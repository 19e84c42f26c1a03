// A DeepSeek double, from DeepSeek's public API docs:
//  - Create Chat Completion: https://api-docs.deepseek.com/api/create-chat-completion
//    (finish_reason: stop, length, content_filter, tool_calls, insufficient_system_resource;
//    stream_options.include_usage: one more chunk before [DONE], `choices` always empty;
//    usage: prompt_cache_hit_tokens, prompt_cache_miss_tokens, completion_tokens_details.reasoning_tokens)
//  - Reasoning Model (deepseek-reasoner): https://api-docs.deepseek.com/guides/reasoning_model
//    (`reasoning_content` at the same level as `content`, streamed first; max_tokens counts the
//    chain of thought too)
//  - Rate Limit: https://api-docs.deepseek.com/quick_start/rate_limit
//    (under load a non-streamed request gets empty lines, a streamed one `: keep-alive` SSE
//    comments, until inference starts; "not started inference after 10 minutes": closed)
//  - Error Codes: https://api-docs.deepseek.com/quick_start/error_codes
//    (400 Invalid Format, 401 Authentication Fails, 402 Insufficient Balance, 422 Invalid
//    Parameters, 429 Rate Limit Reached, 500 Server Error, 503 Server Overloaded)
// Not settled by the docs: the error body's fields. The double answers OpenAI's error object
// ({"error":{"message","type","param","code"}}) with the docs' description as the message; the
// Rate Limit page says nothing about Retry-After, so a 429 carries it only when a test asks.
import type { ServerResponse } from "node:http";
import { errorReply, sleep } from "./openaiShapes";
import { type Behaviour, type ProviderDouble, type Recorded, startProviderDouble } from "./providerDouble";
import { type Speech, speak } from "./speak";

export const DEEPSEEK_ANSWER = "You can change the phone number under Settings, then Account, then Phone.";
/** What deepseek-reasoner thinks before it answers (the double's own words). */
export const DEEPSEEK_THOUGHT = "The user wants to know where a setting lives. I should name the menu path and nothing else. ";

const usageExtra = (req: Recorded) => (reasoningTokens: number) => ({
  prompt_cache_hit_tokens: 0,
  prompt_cache_miss_tokens: 0,
  ...(req.body.model === "deepseek-reasoner" ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}),
});

export interface DeepSeekSay {
  text?: string;
  reasoning?: string;
  toolCalls?: Speech["toolCalls"];
  finish?: string;
  gapMs?: number;
}

function speechFor(req: Recorded, say: DeepSeekSay): Speech {
  const model = typeof req.body.model === "string" ? req.body.model : "deepseek-chat";
  const reasoner = model === "deepseek-reasoner";
  return {
    model,
    text: say.text ?? DEEPSEEK_ANSWER,
    ...(reasoner ? { reasoning: say.reasoning ?? DEEPSEEK_THOUGHT.repeat(3) } : {}),
    ...(say.toolCalls ? { toolCalls: say.toolCalls } : {}),
    ...(say.finish ? { finish: say.finish } : {}),
    ...(say.gapMs ? { gapMs: say.gapMs } : {}),
    usageExtra: usageExtra(req),
  };
}

export const deepseek = {
  /** An answer (deepseek-reasoner: its reasoning_content first). */
  answer: (say: DeepSeekSay = {}): Behaviour => (req, res) => speak(req, res, speechFor(req, say)),
  /**
   * Under load (Rate Limit page): empty lines before a whole body, `: keep-alive` comments before
   * a stream's first chunk, every `everyMs` for `forMs`, then the answer.
   */
  busy: (forMs: number, everyMs: number, say: DeepSeekSay = {}): Behaviour => (req, res) => {
    const wait = async (r: ServerResponse, line: string) => {
      for (let waited = 0; waited < forMs; waited += everyMs) {
        r.write(line);
        await sleep(everyMs);
      }
    };
    return speak(req, res, { ...speechFor(req, say), beforeBody: (r) => wait(r, "\n"), beforeChunks: (r) => wait(r, ": keep-alive\n\n") });
  },
  /** 402 - Insufficient Balance: "You have run out of balance". */
  insufficientBalance: (): Behaviour => errorReply(402, { error: { message: "Insufficient Balance", type: "unknown_error", param: null, code: "invalid_request_error" } }),
  /** 429 - Rate Limit Reached (Retry-After only when given: DeepSeek does not document one). */
  rateLimited: (retryAfterSeconds?: number): Behaviour =>
    errorReply(429, { error: { message: "Rate Limit Reached", type: "rate_limit_error", param: null, code: "rate_limit_reached" } }, retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
  /** 503 - Server Overloaded. */
  overloaded: (): Behaviour => errorReply(503, { error: { message: "Server Overloaded", type: "server_error", param: null, code: "server_overloaded" } }),
  /** finish_reason content_filter: "content was omitted due to a flag from our content filters" (after what was said). */
  contentFilter: (said = ""): Behaviour => (req, res) => speak(req, res, { ...speechFor(req, { text: said }), finish: "content_filter" }),
  /** finish_reason insufficient_system_resource: "the request is interrupted due to insufficient resource of the inference system". */
  interrupted: (said = ""): Behaviour => (req, res) => speak(req, res, { ...speechFor(req, { text: said }), finish: "insufficient_system_resource" }),
};

/** 401 - Authentication Fails without a bearer key (checked before anything else). */
function admit(req: Recorded, res: ServerResponse): boolean {
  if (/^Bearer \S+/.test(req.headers.authorization ?? "")) return true;
  errorReply(401, { error: { message: "Authentication Fails, Your api key: ****None is invalid", type: "authentication_error", param: null, code: "invalid_request_error" } })(req, res);
  return false;
}

export function startDeepSeekDouble(): Promise<ProviderDouble> {
  return startProviderDouble({ basePath: "/v1", admit, fallback: deepseek.answer() });
}
