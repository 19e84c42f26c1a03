// An OpenAI-compatible upstream that paces its answer as a model does: the first token after
// `firstTokenMs`, then `tokensPerSecond`; the text is what the local stand-in answers for the
// prompt (scripts/local-upstream/replies.ts, so every intent can shape it), cut into `tokens`
// pieces, one streamed chunk each. A whole answer comes when the last token would have.
//   node --import tsx scripts/capacity/modelUpstream.ts --tps 50 --tokens 100 --first-token-ms 200
// Prints {"port"} once listening. Its own process: its CPU is not the subject's.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { text } from "node:stream/consumers";
import { countTokens, replyFor, type UpstreamMessage } from "../local-upstream/replies";

export interface Pace {
  tokensPerSecond: number;
  /** Pieces an answer is streamed in (fewer when the reply has fewer characters). */
  tokens: number;
  firstTokenMs: number;
}

/** `reply` cut into at most `count` pieces of nearly equal length (whole code points). */
export function pieces(reply: string, count: number): string[] {
  const chars = Array.from(reply);
  const n = Math.max(1, Math.min(count, chars.length));
  return Array.from({ length: n }, (_, i) => chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(""));
}

async function answer(req: IncomingMessage, res: ServerResponse, pace: Pace): Promise<void> {
  const body = JSON.parse(await text(req)) as { messages?: UpstreamMessage[]; model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
  const messages = body.messages ?? [];
  const reply = replyFor(messages);
  const parts = pieces(reply, pace.tokens);
  const gapMs = 1000 / pace.tokensPerSecond;
  const model = body.model ?? "local-paced";
  const prompt = countTokens(messages.map((m) => m.content ?? "").join("\n"));
  const usage = { prompt_tokens: prompt, completion_tokens: parts.length, total_tokens: prompt + parts.length };
  const created = Math.floor(Date.now() / 1000);
  if (body.stream !== true) {
    await sleep(pace.firstTokenMs + (parts.length - 1) * gapMs);
    const whole = { id: "chatcmpl-paced", object: "chat.completion", created, model, choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }], usage };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(whole));
    return;
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null) => `data: ${JSON.stringify({ id: "chatcmpl-paced", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(chunk({ role: "assistant" }, null));
  // Paced against the clock, not by chained sleeps: a late timer does not push every later token.
  const started = performance.now() + pace.firstTokenMs;
  for (const [i, part] of parts.entries()) {
    const wait = started + i * gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    if (res.destroyed) return;
    res.write(chunk({ content: part }, null));
  }
  res.write(chunk({}, "stop"));
  if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: "chatcmpl-paced", object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
  res.end("data: [DONE]\n\n");
}

export async function startModelUpstream(pace: Pace, port = 0): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== "POST" || !/\/chat\/completions$/.test(req.url ?? "")) return void res.writeHead(404).end();
    answer(req, res, pace).catch(() => {
      if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"paced upstream: unreadable request","type":"invalid_request_error"}}');
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}/v1`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1]?.endsWith("modelUpstream.ts")) {
  const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
  const pace = { tokensPerSecond: arg("--tps", 50), tokens: arg("--tokens", 100), firstTokenMs: arg("--first-token-ms", 200) };
  const up = await startModelUpstream(pace);
  console.log(JSON.stringify({ port: up.port, ...pace }));
  process.on("SIGTERM", () => process.exit(0));
}
