// One answerer: whatever path asks (whole, streamed, refine, replay), the provider receives the
// same request for the same profile and input, and every call carries the request's trace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesWithJsonSchemaProviders } from "./support/policyFiles";
import { type Harness, startHarness } from "./support/harness";

const EXTRACT = { intent: "extract", userId: "u_answerer", input: { text: "Name: Li Lei. City: Chengdu.", fields: ["name", "city"] } };

/** What reached the provider, less the two fields that only say "stream it". */
function sansStreamFlags(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, stream_options: _options, ...rest } = body;
  return rest;
}

async function readStream(url: string, token: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return res.text();
}

describe("answerer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: filesWithJsonSchemaProviders() });
  });
  afterAll(() => h.close());

  it("sends a streamed and an unstreamed extract the very same request, JSON schema included", async () => {
    const before = h.upstream.requests.length;
    const whole = await h.ask({ ...EXTRACT, traceId: "t-ans-whole" }, { headers: { "x-miniask-cache": "bypass" } });
    expect(whole.status).toBe(200);
    const text = await readStream(h.url, await h.token(EXTRACT.userId), { ...EXTRACT, traceId: "t-ans-stream" });
    expect(text).toContain("event: done");
    const [first, second] = h.upstream.requests.slice(before);
    expect(first?.body.stream).toBeUndefined();
    expect(second?.body.stream).toBe(true);
    expect(first?.body.response_format).toMatchObject({ type: "json_schema", json_schema: { strict: true } });
    expect(sansStreamFlags(second!.body)).toEqual(sansStreamFlags(first!.body));
  });

  it("carries the traceId as X-Trace-Id and a hash of the user (never the userId) as `user`", async () => {
    const before = h.upstream.requests.length;
    await h.ask({ ...EXTRACT, traceId: "t-ans-trace" }, { headers: { "x-miniask-cache": "bypass" } });
    const sent = h.upstream.requests[before]!;
    expect(sent.traceId).toBe("t-ans-trace");
    expect(sent.body.user).toMatch(/^u_[0-9a-f]{24}$/);
    expect(JSON.stringify(sent.body)).not.toContain(EXTRACT.userId);
    // Stable per user, so a provider console can group one user's calls.
    await h.ask({ ...EXTRACT, traceId: "t-ans-trace-2", input: { ...EXTRACT.input, text: "Name: Han Meimei." } }, { headers: { "x-miniask-cache": "bypass" } });
    expect(h.upstream.requests.at(-1)?.body.user).toBe(sent.body.user);
  });
});
