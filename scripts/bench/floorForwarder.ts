// The bench's floor: the least a Node gateway can do per request. A node:http server that
// parses the JSON body, makes one chat-completions call over a keep-alive agent to the same
// upstream, parses the reply and answers. No auth, limits, cache, guards, log line or audit:
// whatever miniask costs above this row is ours to explain.
// It forwards the body it is sent (the bench sends the very request miniask sends the provider),
// so the upstream does the same work for the floor, for miniask and for the direct row.
//   FLOOR_UPSTREAM_URL=http://127.0.0.1:PORT/v1 tsx scripts/bench/floorForwarder.ts
// Prints {"msg":"listening","port"} once it accepts requests.
import { Agent, type IncomingMessage, type ServerResponse, createServer, request } from "node:http";

const upstream = new URL(`${process.env.FLOOR_UPSTREAM_URL ?? "http://127.0.0.1:8787/v1"}/chat/completions`);
const agent = new Agent({ keepAlive: true });

function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

function chat(payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(upstream, { method: "POST", agent, headers: { "content-type": "application/json", authorization: "Bearer floor", "content-length": Buffer.byteLength(payload) } }, (res) => {
      readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

interface Completion {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: unknown;
}

const server = createServer((req, res) => {
  readAll(req)
    .then(async (raw) => {
      const parsed = JSON.parse(raw) as { messages?: unknown };
      if (!Array.isArray(parsed.messages)) return answer(res, 400, { error: { code: "bad_request", message: "messages must be an array" } });
      const reply = await chat(JSON.stringify(parsed));
      if (reply.status !== 200) return answer(res, 502, { error: { code: "upstream_error", message: `upstream answered ${reply.status}` } });
      const completion = JSON.parse(reply.body) as Completion;
      answer(res, 200, { answer: completion.choices?.[0]?.message?.content ?? "", model: completion.model, usage: completion.usage });
    })
    .catch(() => answer(res, 502, { error: { code: "upstream_error", message: "no usable answer" } }));
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ msg: "listening", port: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => process.exit(0));
