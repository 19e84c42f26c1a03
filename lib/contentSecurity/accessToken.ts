// WeChat's access_token for server APIs, from POST /cgi-bin/stable_token (normal mode: calls
// while a token is valid return that same token, so concurrent instances never invalidate each
// other's). Every instance shares one token through the store: one fetch per ~2 hours for the
// whole fleet, not one per cold start. A refresh happens once at a time: single flight inside
// the instance, and a short lock in the store across instances (SET NX PX). While someone else
// refreshes, a still-valid old token is used; with none, waiters poll the store.
//
// Facts (WeChat docs, getStableAccessToken): expires_in is at most 7200 s; in normal mode the
// platform renews in the token's last 5 minutes and keeps the old one valid meanwhile;
// force_refresh invalidates earlier tokens (20 a day), so it is never used here.
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { dependencySignal } from "../async/dependencyDeadline";
import { within } from "../async/within";

/** The store calls this module needs; lib/store provides them over memory, Redis and Upstash. */
export interface TokenStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** SET key value NX PX ttlMs: true when this call created the key. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
}

export interface WechatCredentials {
  appId: string;
  secret: string;
  /** https://api.weixin.qq.com, or a local fake in tests. */
  apiBase: string;
}

export interface AccessTokenOptions {
  credentials: WechatCredentials;
  store: TokenStore;
  /** Store key prefix, e.g. "miniask:prod:". */
  keyPrefix?: string;
  now?: () => number;
  /** Refresh this long before expiry (default 5 min, when WeChat itself starts renewing). */
  refreshEarlyMs?: number;
  /** A token this close to expiry is not used at all (default 30 s: clock skew and latency). */
  safetyMs?: number;
  /** How long the store lock lives if its holder dies (default 5 s). */
  lockTtlMs?: number;
  /** How often waiters read the store while another instance refreshes (default 50 ms). */
  pollMs?: number;
  /** Timeout of one stable_token call (default 3 s). */
  fetchTimeoutMs?: number;
}

export class AccessTokenUnavailable extends Error {
  constructor(
    readonly reason: "timeout" | "network" | "refused" | "bad_reply",
    readonly errcode?: number,
  ) {
    super(`no WeChat access_token (${reason}${errcode === undefined ? "" : ` ${errcode}`})`);
    this.name = "AccessTokenUnavailable";
  }
}

export interface AccessTokenSource {
  /** A valid token, from memory, the store or WeChat; rejects with AccessTokenUnavailable. */
  get(deadlineMs: number): Promise<{ token: string; fetched: boolean }>;
  /** WeChat said 40001/42001 for `badToken`: a different valid token, refreshed at most once. */
  replace(badToken: string, deadlineMs: number): Promise<{ token: string; fetched: boolean }>;
}

const entrySchema = z.object({ token: z.string().check(z.minLength(1)), expiresAtMs: z.number(), refreshAtMs: z.number() });
type Entry = z.infer<typeof entrySchema>;

const stableTokenReplySchema = z.object({
  access_token: z.optional(z.string().check(z.minLength(1))),
  expires_in: z.optional(z.number().check(z.gt(0))),
  errcode: z.optional(z.number()),
});

async function fetchStableToken(credentials: WechatCredentials, timeoutMs: number): Promise<{ token: string; expiresInS: number }> {
  let json: unknown;
  // WeChat's time, not our loop's: a reply waiting behind a busy loop is not a timeout.
  const deadline = dependencySignal(timeoutMs);
  try {
    const res = await fetch(new URL("/cgi-bin/stable_token", credentials.apiBase), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credential", appid: credentials.appId, secret: credentials.secret, force_refresh: false }),
      signal: deadline.signal,
    });
    if (!res.ok) throw new AccessTokenUnavailable("network");
    json = JSON.parse(await res.text());
  } catch (err) {
    if (err instanceof AccessTokenUnavailable) throw err;
    if (err instanceof SyntaxError) throw new AccessTokenUnavailable("bad_reply");
    throw new AccessTokenUnavailable(err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network");
  } finally {
    deadline.cancel();
  }
  const reply = z.safeParse(stableTokenReplySchema, json);
  if (!reply.success) throw new AccessTokenUnavailable("bad_reply");
  const { access_token, expires_in, errcode } = reply.data;
  // WeChat's errmsg is not kept: it can echo request details (the secret).
  if (errcode !== undefined && errcode !== 0) throw new AccessTokenUnavailable("refused", errcode);
  if (!access_token || !expires_in) throw new AccessTokenUnavailable("bad_reply");
  return { token: access_token, expiresInS: expires_in };
}

function raceDeadline<T>(work: Promise<T>, deadlineMs: number, now: () => number): Promise<T> {
  return within(work, Math.max(0, deadlineMs - now()), () => new AccessTokenUnavailable("timeout"));
}

interface TokenTiming {
  now: () => number;
  refreshEarlyMs: number;
  safetyMs: number;
  lockTtlMs: number;
  pollMs: number;
  fetchTimeoutMs: number;
}

function timingOf(options: AccessTokenOptions): TokenTiming {
  return {
    now: options.now ?? Date.now,
    refreshEarlyMs: options.refreshEarlyMs ?? 5 * 60_000,
    safetyMs: options.safetyMs ?? 30_000,
    lockTtlMs: options.lockTtlMs ?? 5_000,
    pollMs: options.pollMs ?? 50,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 3_000,
  };
}

