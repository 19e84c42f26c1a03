// Two local OpenAI-compatible upstreams as a provider chain: the first one to break, the second
// to fall back to. Real HTTP, each its own server.
import type { ModelTarget } from "../../lib/models/modelTargets";
import { type LocalUpstream, startLocalUpstream } from "../../scripts/local-upstream/server";

export interface TwoProviders {
  first: LocalUpstream;
  second: LocalUpstream;
  chain: ModelTarget[];
  close(): Promise<void>;
}

export async function startTwoProviders(timeoutMs = 300): Promise<TwoProviders> {
  const first = await startLocalUpstream();
  const second = await startLocalUpstream();
  return {
    first,
    second,
    chain: [
      { provider: "first", model: "m1", baseUrl: first.url, apiKey: "k1", timeoutMs, jsonSchema: false, sendUser: true },
      { provider: "second", model: "m2", baseUrl: second.url, apiKey: "k2", timeoutMs, jsonSchema: false, sendUser: true },
    ],
    async close() {
      await first.close();
      await second.close();
    },
  };
}
