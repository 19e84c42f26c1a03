// What a provider's own error code or finish_reason says beyond "it failed": the user's content
// was refused by the provider's moderation, or the account is out of money. Matched on the
// provider's stable code (never its message, which can echo the prompt); the codes, per docs:
//  - DashScope (Qwen, compatible mode): 400 `data_inspection_failed` "Input/Output data may
//    contain inappropriate content"; 400 `Arrearage` for an account in arrears
//    (https://www.alibabacloud.com/help/en/model-studio/error-code);
//  - DeepSeek: 402 Insufficient Balance (https://api-docs.deepseek.com/quick_start/error_codes);
//    finish_reason `content_filter`;
//  - Hunyuan: FailedOperation.ResourcePackExhausted / FreeResourcePackExhausted /
//    ServiceStopArrears (the SDK's HunyuanErrorCode); finish_reason `sensitive` when its
//    output moderation refuses (ChatCompletions, FinishReason);
//  - OpenAI and the compatible rest: finish_reason `content_filter`; 429 `insufficient_quota`
//    ("You exceeded your current quota"), which is money, not rate.
import { AppError } from "../appError";
import { WireError } from "../openaiWire";

export type ProviderVerdict =
  /** The provider's moderation refused the user's input or the model's output. */
  | { kind: "refused"; side: "input" | "output"; check: string }
  /** The provider's account cannot pay for calls: skip it until an operator acts. */
  | { kind: "out_of_funds"; check: string };

const OUT_OF_FUNDS_CODES = new Set(["Arrearage", "insufficient_quota", "FailedOperation.ResourcePackExhausted", "FailedOperation.FreeResourcePackExhausted", "FailedOperation.ServiceStopArrears"]);
const REFUSAL_CODES = new Set(["data_inspection_failed", "DataInspectionFailed", "content_filter"]);

/** An HTTP error's (or a stream error event's) meaning, from its status and the provider's code. */
export function verdictOfError(status: number | undefined, code: string | undefined, side: "input" | "output" | undefined): ProviderVerdict | undefined {
  if (code !== undefined && REFUSAL_CODES.has(code)) return { kind: "refused", side: side ?? "input", check: code };
  if (code !== undefined && OUT_OF_FUNDS_CODES.has(code)) return { kind: "out_of_funds", check: code };
  if (status === 402) return { kind: "out_of_funds", check: "payment_required" };
  return undefined;
}

/** What a failed call's WireError says beyond its kind (its status and the provider's code). */
export function verdictOfFailure(err: unknown): ProviderVerdict | undefined {
  if (!(err instanceof WireError)) return undefined;
  return verdictOfError(err.status, err.providerCode, err.providerSide);
}

/** finish_reason values that mean the provider's check withheld the output. */
export function verdictOfFinish(finish: string | null | undefined): ProviderVerdict | undefined {
  if (finish === "content_filter" || finish === "sensitive") return { kind: "refused", side: "output", check: finish };
  return undefined;
}

/**
 * The user's content refused by a provider's check: 422 blocked_input or 502 blocked_output, the
 * category naming the provider and its check (`qwen:data_inspection_failed`). Not a provider
 * failure: the chain stops here (the same content is not sent to the next provider) and the
 * breaker counts the call as answered.
 */
export class ProviderRefusal extends AppError {
  constructor(
    readonly provider: string,
    readonly side: "input" | "output",
    readonly check: string,
  ) {
    const category = `${provider.replace(/@override$/, "")}:${check}`;
    super(
      side === "input" ? 422 : 502,
      side === "input" ? "blocked_input" : "blocked_output",
      side === "input" ? `the input was refused by the model provider's content check (${category})` : `the answer was withheld by the model provider's content check (${category})`,
      {},
      undefined,
      { category },
    );
  }
}

/**
 * finish_reason values that mean the provider stopped the reply on its side, not the model:
 * DeepSeek's `insufficient_system_resource` ("the request is interrupted due to insufficient
 * resource of the inference system", https://api-docs.deepseek.com/api/create-chat-completion).
 * A failure of the target, like a 503: the next provider answers while nothing was sent.
 */
export function interruptedBy(finish: string | null | undefined): boolean {
  return finish === "insufficient_system_resource";
}

/** A reply the model itself declined (OpenAI's `refusal` field): withheld as the provider's check. */
export const MODEL_REFUSAL_CHECK = "refusal";
