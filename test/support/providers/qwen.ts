// A Qwen double on DashScope's OpenAI-compatible mode (Alibaba Cloud Model Studio), from its
// public docs:
//  - Error messages: https://www.alibabacloud.com/help/en/model-studio/error-code and
//    https://help.aliyun.com/zh/dashscope/return-status-code-description
//    (400 DataInspectionFailed "Input or output data may contain inappropriate content." - in
//    compatible mode the body's code and type are `data_inspection_failed` and the message says
//    "Input data ..." or "Output data ..."; 400 Arrearage "Access denied, please make sure your
//    account is in good standing."; 400 InvalidParameter "parameter.enable_thinking must be set
//    to false for non-streaming calls" for a thinking model called whole)
//  - Deep thinking: https://help.aliyun.com/en/model-studio/deep-thinking
//    (`enable_thinking` in the body, not an OpenAI field; the chain of thought streams as
//    `reasoning_content`; with stream_options.include_usage the usage arrives in the last data
//    packet, whose `choices` is empty)
// Not settled by the pages reached: the exact compatible-mode body of a 429 (the double sends
// OpenAI's error object with code `limit_requests`) and whether it carries Retry-After (only
// when a test asks); which open Qwen3 models think by default (the double: names like
// `qwen3-8b`, `qwen3-235b-a22b` do, commercial `qwen-plus`/`qwen-turbo` do not, as the Deep
// thinking page describes the open and commercial defaults). An output refusal mid-stream comes
// as a `data: {"error":...}` event after the text already sent (as providers relaying DashScope
// show it; the pages only say "input or output").
import type { ServerResponse } from "node:http";
import { chunkOf, completionId, errorReply, openEventStream, piecesOf, sendEvent } from "./openaiShapes";
import { type Behaviour, type ProviderDouble, type Recorded, startProviderDouble } from "./providerDouble";
import { type Speech, speak } from "./speak";

export const QWEN_ANSWER = "Open Settings, tap Account, then Phone number to change it.";
export const QWEN_THOUGHT = "I am asked where to change a phone number. The answer is a menu path. ";

/** The exact body DashScope's compatible mode answers when its moderation refuses (400). */
export function dataInspectionFailedBody(side: "input" | "output"): Record<string, unknown> {
  return {
    error: { code: "data_inspection_failed", param: null, message: `${side === "input" ? "Input" : "Output"} data may contain inappropriate content.`, type: "data_inspection_failed" },
    id: completionId(),
    request_id: completionId("req"),
  };
}

const thinksByDefault = (model: string) => /^qwen3-\d/.test(model);
const thinking = (req: Recorded, model: string) => (typeof req.body.enable_thinking === "boolean" ? req.body.enable_thinking : thinksByDefault(model));

export interface QwenSay {
  text?: string;
  reasoning?: string;
  toolCalls?: Speech["toolCalls"];
  finish?: string;
}

function speechFor(req: Recorded, say: QwenSay): Speech {
  const model = typeof req.body.model === "string" ? req.body.model : "qwen-plus";
  const thinks = thinking(req, model);
  return {
    model,
    text: say.text ?? QWEN_ANSWER,
    ...(thinks ? { reasoning: say.reasoning ?? QWEN_THOUGHT.repeat(3) } : {}),
    ...(say.toolCalls ? { toolCalls: say.toolCalls } : {}),
    ...(say.finish ? { finish: say.finish } : {}),
    usageExtra: (reasoningTokens) => ({ prompt_tokens_details: { cached_tokens: 0 }, ...(thinks ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}) }),
  };
}

export const qwen = {
  answer: (say: QwenSay = {}): Behaviour => (req, res) => speak(req, res, speechFor(req, say)),
  /** Moderation refused the input: 400 before any text. */
  inputRefused: (): Behaviour => errorReply(400, dataInspectionFailedBody("input")),
  /** Moderation refused the output: whole call 400; a stream sends `said` first, then the error event. */
  outputRefused: (said = "Here is"): Behaviour => (req, res) => {
    if (req.body.stream !== true) return errorReply(400, dataInspectionFailedBody("output"))(req, res);
    const model = typeof req.body.model === "string" ? req.body.model : "qwen-plus";
    const id = completionId();
    openEventStream(res);
    for (const piece of piecesOf(said)) sendEvent(res, chunkOf(id, model, { content: piece }));
    sendEvent(res, dataInspectionFailedBody("output"));
    res.end();
  },
  /** The account is in arrears (out of money). */
  arrearage: (): Behaviour => errorReply(400, { error: { code: "Arrearage", param: null, message: "Access denied, please make sure your account is in good standing.", type: "Arrearage" } }),
  rateLimited: (retryAfterSeconds?: number): Behaviour =>
    errorReply(429, { error: { code: "limit_requests", param: null, message: "Requests rate limit exceeded, please try again later.", type: "limit_requests" } }, retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
};

function admit(req: Recorded, res: ServerResponse): boolean {
  const model = typeof req.body.model === "string" ? req.body.model : "";
  if (req.body.stream !== true && thinking(req, model)) {
    errorReply(400, { error: { code: "invalid_parameter_error", param: null, message: "parameter.enable_thinking must be set to false for non-streaming calls", type: "invalid_request_error" } })(req, res);
    return false;
  }
  return true;
}

export function startQwenDouble(): Promise<ProviderDouble> {
  return startProviderDouble({ basePath: "/compatible-mode/v1", admit, fallback: qwen.answer() });
}
