// A test-only Upstash REST endpoint in front of the real local Redis: POST / (one command),
// /pipeline and /multi-exec (arrays of commands), bearer token on all of them, and the
// `Upstash-Encoding: base64` reply encoding @upstash/redis asks for by default.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

export interface UpstashBridge {
  url: string;
  token: string;
  /** HTTP requests served: each is one round trip for the client. */
  requests: { path: string; commands: string[][] }[];
  close(): Promise<void>;
}

type Reply = { result: unknown } | { error: string };

function encode(value: unknown): unknown {
  if (typeof value === "string") return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(encode);
  return value;
}

export async function startUpstashBridge(redisUrl = "redis://127.0.0.1:6379"): Promise<UpstashBridge> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const token = "bridge-token-0123456789";
  const requests: UpstashBridge["requests"] = [];

  const run = async (command: string[]): Promise<Reply> => {
    try {
      const [name = "", ...args] = command;
      return { result: await redis.call(name, ...args) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "Unauthorized" });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(400, { error: "ERR failed to parse command" });
      }
      const base64 = req.headers["upstash-encoding"] === "base64";
      const out = (reply: Reply) => ("result" in reply && base64 ? { result: encode(reply.result) } : reply);
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const toStrings = (command: unknown) => (command as unknown[]).map(String);
      if (path === "/" || path === "") {
        const command = toStrings(body);
        requests.push({ path: "/", commands: [command] });
        const reply = await run(command);
        return send("error" in reply ? 400 : 200, out(reply));
      }
      const commands = (body as unknown[]).map(toStrings);
      requests.push({ path, commands });
      if (path === "/pipeline") return send(200, (await Promise.all(commands.map(run))).map(out));
      if (path === "/multi-exec") {
        const results = (await redis.multi(commands as [string, ...string[]][]).exec()) ?? [];
        return send(200, results.map(([err, result]) => out(err ? { error: err.message } : { result })));
      }
      send(404, { error: `ERR unknown endpoint ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
