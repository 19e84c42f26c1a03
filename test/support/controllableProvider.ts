// An OpenAI-compatible provider a test can break on purpose: refuse connections, hang, answer
// 500s, or behave (by passing the request on to the local upstream, which answers as a
// provider does). For breaker and fallback tests that need one provider down and one up.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type ProviderMode = "ok" | "refuse" | "hang" | "error500";

export interface ControllableProvider {
  url: string;
  mode: ProviderMode;
  /** Requests that reached it (refused ones included). */
  hits: number;
  close(): Promise<void>;
}

export async function startControllableProvider(upstreamUrl: string): Promise<ControllableProvider> {
  const state = { mode: "ok" as ProviderMode, hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    if (state.mode === "refuse") return void req.socket.destroy();
    if (state.mode === "hang") return; // headers never come: the caller's timeout decides
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (state.mode === "error500") {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"upstream exploded","type":"server_error"}}');
        return;
      }
      void fetch(`${upstreamUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) }).then(async (r) => {
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" }).end(Buffer.from(await r.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(mode: ProviderMode) {
      state.mode = mode;
    },
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
