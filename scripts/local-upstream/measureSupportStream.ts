// When a support answer's first text reaches the client, streamed (each round a stream: a tool
// round, then the answer as the model writes) against whole (the same calls, one JSON reply),
// with a tool round and without one, through the real pipeline over HTTP, the local upstream
// writing one word per `WORD_MS` (a model's pace, simulated: a whole reply waits as long as its
// stream takes). Run: npx tsx scripts/local-upstream/measureSupportStream.ts
import { randomUUID } from "node:crypto";
import { startHarness } from "../../test/support/harness";

const WORD_MS = 20;
const RUNS = 5;
const ANSWER = Array.from({ length: 8 }, (_, i) => `Step ${i + 1}: open the app settings, choose the account page and follow the prompt there.`).join(" ").slice(0, 400);
const WORDS = ANSWER.split(/\s+/).length;
const TOOL = { toolCalls: [{ name: "faq_lookup", arguments: '{"query":"reset password"}' }], delayMs: 50 };
const CASES = { "tool round, streamed": [true, true], "tool round, whole": [false, true], "no tool, streamed": [true, false], "no tool, whole": [false, false] } as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const h = await startHarness({ env: "dev" });
  const ask = async (stream: boolean) => {
    const started = performance.now();
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_measure")}`, "x-miniask-cache": "bypass" },
      body: JSON.stringify({ intent: "support", userId: "u_measure", input: { question: `How do I reset my password? ${randomUUID()}` }, stream }),
    });
    let first: number | undefined;
    let deltas = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      deltas += text.split("event: delta").length - 1;
      // Streamed: the first delta event; whole: the JSON's first byte (the whole answer is in it).
      if (!stream || deltas > 0) first ??= performance.now() - started;
    }
    return { first: first ?? NaN, total: performance.now() - started, deltas };
  };
  try {
    const rows = new Map<string, { first: number[]; total: number[]; deltas: number[] }>();
    for (let i = 0; i < RUNS; i++) {
      for (const [name, [stream, tool]] of Object.entries(CASES)) {
        const writing = stream ? { content: ANSWER, chunkDelayMs: WORD_MS } : { content: ANSWER, delayMs: WORD_MS * WORDS };
        if (tool) h.upstream.enqueue(TOOL, writing);
        else h.upstream.enqueue(writing);
        const r = await ask(stream);
        const row = rows.get(name) ?? { first: [], total: [], deltas: [] };
        row.first.push(r.first);
        row.total.push(r.total);
        row.deltas.push(r.deltas);
        rows.set(name, row);
      }
    }
    console.log(`support_v2, a ${ANSWER.length}-character answer (${WORDS} words at ${WORD_MS} ms each), median of ${RUNS}:`);
    for (const [name, r] of rows) console.log(`${name.padEnd(22)} first text ${median(r.first).toFixed(0)} ms, whole answer ${median(r.total).toFixed(0)} ms, delta events ${median(r.deltas)}`);
  } finally {
    await h.close();
  }
}

await main();
