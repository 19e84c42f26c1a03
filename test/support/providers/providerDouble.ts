// The HTTP part every provider double shares: one chat-completions path on 127.0.0.1:0, every
// request recorded (so a test can say "the second provider was never asked"), and a queue of
// scripted behaviours, each one a documented thing that provider does (deepseek.ts, qwen.ts,
// hunyuan.ts say which, citing the page). A double never echoes the request: what the "model"
// says is the script's text or the double's own default sentence.
import { readJson } from "../../../scripts/local-upstream/server";
import { type IncomingHttpHeaders, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** One behaviour: writes the whole response for one request. */
export type Behaviour = (req: Recorded, res: ServerResponse) => Promise<void> | void;

export interface ProviderDouble {
  /** The base URL a ModelTarget takes (the chat-completions path is under it). */
  url: string;
  requests: Recorded[];
  /** Behaviours for the next requests, one each, in order; then the default. */
  next(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

export interface DoubleSpec {
  /** e.g. `/v1` (DeepSeek, Hunyuan) or `/compatible-mode/v1` (DashScope). */
  basePath: string;
  /** Checks the provider makes before any behaviour (auth, documented parameter rules). */
  admit?: (req: Recorded, res: ServerResponse) => boolean;
  fallback: Behaviour;
}

export async function startProviderDouble(spec: DoubleSpec): Promise<ProviderDouble> {
  const queue: Behaviour[] = [];
  const requests: Recorded[] = [];
  const path = `${spec.basePath}/chat/completions`;
  const server = createServer((req, res) => {
    void (async () => {
      const recorded: Recorded = { path: req.url ?? "", headers: req.headers, body: await readJson(req) };
      if (req.method !== "POST" || recorded.path !== path) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"Not Found","type":"invalid_request_error","code":"not_found"}}');
        return;
      }
      requests.push(recorded);
      if (spec.admit && !spec.admit(recorded, res)) return;
      await (queue.shift() ?? spec.fallback)(recorded, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${spec.basePath}`,
    requests,
    next: (...behaviours) => void queue.push(...behaviours),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
