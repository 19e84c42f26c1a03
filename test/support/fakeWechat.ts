// A local stand-in for api.weixin.qq.com, written from WeChat's server API docs (not from what
// our code sends). Three endpoints:
//
// - GET /sns/jscode2session (code2Session). The code chooses the reply: "ok-<openid>", "bad",
//   "used", "limited", "blocked", "busy", "busy-once-<openid>", "odd". Its error messages echo
//   the secret on purpose, to prove the backend never passes them on. A successful login counts
//   as the user's visit, which msg_sec_check requires within the last two hours.
// - POST /cgi-bin/stable_token (getStableAccessToken): JSON {grant_type: "client_credential",
//   appid, secret, force_refresh?} -> {access_token, expires_in}. Normal mode returns the current
//   token while more than 5 minutes of it remain, and a new one in its last 5 minutes (the old
//   one stays valid until it expires). force_refresh invalidates every earlier token, at most
//   20 times a day and not within 30 s of the previous forced refresh (then the current token
//   comes back unchanged). Errors: 40002 grant_type, 40013 appid, 40125 secret, 41002/41004
//   missing appid/secret, 43002 not POST, 45009 daily force limit, -1 busy.
// - POST /wxa/msg_sec_check?access_token= (security.msgSecCheck v2): {version: 2, openid,
//   scene 1..4, content <= 2,500 characters} -> {errcode, errmsg, trace_id, result: {suggest,
//   label}, detail: [{strategy, errcode, suggest?, label?, prob?, keyword?}]}. Errors: -1 busy,
//   40001 unknown or invalidated token, 42001 expired token (WeChat's global code), 41001 no
//   token, 40003 unknown openid, 61010 no visit in two hours, 40129 bad scene, 44002 empty
//   parameter, 47001 malformed body, 43302 not POST. label is a number and the detail shape
//   (a content_model entry with prob, a keyword entry that names only custom keywords) follow
//   replies quoted in WeChat's developer community; the 2,500 limit's error code and whether a
//   missing version is refused are not documented: this fake answers 47001 (stricter is safer).
//
// Verdicts come from the content: WeChat's documented test strings are risky (label 21000 here;
// the docs only say they must be flagged), and a test can add term -> label rules, either as
// the model's verdict (strategy content_model) or as custom keywords (strategy keyword, the
// console's 自定义关键词, which is the only case WeChat names the keyword).
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { text as readBody } from "node:stream/consumers";

export const FAKE_APPID = "wx0123456789abcdef";
export const FAKE_SECRET = "wechat-app-secret-0123456789abcdef";

/** The strings WeChat's msgSecCheck docs give as content that must come back risky. */
export const WECHAT_RISKY_SAMPLES = ["特3456书yuuo莞6543李zxcz蒜7782法fgnv级", "完2347全dfji试3726测asad感3847知qwez到"] as const;

export type Suggest = "pass" | "review" | "risky";

export interface ContentRule {
  term: string;
  label: number;
  suggest?: Exclude<Suggest, "pass">;
  /** content_model (default): WeChat's model flagged it; keyword: a custom keyword matched. */
  strategy?: "content_model" | "keyword";
  prob?: number;
}

export interface TokenCall {
  atMs: number;
  body: unknown;
  reply: Record<string, unknown>;
}

export interface SecCheckCall {
  atMs: number;
  accessToken: string | null;
  body: unknown;
  reply: Record<string, unknown>;
}

export interface FakeWechatOptions {
  /** Extra openids that count as having visited now (besides those who log in). */
  openids?: string[];
}

