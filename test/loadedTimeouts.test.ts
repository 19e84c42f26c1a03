// Timeouts measure the dependency, not our event loop: a process held to 25% of a core (as SCF
// holds a small instance to its memory's CPU share) takes 200 parallel requests from one user on
// a healthy Redis. Staging admits exactly its limit and refuses the rest with 429; no request is
// pushed into the outage policy because the store's reply sat unread behind a busy loop. Prod,
// under the same quota, with WeChat's content check (the fake) in the path too, answers no 5xx.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { type CpuQuota, createCpuQuota } from "../scripts/support/cpuQuota";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, TEST_TOKEN_KEYS, TEST_USER_ID_SALT } from "./support/harness";
import { type Spawned, spawnServer } from "./support/spawnServer";

const SHARE = 0.25;
const PARALLEL = 200;
const quotaMade = createCpuQuota(SHARE, "loaded-timeouts");
if (!quotaMade.ok) console.warn(`loadedTimeouts: skipped, ${quotaMade.reason}`);

interface Outcome {
  status: number;
  code: string | undefined;
}

/** The server's log lines (JSON), from its output. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function fire(port: number, token: string, userId: string): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: PARALLEL }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/v1/mini/ask`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ intent: "summarize", userId, input: { text: `${ARTICLE_TEXT} #${i}`, maxBullets: 2 } }),
      }).then(async (res) => ({ status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code })),
    ),
  );
}

const tally = (outcomes: Outcome[]) => outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [`${o.status}${o.code ? ` ${o.code}` : ""}`]: (acc[`${o.status}${o.code ? ` ${o.code}` : ""}`] ?? 0) + 1 }), {});

describe.skipIf(!quotaMade.ok)(`${PARALLEL} parallel requests to a process held to ${SHARE * 100}% of a core, real Redis`, () => {
  const quota = quotaMade.ok ? quotaMade.quota : (undefined as unknown as CpuQuota);
  let upstream: LocalUpstream;
  let wechat: FakeWechat;
  const servers: Spawned[] = [];
  const base = () => ({
    MINIASK_STORE: "redis://127.0.0.1:6379",
    MINIASK_STORE_PREFIX: `test:loaded:${randomUUID()}:`,
    MINIASK_UPSTREAM_URL: upstream.url,
    MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS,
    WECHAT_API_BASE: wechat.url,
    WECHAT_APPID: FAKE_APPID,
    WECHAT_SECRET: FAKE_SECRET,
    MINIASK_USER_ID_SALT: TEST_USER_ID_SALT,
  });
  const start = async (env: Record<string, string>) => {
    const server = await spawnServer(env, { onSpawn: (pid) => quota.add(pid) });
    servers.push(server);
    expect(server.port, server.output).toBeGreaterThan(0);
    // Spawned.output stops at start-up; the log lines of the burst are read from here.
    const logged = { text: "" };
    server.child.stdout?.on("data", (chunk: Buffer) => (logged.text += chunk.toString()));
    return { port: server.port as number, logged };
  };
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    wechat = await startFakeWechat();
  });
  afterAll(async () => {
    // The group can be removed only once its processes are gone.
    await Promise.all(servers.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once("exit", resolve).kill()))));
    quota?.release();
    await upstream?.close();
    await wechat?.close();
  });

  it("staging admits exactly its limit (20), refuses the rest with 429, and never calls the store unavailable", async () => {
    const server = await start({ ...base(), MINIASK_ENV: "staging" });
    const token = (await issueAppToken(parseTokenKeys(TEST_TOKEN_KEYS, "staging"), "staging", "u_loaded", 600)).token;
    const outcomes = await fire(server.port, token, "u_loaded");
    const counts = tally(outcomes);
    console.log(`loadedTimeouts staging at ${SHARE * 100}%: ${JSON.stringify(counts)}`);
    const unavailable = logLines(server.logged.text).filter((line) => line.msg === "store unavailable");
    expect({ counts, unavailable: unavailable.length }).toEqual({ counts: { "200": 20, "429 rate_limited": PARALLEL - 20 }, unavailable: 0 });
  }, 180_000);

  it("prod, WeChat's check in the path, answers no 5xx: its limit (10) admitted, the rest 429", async () => {
    const env = { ...base(), MINIASK_ENV: "prod" };
    // The user logs in on one instance and asks on another that is still cold (no store
    // connection, no script loaded), as the staging burst does.
    const [loginServer, server] = [await start(env), await start(env)];
    const openid = `o-loaded-${randomUUID().slice(0, 8)}`;
    const login = await fetch(`http://127.0.0.1:${loginServer.port}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: `ok-${openid}` }) });
    const user = (await login.json()) as { token: string; userId: string };
    expect(login.status, JSON.stringify(user)).toBe(200);
    const outcomes = await fire(server.port, user.token, user.userId);
    const counts = tally(outcomes);
    console.log(`loadedTimeouts prod at ${SHARE * 100}%: ${JSON.stringify(counts)}`);
    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
    expect(counts).toEqual({ "200": 10, "429 rate_limited": PARALLEL - 10 });
  }, 180_000);
});
