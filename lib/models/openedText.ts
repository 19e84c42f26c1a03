// A text already whole (a reply read to its end, a cached draft) relayed like a model's stream:
// one delta, through the same relay, output rules and content gate as any stream.
import type { Attempt, Usage } from "../chat/types";
import type { OpenedStream } from "./streamModelChain";

export function openedText(text: string, from: { provider: string; model: string; usage: Usage; attempts: Attempt[] }): OpenedStream {
  return {
    provider: from.provider,
    attempts: from.attempts,
    async *deltas() {
      yield text;
      return { model: from.model, usage: from.usage };
    },
  };
}