export interface FakeWechat {
  url: string;
  /** code2Session calls, as before. */
  calls: { code: string; appid: string | null; secret: string | null }[];
  /** stable_token calls. */
  tokenCalls: TokenCall[];
  /** msg_sec_check calls, with the reply WeChat gave. */
  secCheckCalls: SecCheckCall[];
  /** Marks a user as having used the Mini Program at `atMs` (default: now on the fake's clock). */
  visit(openid: string, atMs?: number): void;
  addRule(rule: ContentRule): void;
  clearRules(): void;
  /** Answer errcode -1 to the next `times` calls of an endpoint (Infinity: until cleared with 0). */
  setBusy(endpoint: "msg_sec_check" | "stable_token", times: number): void;
  /** Most requests an endpoint was answering at the same time. */
  peakInFlight: Record<"msg_sec_check" | "stable_token", number>;
  /** Delay before each reply of an endpoint, in ms. */
  setLatency(endpoint: "msg_sec_check" | "stable_token", ms: number): void;
  /** Invalidates every access_token issued so far (as a forced refresh elsewhere would). */
  expireTokensNow(): void;
  /** Moves the fake's clock forward (token expiry, visit windows). */
  advanceClock(ms: number): void;
  now(): number;
  close(): Promise<void>;
}

const TOKEN_TTL_S = 7200;
const EARLY_RENEW_MS = 5 * 60_000;
const FORCE_INTERVAL_MS = 30_000;
const FORCE_PER_DAY = 20;
const VISIT_WINDOW_MS = 2 * 3600_000;
const MAX_CONTENT_CHARS = 2500;
const SUGGEST_RANK: Record<Suggest, number> = { pass: 0, review: 1, risky: 2 };

