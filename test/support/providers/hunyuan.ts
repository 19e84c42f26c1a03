// A Hunyuan double on Tencent's OpenAI-compatible endpoint, from Tencent's public docs:
//  - OpenAI-compatible examples: https://cloud.tencent.com/document/product/1729/111007
//    (base_url https://api.hunyuan.cloud.tencent.com/v1; Hunyuan's own parameters go in the body
//    beside OpenAI's, e.g. "enable_enhancement": true; 5 concurrent sessions by default)
//  - ChatCompletions (the native API whose parameters the compatible body carries in snake_case):
//    https://cloud.tencent.com/document/api/1729/105701, and the SDK's types
//    (node_modules/tencentcloud-sdk-nodejs/tencentcloud/services/hunyuan/v20230901/hunyuan_models.d.ts):
//    EnableEnhancement, Citation, SearchInfo, EnableSpeedSearch, ForceSearchEnhancement,
//    EnableRecommendedQuestions, StreamModeration, EnableThinking (hunyuan-a13b only);
//    FinishReason "stop, sensitive or tool_calls" - "sensitive only appears with streamed output
//    moderation on (the default) and means the safety review failed", possibly after part of the
//    content was already streamed ("withdraw what is on screen");
//  - Error codes (the SDK's HunyuanErrorCode list): FailedOperation.ResourcePackExhausted and
//    FreeResourcePackExhausted ("resource pack used up, buy one or switch to pay-as-you-go"),
//    FailedOperation.ServiceStopArrears ("service stopped for arrears"),
//    FailedOperation.EngineServerLimitExceeded ("engine over its limit; retry later"),
//    FailedOperation.EngineServerError, FailedOperation.EngineRequestTimeout.
// Not settled by the docs reached: the HTTP status and body the compatible endpoint wraps those
// codes in (the double: OpenAI's error object with Tencent's code in `code`; 429 for the limit,
// 400 for exhausted packs and arrears, 500/504 for engine faults), what a non-streamed call
// returns when moderation refuses (the double: finish_reason "sensitive" and no content), and
// whether the input is refused differently from the output (the double: the same "sensitive",
// before any text).
import type { ServerResponse } from "node:http";
import { errorReply } from "./openaiShapes";
import { type Behaviour, type ProviderDouble, type Recorded, startProviderDouble } from "./providerDouble";
import { type Speech, speak } from "./speak";

export const HUNYUAN_ANSWER = "在“设置 - 账号 - 手机号”里可以更换绑定的手机号。";

/** Hunyuan's own body parameters with their types (ChatCompletionsRequest, snake_case). */
export const HUNYUAN_PARAMETERS: Readonly<Record<string, "boolean">> = {
  enable_enhancement: "boolean",
  citation: "boolean",
  search_info: "boolean",
  enable_speed_search: "boolean",
  force_search_enhancement: "boolean",
  enable_recommended_questions: "boolean",
  stream_moderation: "boolean",
  enable_thinking: "boolean",
};

const tencentError = (code: string, message: string) => ({ error: { message, type: "api_error", param: null, code } });

export interface HunyuanSay {
  text?: string;
  toolCalls?: Speech["toolCalls"];
}

function speechFor(req: Recorded, say: HunyuanSay, finish?: string): Speech {
  return {
    model: typeof req.body.model === "string" ? req.body.model : "hunyuan-turbos-latest",
    text: say.text ?? HUNYUAN_ANSWER,
    ...(say.toolCalls ? { toolCalls: say.toolCalls } : {}),
    ...(finish ? { finish } : {}),
  };
}

export const hunyuan = {
  answer: (say: HunyuanSay = {}): Behaviour => (req, res) => speak(req, res, speechFor(req, say)),
  /** Moderation refused: a stream sends `said` (what passed so far), then finish_reason "sensitive". */
  sensitive: (said = ""): Behaviour => (req, res) => speak(req, res, speechFor(req, { text: req.body.stream === true ? said : "" }, "sensitive")),
  resourcePackExhausted: (): Behaviour => errorReply(400, tencentError("FailedOperation.ResourcePackExhausted", "资源包余量已用尽，请购买资源包或开通后付费。")),
  serviceStopArrears: (): Behaviour => errorReply(400, tencentError("FailedOperation.ServiceStopArrears", "欠费停服。")),
  rateLimited: (retryAfterSeconds?: number): Behaviour =>
    errorReply(429, tencentError("FailedOperation.EngineServerLimitExceeded", "引擎层请求超过限额；请稍后重试。"), retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
  engineError: (): Behaviour => errorReply(500, tencentError("FailedOperation.EngineServerError", "引擎层内部错误；请稍后重试。")),
};

/** A Hunyuan parameter of the wrong type is refused (InvalidParameterValue) before the model runs. */
function admit(req: Recorded, res: ServerResponse): boolean {
  for (const [name, type] of Object.entries(HUNYUAN_PARAMETERS)) {
    if (name in req.body && typeof req.body[name] !== type) {
      errorReply(400, tencentError("InvalidParameterValue", `参数取值错误: ${name}`))(req, res);
      return false;
    }
  }
  return true;
}

export function startHunyuanDouble(): Promise<ProviderDouble> {
  return startProviderDouble({ basePath: "/v1", admit, fallback: hunyuan.answer() });
}
