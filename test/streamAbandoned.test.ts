// A stream the client leaves mid-way is recorded as what it was: 499 client_closed, not ok/200,
// and the provider's stream is stopped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

describe("an abandoned stream", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging" });
  });
  afterAll(() => h.close());

  it("is recorded as 499 client_closed", async () => {
    // 40 words, 100 ms apart: the client leaves after the first delta.
    h.upstream.enqueue({ content: Array.from({ length: 40 }, (_, i) => `word${i}.`).join(" "), chunkDelayMs: 100 });
    const controller = new AbortController();
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_leaver")}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_leaver", traceId: "t-leaver", input: { text: ARTICLE_TEXT }, stream: true, profile: "summarize_v1" }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: delta");
    controller.abort();
    await expect.poll(() => h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-leaver"), { timeout: 10_000 }).toMatchObject({ status: 499, code: "client_closed" });
  });
});
