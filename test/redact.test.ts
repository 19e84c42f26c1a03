import { describe, expect, it } from "vitest";
import { contentWriter } from "../lib/observability/contentPolicy";
import { createRedactor, isLuhnValid, isResidentId, redactDeep } from "../lib/observability/redact";
import { PII, luhnCard, residentId } from "./support/pii";

const redact = createRedactor([{ name: "order_no", pattern: "\\bSO\\d{12}\\b" }]);

describe("redaction rules", () => {
  it("mainland mobile numbers, bare or with +86 and separators", () => {
    expect(redact(`call ${PII.mobile} or ${PII.mobileSpaced} or 138-1234-5678`)).toBe("call [phone] or [phone] or [phone]");
    expect(redact("12812345678 and 1381234567")).toBe("12812345678 and 1381234567");
  });

  it("e-mail addresses", () => {
    expect(redact(`mail ${PII.email}, or a.b+c@mail.qq.com.`)).toBe("mail [email], or [email].");
  });

  it("18-digit resident IDs only when the checksum holds", () => {
    expect(isResidentId(PII.residentId)).toBe(true);
    expect(redact(`ID ${PII.residentId} / ${PII.residentIdX}`)).toBe("ID [id] / [id]");
    const wrong = `${PII.residentId.slice(0, 17)}${PII.residentId.endsWith("0") ? "1" : "0"}`;
    expect(isResidentId(wrong)).toBe(false);
    expect(redact(`order ${wrong}`)).toBe(`order ${wrong}`);
  });

  it("bank cards only when Luhn holds, with or without spaces", () => {
    expect(isLuhnValid(PII.card)).toBe(true);
    expect(redact(`card ${PII.card} and ${PII.cardSpaced}`)).toBe("card [card] and [card]");
    const wrong = `${PII.card.slice(0, -1)}${(Number(PII.card.at(-1)) + 1) % 10}`;
    expect(redact(`ticket ${wrong}`)).toBe(`ticket ${wrong}`);
  });

  it("patterns from the env policy", () => {
    expect(redact(`order ${PII.orderNo} shipped`)).toBe("order [order_no] shipped");
  });

  it("leaves ordinary numbers alone", () => {
    expect(redact("trace 1732412345678, amount 1999.00, year 2026, 20 bullets")).toBe("trace 1732412345678, amount 1999.00, year 2026, 20 bullets");
  });

  it("generates valid test data", () => {
    expect(isResidentId(residentId("32010219880101123"))).toBe(true);
    expect(isLuhnValid(luhnCard("411111111111111"))).toBe(true);
  });

  it("redacts every string inside a value, keeping its shape", () => {
    expect(redactDeep({ a: [PII.email, 3], b: { c: PII.mobile } }, redact)).toEqual({ a: ["[email]", 3], b: { c: "[phone]" } });
  });
});

describe("content policy", () => {
  const value = { input: { text: `mine is ${PII.mobile}` } };
  it("full keeps, redacted redacts, none keeps only length and hash", () => {
    expect(contentWriter("full", redact)(value)).toEqual(value);
    expect(contentWriter("redacted", redact)(value)).toEqual({ input: { text: "mine is [phone]" } });
    expect(contentWriter("none", redact)(value)).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});
