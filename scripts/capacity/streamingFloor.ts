// The capacity run's streaming floor: the least a Node gateway does to stream an answer. A
// node:http server that parses the JSON body, makes one streamed chat-completions call over a
// keep-alive agent, parses each SSE chunk and relays its delta as `event: delta`, then one
// `event: done`. No auth, limits, guards, log line or audit: what a function costs per streamed
// event above this is ours to explain. (Whole answers: scripts/bench/floorForwarder.ts.)
//   FLOOR_UPSTREAM_URL=http://127.0.0.1:PORT/v1 node --import tsx scripts/capacity/streamingFloor.ts
// Prints {"msg":"listening","port"} once it accepts requests.
import { Agent, createServer, request } from "node:http";
import { text } from "node:stream/consumers";

const upstream = new URL(`${process.env.FLOOR_UPSTREAM_URL ?? "http://127.0.0.1:8787/v1"}/chat/completions`);
const agent = new Agent({ keepAlive: true });

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
}

const server = createServer((req, res) => {
  text(req)
    .then((raw) => {
      const payload = JSON.stringify({ ...(JSON.parse(raw) as object), stream: true });
      const call = request(upstream, { method: "POST", agent, headers: { "content-type": "application/json", authorization: "Bearer floor", "content-length": Buffer.byteLength(payload) } }, (up) => {
        res.writeHead(up.statusCode === 200 ? 200 : 502, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        let buffer = "";
        up.setEncoding("utf8");
        up.on("data", (piece: string) => {
          buffer += piece;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const data = buffer.slice(0, end).replace(/^data: /, "");
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            if (data === "[DONE]") continue;
            const delta = (JSON.parse(data) as Chunk).choices?.[0]?.delta?.content;
            if (delta) res.write(`event: delta\ndata: ${JSON.stringify({ text: delta })}\n\n`);
          }
        });
        up.on("end", () => res.end('event: done\ndata: {"done":true}\n\n'));
      });
      call.on("error", () => res.destroy());
      call.end(payload);
    })
    .catch(() => res.writeHead(400).end());
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ msg: "listening", port: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => process.exit(0));
