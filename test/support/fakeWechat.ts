// A local stand-in for api.weixin.qq.com's code2Session. The code chooses the reply:
// "ok-<openid>", "bad", "used", "limited", "blocked", "busy", "busy-once-<openid>", "odd".
// Its error messages echo the secret on purpose, to prove the backend never passes them on.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_APPID = "wx0123456789abcdef";
export const FAKE_SECRET = "wechat-app-secret-0123456789abcdef";

export interface FakeWechat {
  url: string;
  calls: { code: string; appid: string | null; secret: string | null }[];
  close(): Promise<void>;
}

export async function startFakeWechat(): Promise<FakeWechat> {
  const calls: FakeWechat["calls"] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const code = url.searchParams.get("js_code") ?? "";
    calls.push({ code, appid: url.searchParams.get("appid"), secret: url.searchParams.get("secret") });
    // WeChat answers text/plain with a JSON body.
    const reply = (body: unknown) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/sns/jscode2session" || url.searchParams.get("grant_type") !== "authorization_code") return reply({ errcode: 40001, errmsg: "bad path" });
    if (url.searchParams.get("secret") !== FAKE_SECRET) return reply({ errcode: 40125, errmsg: `invalid appsecret ${url.searchParams.get("secret")}` });
    const session = (openid: string) => reply({ openid, session_key: `SESSIONKEY-${openid}`, unionid: `union-${openid}` });
    if (code.startsWith("ok-")) return session(code.slice(3));
    if (code.startsWith("busy-once-")) {
      if (seen.has(code)) return session(code.slice(10));
      seen.add(code);
      return reply({ errcode: -1, errmsg: "system error" });
    }
    const errors: Record<string, [number, string]> = {
      bad: [40029, "invalid code"],
      used: [40163, "code been used"],
      limited: [45011, "api minute-quota reach limit"],
      blocked: [40226, "high risk user"],
      busy: [-1, "system error"],
      odd: [40013, `invalid appid, secret ${FAKE_SECRET}`],
    };
    const [errcode, errmsg] = errors[code] ?? [40029, "invalid code"];
    reply({ errcode, errmsg });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
