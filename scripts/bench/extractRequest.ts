// The bench's request: the `extract` intent on a different input each time, and the very chat
// request miniask sends the provider for it (so direct, floor and miniask rows ask the
// upstream for the same work).
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { environmentOf, loadConfig } from "../../lib/config/loadConfig";
import { readConfigFiles } from "../../lib/config/readConfigFiles";
import { INTENTS } from "../../lib/intents/registry";
import { ROOT } from "./processes";

export function extractRequests(payloadBytes: number) {
  const filler = "Mini Programs are thin clients and keep keys on the server. ".repeat(Math.ceil(payloadBytes / 60)).slice(0, payloadBytes);
  const input = (i: number) => ({ text: `Order id: A-${i}. City: Hangzhou. ${filler}`, fields: ["order_id", "city"] });
  const config = loadConfig(readConfigFiles(ROOT));
  const profile = config.profiles[environmentOf(config, "dev").routing.extract]!;
  const chain = config.aliases[profile.model]?.dev ?? [];
  const chat = (i: number): ChatCompletionCreateParamsNonStreaming => ({
    model: chain[0]?.model ?? "local-fast",
    messages: [{ role: "system", content: profile.system_prompt }, ...INTENTS.extract.prepare(input(i), undefined).messages],
    max_tokens: profile.max_tokens,
    ...(profile.temperature === undefined ? {} : { temperature: profile.temperature }),
  });
  return {
    filler,
    input,
    /** The chat request miniask sends for input i, as an object. */
    chat,
    /** The same, as the JSON body a direct or floor request sends. */
    directBody: (i: number, stream = false) => JSON.stringify({ ...chat(i), ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
    /** The /v1/mini/ask body for input i. */
    askBody: (i: number, userId = "u_bench") => JSON.stringify({ intent: "extract", userId, input: input(i) }),
  };
}