/** The token as the whole fleet shares it: its entry in the store, the refresh lock, a fetch. */
function sharedToken(options: AccessTokenOptions, timing: TokenTiming) {
  const { credentials, store } = options;
  const { now, refreshEarlyMs, lockTtlMs, fetchTimeoutMs } = timing;
  const key = `${options.keyPrefix ?? ""}wechat:access_token:${credentials.appId}`;
  const lockKey = `${key}:lock`;
  return {
    // A store that is down costs sharing, not checks: each instance then fetches for itself.
    async read(): Promise<Entry | undefined> {
      try {
        const raw = await store.get(key);
        const parsed = raw === undefined ? undefined : z.safeParse(entrySchema, JSON.parse(raw));
        return parsed?.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async lock(owner: string): Promise<"held" | "taken" | "no_store"> {
      try {
        return (await store.setIfAbsent(lockKey, owner, lockTtlMs)) ? "held" : "taken";
      } catch {
        return "no_store";
      }
    },
    async unlock(): Promise<void> {
      await store.del(lockKey).catch(() => undefined);
    },
    async fetchAndStore(): Promise<Entry> {
      const { token, expiresInS } = await fetchStableToken(credentials, fetchTimeoutMs);
      const at = now();
      const lifeMs = expiresInS * 1000;
      // A token fetched inside its last 5 minutes (WeChat hands back the current one until then)
      // is used, and renewed again halfway through what is left rather than on every request.
      const refreshAtMs = at + (lifeMs > refreshEarlyMs * 2 ? lifeMs - refreshEarlyMs : lifeMs / 2);
      const entry: Entry = { token, expiresAtMs: at + lifeMs, refreshAtMs };
      await store.set(key, JSON.stringify(entry), Math.max(1, Math.floor(expiresInS))).catch(() => undefined);
      return entry;
    },
  };
}

export function createAccessTokenSource(options: AccessTokenOptions): AccessTokenSource {
  const timing = timingOf(options);
  const { now, safetyMs, lockTtlMs, pollMs, fetchTimeoutMs } = timing;
  const shared = sharedToken(options, timing);
  let memo: Entry | undefined;
  let inFlight: Promise<{ token: string; fetched: boolean }> | undefined;

  // Plain booleans, not type predicates: "not fresh" does not mean "undefined".
  const usable = (e: Entry, bad?: string) => e.token !== bad && now() < e.expiresAtMs - safetyMs;
  const fresh = (e: Entry, bad?: string) => usable(e, bad) && now() < e.refreshAtMs;

  /** One instance-wide refresh; `bad` is a token WeChat refused, never to be handed out again. */
  async function refresh(bad: string | undefined, lastKnown: Entry | undefined): Promise<{ token: string; fetched: boolean }> {
    const owner = randomUUID();
    const deadline = now() + fetchTimeoutMs + lockTtlMs;
    let known = lastKnown;
    while (now() < deadline) {
      const locked = await shared.lock(owner);
      if (locked !== "taken") {
        const lockedAt = now();
        try {
          // Someone may have refreshed between our read and our lock.
          const current = await shared.read();
          if (current && fresh(current, bad)) return { token: (memo = current).token, fetched: false };
          memo = await shared.fetchAndStore();
          return { token: memo.token, fetched: true };
        } finally {
          // Past its TTL the lock may be someone else's by now: leave it to expire.
          if (locked === "held" && now() - lockedAt < lockTtlMs) await shared.unlock();
        }
      }
      // Another instance is refreshing: an old token that still works will do meanwhile.
      if (known && usable(known, bad)) return { token: known.token, fetched: false };
      await sleep(pollMs);
      known = await shared.read();
      if (known && fresh(known, bad)) return { token: (memo = known).token, fetched: false };
    }
    throw new AccessTokenUnavailable("timeout");
  }

  /** Callers that join a refresh already under way did not fetch: only its leader did. */
  async function singleFlight(bad: string | undefined, lastKnown: Entry | undefined) {
    if (inFlight) return { ...(await inFlight), fetched: false };
    inFlight = refresh(bad, lastKnown).finally(() => (inFlight = undefined));
    return inFlight;
  }

  return {
    async get(deadlineMs) {
      if (memo && fresh(memo)) return { token: memo.token, fetched: false };
      const stored = await raceDeadline(shared.read(), deadlineMs, now);
      if (stored && fresh(stored)) return { token: (memo = stored).token, fetched: false };
      const lastKnown = stored && usable(stored) ? stored : memo;
      try {
        return await raceDeadline(singleFlight(undefined, lastKnown), deadlineMs, now);
      } catch (err) {
        // A failed early renewal is no reason to fail the check: the old token still works.
        if (lastKnown && usable(lastKnown)) return { token: lastKnown.token, fetched: false };
        throw err;
      }
    },
    async replace(badToken, deadlineMs) {
      const remembered = memo;
      // Another part of the same text (or another request) may have replaced it already.
      if (remembered && fresh(remembered, badToken)) return { token: remembered.token, fetched: false };
      if (remembered?.token === badToken) memo = undefined;
      // A refresh already under way may still return the bad token (it began before WeChat
      // refused it): wait for it, then refresh again only if it did.
      if (inFlight) {
        const got = await raceDeadline(inFlight, deadlineMs, now);
        if (got.token !== badToken) return { ...got, fetched: false };
      }
      return raceDeadline(singleFlight(badToken, undefined), deadlineMs, now);
    },
  };
}
