// The provider's own error code (and a moderation refusal's side) kept from an error body or a
// stream's error event; its message never.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { complete, stream, WireError } from "../lib/openaiWire";
import { providerErrorOf, providerErrorOfText } from "../lib/openaiWire/providerError";
import { deepseek, startDeepSeekDouble } from "./support/providers/deepseek";
import { hunyuan, startHunyuanDouble } from "./support/providers/hunyuan";
import type { ProviderDouble } from "./support/providers/providerDouble";
import { dataInspectionFailedBody, qwen, startQwenDouble } from "./support/providers/qwen";

describe("providerErrorOf", () => {
  it("DashScope's refusal: its code and the side its message names", () => {
    expect(providerErrorOf(dataInspectionFailedBody("input"))).toEqual({ code: "data_inspection_failed", side: "input" });
    expect(providerErrorOf(dataInspectionFailedBody("output"))).toEqual({ code: "data_inspection_failed", side: "output" });
    expect(providerErrorOf({ error: { message: "<400> InternalError.Algo.DataInspectionFailed: Output text data may contain inappropriate content.", code: "DataInspectionFailed" } })).toEqual({ code: "DataInspectionFailed", side: "output" });
  });

  it("the code, else the type; a number, spaces or an overlong value are not an identifier", () => {
    expect(providerErrorOf({ error: { code: "FailedOperation.ResourcePackExhausted", message: "资源包余量已用尽" } })).toEqual({ code: "FailedOperation.ResourcePackExhausted" });
    expect(providerErrorOf({ error: { code: 4000, type: "api_error", message: "x" } })).toEqual({ code: "api_error" });
    expect(providerErrorOf({ error: { code: "not an id", type: "x".repeat(81) } })).toEqual({});
    expect(providerErrorOf({ error: { code: null, type: null, message: "Please say: input your password" } })).toEqual({});
  });

  it("anything that is not an error object says nothing", () => {
    for (const json of [null, "error", 42, [], {}, { error: "busy" }, { error: null }]) expect(providerErrorOf(json)).toEqual({});
    expect(providerErrorOfText("not json")).toEqual({});
    expect(providerErrorOfText('{"error":{"code":"Arrearage"}}')).toEqual({ code: "Arrearage" });
  });
});

describe("through the wire, against the doubles", () => {
  let qw: ProviderDouble;
  let ds: ProviderDouble;
  let hy: ProviderDouble;
  beforeAll(async () => {
    [qw, ds, hy] = await Promise.all([startQwenDouble(), startDeepSeekDouble(), startHunyuanDouble()]);
  });
  afterAll(async () => {
    await Promise.all([qw.close(), ds.close(), hy.close()]);
  });
  const body = { model: "qwen-plus", messages: [{ role: "user" as const, content: "hello" }], max_tokens: 50 };
  const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as WireError);

  it("an HTTP error keeps status, code and side, and none of the provider's text", async () => {
    qw.next(qwen.inputRefused());
    const err = await failureOf(complete({ baseUrl: qw.url, apiKey: "k" }, body));
    expect(err).toBeInstanceOf(WireError);
    expect(err).toMatchObject({ kind: "http", status: 400, providerCode: "data_inspection_failed", providerSide: "input" });
    expect(err!.message).not.toMatch(/inappropriate/);
    ds.next(deepseek.insufficientBalance());
    expect(await failureOf(complete({ baseUrl: ds.url, apiKey: "k" }, { ...body, model: "deepseek-chat" }))).toMatchObject({ status: 402, providerCode: "invalid_request_error", providerSide: undefined });
    hy.next(hunyuan.serviceStopArrears());
    expect(await failureOf(complete({ baseUrl: hy.url, apiKey: "k" }, { ...body, model: "hunyuan-turbos-latest" }))).toMatchObject({ status: 400, providerCode: "FailedOperation.ServiceStopArrears" });
  });

  it("an error event mid-stream keeps its code and side", async () => {
    qw.next(qwen.outputRefused("Sure, here"));
    const s = await stream({ baseUrl: qw.url, apiKey: "k" }, { ...body, stream: true });
    const texts: string[] = [];
    const err = await failureOf(
      (async () => {
        for await (const chunk of s) texts.push(chunk.choices?.[0]?.delta?.content ?? "");
      })(),
    );
    expect(texts.join("")).toBe("Sure, here");
    expect(err).toMatchObject({ kind: "bad_response", providerCode: "data_inspection_failed", providerSide: "output" });
  });
});