const rid = () => `${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
const error = (errcode: number, errmsg: string) => ({ errcode, errmsg: errcode === -1 ? errmsg : `${errmsg} rid: ${rid()}` });

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

interface IssuedToken {
  expiresAtMs: number;
  revoked: boolean;
}

function createTokenIssuer(now: () => number) {
  const tokens = new Map<string, IssuedToken>();
  let current: string | undefined;
  let lastForceMs = -Infinity;
  let forcedToday = 0;
  const issue = () => {
    current = `FAKE_ACCESS_TOKEN_${randomBytes(24).toString("base64url")}`;
    tokens.set(current, { expiresAtMs: now() + TOKEN_TTL_S * 1000, revoked: false });
    return current;
  };
  const validCurrent = () => {
    const t = current ? tokens.get(current) : undefined;
    return current && t && !t.revoked && t.expiresAtMs > now() ? { token: current, ...t } : undefined;
  };
  const reply = (token: string) => ({ access_token: token, expires_in: Math.floor(((tokens.get(token)?.expiresAtMs ?? 0) - now()) / 1000) });
  return {
    normal() {
      const cur = validCurrent();
      if (cur && cur.expiresAtMs - now() > EARLY_RENEW_MS) return reply(cur.token);
      return reply(issue());
    },
    forced() {
      const cur = validCurrent();
      if (cur && now() - lastForceMs < FORCE_INTERVAL_MS) return reply(cur.token);
      if (forcedToday >= FORCE_PER_DAY) return error(45009, "reach max api daily quota limit");
      forcedToday++;
      lastForceMs = now();
      for (const t of tokens.values()) t.revoked = true;
      return reply(issue());
    },
    check(token: string): "ok" | "unknown" | "expired" {
      const t = tokens.get(token);
      if (!t || t.revoked) return "unknown";
      return t.expiresAtMs > now() ? "ok" : "expired";
    },
    revokeAll() {
      for (const t of tokens.values()) t.revoked = true;
    },
  };
}

function stableTokenReply(body: unknown, issuer: ReturnType<typeof createTokenIssuer>): Record<string, unknown> {
  if (typeof body !== "object" || body === null) return error(47001, "data format error");
  const b = body as Record<string, unknown>;
  if (b.grant_type !== "client_credential") return error(40002, "invalid grant_type");
  if (typeof b.appid !== "string" || b.appid === "") return error(41002, "appid missing");
  if (b.appid !== FAKE_APPID) return error(40013, "invalid appid");
  if (typeof b.secret !== "string" || b.secret === "") return error(41004, "appsecret missing");
  if (b.secret !== FAKE_SECRET) return error(40125, "invalid appsecret");
  if (b.force_refresh !== undefined && typeof b.force_refresh !== "boolean") return error(47001, "data format error");
  return b.force_refresh === true ? issuer.forced() : issuer.normal();
}

/** WeChat's combined verdict: the worst suggestion among the strategies, with its label. */
export function verdictFor(content: string, rules: readonly ContentRule[]): Record<string, unknown> {
  const hits: ContentRule[] = WECHAT_RISKY_SAMPLES.filter((s) => content.includes(s)).map((term) => ({ term, label: 21000, suggest: "risky" }));
  const folded = content.toLowerCase();
  for (const rule of rules) if (folded.includes(rule.term.toLowerCase())) hits.push(rule);
  const worst = (list: ContentRule[]) => list.reduce<ContentRule | undefined>((w, r) => (!w || SUGGEST_RANK[r.suggest ?? "risky"] > SUGGEST_RANK[w.suggest ?? "risky"] ? r : w), undefined);
  const model = worst(hits.filter((r) => (r.strategy ?? "content_model") === "content_model"));
  const keyword = worst(hits.filter((r) => r.strategy === "keyword"));
  const detail: Record<string, unknown>[] = [
    model ? { strategy: "content_model", errcode: 0, suggest: model.suggest ?? "risky", label: model.label, prob: model.prob ?? 90 } : { strategy: "content_model", errcode: 0, suggest: "pass", label: 100, prob: 90 },
    keyword ? { strategy: "keyword", errcode: 0, suggest: keyword.suggest ?? "risky", label: keyword.label, prob: keyword.prob ?? 90, keyword: keyword.term } : { strategy: "keyword", errcode: 0 },
  ];
  const overall = worst([model, keyword].filter((r): r is ContentRule => r !== undefined));
  const result = overall ? { suggest: overall.suggest ?? "risky", label: overall.label } : { suggest: "pass", label: 100 };
  return { errcode: 0, errmsg: "ok", detail, trace_id: rid(), result };
}

function msgSecCheckReply(token: string | null, bodyText: string, ctx: { issuer: ReturnType<typeof createTokenIssuer>; visits: Map<string, number>; rules: ContentRule[]; now: number }): Record<string, unknown> {
  if (!token) return error(41001, "access_token missing");
  const state = ctx.issuer.check(token);
  if (state === "unknown") return error(40001, "invalid credential, access_token is invalid or not latest");
  if (state === "expired") return error(42001, "access_token expired");
  if (bodyText.trim() === "") return error(44002, "empty post data");
  const parsed = parseJson(bodyText);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return error(47001, "data format error");
  const b = parsed.value as Record<string, unknown>;
  if (b.version !== 2 && b.version !== "2") return error(47001, "data format error: version");
  if (typeof b.openid !== "string" || b.openid === "") return error(44002, "empty openid");
  const visitedAt = ctx.visits.get(b.openid);
  if (visitedAt === undefined) return error(40003, "invalid openid");
  if (ctx.now - visitedAt > VISIT_WINDOW_MS) return error(61010, "user access record expired");
  if (!Number.isInteger(b.scene) || (b.scene as number) < 1 || (b.scene as number) > 4) return error(40129, "invalid scene");
  if (typeof b.content !== "string" || b.content === "") return error(44002, "empty content");
  if ([...b.content].length > MAX_CONTENT_CHARS) return error(47001, "data format error: content too long");
  return verdictFor(b.content, ctx.rules);
}

function code2SessionReply(url: URL, seen: Set<string>, visit: (openid: string) => void): Record<string, unknown> {
  const code = url.searchParams.get("js_code") ?? "";
  if (url.pathname !== "/sns/jscode2session" || url.searchParams.get("grant_type") !== "authorization_code") return { errcode: 40001, errmsg: "bad path" };
  if (url.searchParams.get("secret") !== FAKE_SECRET) return { errcode: 40125, errmsg: `invalid appsecret ${url.searchParams.get("secret")}` };
  const session = (openid: string) => {
    visit(openid);
    return { openid, session_key: `SESSIONKEY-${openid}`, unionid: `union-${openid}` };
  };
  if (code.startsWith("ok-")) return session(code.slice(3));
  if (code.startsWith("busy-once-")) {
    if (seen.has(code)) return session(code.slice(10));
    seen.add(code);
    return { errcode: -1, errmsg: "system error" };
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
  return { errcode, errmsg };
}

export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  let clockOffsetMs = 0;
  const now = () => Date.now() + clockOffsetMs;
  const calls: FakeWechat["calls"] = [];
  const tokenCalls: TokenCall[] = [];
  const secCheckCalls: SecCheckCall[] = [];
  const seen = new Set<string>();
  const visits = new Map<string, number>();
  const visit = (openid: string, atMs = now()) => void visits.set(openid, atMs);
  for (const openid of options.openids ?? []) visit(openid);
  const rules: ContentRule[] = [];
  const busy = { msg_sec_check: 0, stable_token: 0 };
  const latency = { msg_sec_check: 0, stable_token: 0 };
  const inFlight = { msg_sec_check: 0, stable_token: 0 };
  const peakInFlight = { msg_sec_check: 0, stable_token: 0 };
  const track = async <T>(endpoint: keyof typeof inFlight, work: () => Promise<T>): Promise<T> => {
    peakInFlight[endpoint] = Math.max(peakInFlight[endpoint], ++inFlight[endpoint]);
    try {
      return await work();
    } finally {
      inFlight[endpoint]--;
    }
  };
  const issuer = createTokenIssuer(now);
  const takeBusy = (endpoint: keyof typeof busy) => busy[endpoint] > 0 && busy[endpoint]-- > 0;

  // WeChat answers its JSON as text/plain on code2Session and application/json on the others.
  const send = (res: ServerResponse, body: unknown, type = "application/json; charset=UTF-8") => {
    res.writeHead(200, { "content-type": type });
    res.end(JSON.stringify(body));
  };
  const delayed = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/cgi-bin/stable_token") return track("stable_token", async () => {
      const text = await readBody(req);
      const parsed = parseJson(text);
      const reply = req.method !== "POST" ? error(43002, "require POST method") : takeBusy("stable_token") ? error(-1, "system error") : parsed.ok ? stableTokenReply(parsed.value, issuer) : error(47001, "data format error");
      tokenCalls.push({ atMs: now(), body: parsed.ok ? parsed.value : text, reply });
      await delayed(latency.stable_token);
      return send(res, reply);
    });
    if (url.pathname === "/wxa/msg_sec_check") return track("msg_sec_check", async () => {
      const text = await readBody(req);
      const token = url.searchParams.get("access_token");
      const reply = req.method !== "POST" ? error(43302, "require POST method") : takeBusy("msg_sec_check") ? error(-1, "system error") : msgSecCheckReply(token, text, { issuer, visits, rules, now: now() });
      const parsed = parseJson(text);
      secCheckCalls.push({ atMs: now(), accessToken: token, body: parsed.ok ? parsed.value : text, reply });
      await delayed(latency.msg_sec_check);
      return send(res, reply);
    });
    calls.push({ code: url.searchParams.get("js_code") ?? "", appid: url.searchParams.get("appid"), secret: url.searchParams.get("secret") });
    send(res, code2SessionReply(url, seen, visit), "text/plain");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    tokenCalls,
    secCheckCalls,
    peakInFlight,
    visit,
    addRule: (rule) => void rules.push(rule),
    clearRules: () => void rules.splice(0),
    setBusy: (endpoint, times) => void (busy[endpoint] = times),
    setLatency: (endpoint, ms) => void (latency[endpoint] = ms),
    expireTokensNow: () => issuer.revokeAll(),
    advanceClock: (ms) => void (clockOffsetMs += ms),
    now,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
