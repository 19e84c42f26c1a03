// A burst from one user over two server processes that share one Redis: the limit holds
// across instances, because it lives in the store, not in either process.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { FAKE_APPID, FAKE_SECRET } from "./support/fakeWechat";
import { ARTICLE_TEXT, TEST_TOKEN_KEYS, TEST_USER_ID_SALT } from "./support/harness";
import { type Spawned, spawnServer } from "./support/spawnServer";

describe("200 requests from one user over two processes sharing Redis", () => {
  let upstream: LocalUpstream;
  let servers: Spawned[];
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    const env = {
      MINIASK_ENV: "staging",
      MINIASK_STORE: "redis://127.0.0.1:6379",
      MINIASK_STORE_PREFIX: `test:${randomUUID()}:`,
      MINIASK_UPSTREAM_URL: upstream.url,
      MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS,
      WECHAT_APPID: FAKE_APPID,
      WECHAT_SECRET: FAKE_SECRET,
      MINIASK_USER_ID_SALT: TEST_USER_ID_SALT,
    };
    servers = await Promise.all([spawnServer(env), spawnServer(env)]);
    for (const server of servers) expect(server.port, server.output).toBeGreaterThan(0);
  });
  afterAll(async () => {
    for (const server of servers) server.child.kill();
    await upstream.close();
  });

  it("admits exactly 20 (staging's per-intent limit) and refuses 180 with 429", async () => {
    const token = (await issueAppToken(parseTokenKeys(TEST_TOKEN_KEYS, "staging"), "staging", "u_burst", 600)).token;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`http://127.0.0.1:${servers[i % 2]!.port}/v1/mini/ask`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ intent: "summarize", userId: "u_burst", input: { text: `${ARTICLE_TEXT} #${i}`, maxBullets: 2 } }),
        }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get("retry-after"), code: ((await res.json()) as { error?: { code: string } }).error?.code })),
      ),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(20);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(180);
    for (const r of refused) {
      expect(r.code).toBe("rate_limited");
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
  });
});
