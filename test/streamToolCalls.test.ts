// Tool calls in a stream (issue 26): a provider's stream that asks for tools sends each call in
// pieces (OpenAI's shape: id and name first, then the arguments, each piece naming its call by
// index); openModelStream puts them back together and says whether the reply began with them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelTarget } from "../lib/models/modelTargets";
import { type OpenedStream, openModelStream } from "../lib/models/streamModelChain";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";

const request = { messages: [{ role: "user" as const, content: "Question: where is my order A-1001?" }], maxTokens: 200 };

async function readAll(opened: OpenedStream) {
  const deltas = opened.deltas();
  const texts: string[] = [];
  let next = await deltas.next();
  while (!next.done) {
    texts.push(next.value);
    next = await deltas.next();
  }
  return { texts, totals: next.value };
}

describe("openModelStream and tool calls", () => {
  let upstream: LocalUpstream;
  let chain: ModelTarget[];
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    chain = [{ provider: "local", model: "m", baseUrl: upstream.url, apiKey: "k", timeoutMs: 2000, jsonSchema: false, sendUser: false }];
  });
  afterAll(() => upstream.close());

  it("puts calls split across chunks back together, in order, and says the reply began with them", async () => {
    const calls = [
      { name: "faq_lookup", arguments: '{"query":"shipping times"}' },
      { name: "order_status", arguments: '{"orderId":"A-1001"}' },
    ];
    upstream.enqueue({ toolCalls: calls, toolCallPieceChars: 3 });
    const opened = await openModelStream(chain, request, { budgetMs: 5000 });
    expect(opened.toolCallsFirst).toBe(true);
    const { texts, totals } = await readAll(opened);
    expect(texts).toEqual([]);
    expect(totals.toolCalls).toEqual([
      { id: "call_local_0", name: "faq_lookup", arguments: calls[0]!.arguments },
      { id: "call_local_1", name: "order_status", arguments: calls[1]!.arguments },
    ]);
  });

  it("relays text said before tool calls as it comes, the calls in the totals", async () => {
    upstream.enqueue({ content: "One moment please.", toolCalls: [{ name: "faq_lookup", arguments: '{"query":"refund"}' }], toolCallPieceChars: 4 });
    const opened = await openModelStream(chain, request, { budgetMs: 5000 });
    expect(opened.toolCallsFirst).toBeUndefined();
    const { texts, totals } = await readAll(opened);
    expect(texts.join("")).toBe("One moment please.");
    expect(totals.toolCalls).toEqual([{ id: "call_local_0", name: "faq_lookup", arguments: '{"query":"refund"}' }]);
  });

  it("reports no tool calls for a plain answer", async () => {
    upstream.enqueue({ content: "Your order ships today." });
    const { totals } = await readAll(await openModelStream(chain, request, { budgetMs: 5000 }));
    expect(totals.toolCalls).toBeUndefined();
  });
});
