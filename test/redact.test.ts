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

describe("redaction normalises first (issue 16, point 7)", () => {
  it.each([
    ["full-width digits", "１３８１２３４５６７８"],
    ["full-width +86", "＋８６ １３８ １２３４ ５６７８"],
    ["86 without a plus, no space", "8613812345678"],
    ["+86 without a space", "+8613812345678"],
    ["+86 with a hyphen", "+86-138-1234-5678"],
    ["0086", "0086 138 1234 5678"],
    ["dots", "138.1234.5678"],
    ["slashes", "138/1234/5678"],
    ["en dashes", "138\u20131234\u20135678"],
    ["em dashes", "138\u20141234\u20145678"],
    ["NBSP", "138\u00a01234\u00a05678"],
    ["zero-width spaces", "138\u200b1234\u200b5678"],
    ["soft hyphens", "138\u00ad1234\u00ad5678"],
    ["word joiners and BOMs", "1\u20603\ufeff8\u200d12345678"],
    ["grouped 4-4-3", "1381 2345 678"],
    ["double spaces", "138  1234  5678"],
    ["ideographic spaces", "138\u30001234\u30005678"],
    ["keycap digits", "1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e312345678"],
    ["Arabic-Indic digits", "١٣٨١٢٣٤٥٦٧٨"],
  ])("a mobile number with %s", (_form, spelled) => {
    expect(redact(`电话${spelled}谢谢`)).toBe("电话[phone]谢谢");
  });

  it("a resident ID in groups, with dashes, full-width, lower-case x", () => {
    const id = PII.residentIdX.endsWith("X") ? PII.residentIdX : residentId("44030619900307113");
    const x = residentId("11010519900101007");
    expect(redact(`ID ${PII.residentId.slice(0, 6)} ${PII.residentId.slice(6, 14)} ${PII.residentId.slice(14)} ok`)).toBe("ID [id] ok");
    expect(redact(`ID ${PII.residentId.slice(0, 6)}-${PII.residentId.slice(6, 14)}-${PII.residentId.slice(14)} ok`)).toBe("ID [id] ok");
    expect(redact(`ID ${x.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))} ok`)).toBe("ID [id] ok");
    expect(redact(`${id} / ${id.toLowerCase()}`)).toMatch(/^\[(id|card)\] \/ \[(id|card)\]$/);
  });

  it("a bank card with dots, double spaces or full-width digits", () => {
    const dotted = PII.card.replace(/(\d{4})(?=\d)/g, "$1.");
    expect(redact(`card ${dotted} ok`)).toBe("card [card] ok");
    expect(redact(`card ${PII.card.replace(/(\d{4})(?=\d)/g, "$1  ")} ok`)).toBe("card [card] ok");
    expect(redact(`card ${PII.card.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))} ok`)).toBe("card [card] ok");
  });

  it("e-mail with a full-width ＠, a Chinese local part, an IDN domain", () => {
    expect(redact("mail han.meimei＠example.com ok")).toBe("mail [email] ok");
    expect(redact("mail li﹫example.com ok")).toBe("mail [email] ok");
    expect(redact("邮箱 韩梅梅@example.com")).toBe("邮箱 [email]");
    // Without a space, where a Chinese local part begins is unknowable: the Han run goes with it.
    expect(redact("邮箱韩梅梅@example.com")).toBe("[email]");
    expect(redact("mail meimei@例子.中国")).toBe("mail [email]");
    expect(redact("mail anna@bücher.de, ok")).toBe("mail [email], ok");
    expect(redact("mail anna@xn--bcher-kva.de.")).toBe("mail [email].");
    expect(redact("我的邮箱是li.lei@example.com请回复")).toBe("我的邮箱是[email]请回复");
  });

  it("blanks out every original character of the match, separators and invisible ones included", () => {
    expect(redact("a ＋８６\u00a0１３８\u200b１２３４–５６７８ b")).toBe("a [phone] b");
    expect(redact("tel:138\u00ad1234\u00ad5678\u200b.")).toBe("tel:[phone].");
  });

  it("keeps text around a match exactly as it was written", () => {
    expect(redact("Ｈｉ　全角, call 13812345678！")).toBe("Ｈｉ　全角, call [phone]！");
  });

  it("a model that echoes a full-width number back", () => {
    expect(redact("- 您的号码是１３８ １２３４ ５６７８。")).toBe("- 您的号码是[phone]。");
  });

  it("redacts keys of objects too", () => {
    expect(redactDeep({ [PII.mobile]: "x" }, redact)).toEqual({ "[phone]": "x" });
  });
});

describe("boundaries of the number rules", () => {
  it("the country code: 86, +86, 0086, with or without a separator; a + is hidden with it", () => {
    expect(redact("8613812345678")).toBe("[phone]");
    expect(redact("+8613812345678")).toBe("[phone]");
    expect(redact("86 13812345678")).toBe("[phone]");
    expect(redact("+86 13812345678")).toBe("[phone]");
    expect(redact("008613812345678")).toBe("[phone]");
    expect(redact("(+86) 138 1234 5678")).toBe("(+86) [phone]");
    expect(redact("8713812345678")).toBe("8713812345678");
  });

  it("a mobile number is 1[3-9] and nine digits, no more, no less", () => {
    expect(redact("13012345678 19912345678")).toBe("[phone] [phone]");
    expect(redact("12812345678 10012345678")).toBe("12812345678 10012345678");
    expect(redact("1381234567 138123456789")).toBe("1381234567 138123456789");
    expect(redact("23812345678")).toBe("23812345678");
  });

  it("numbers side by side are each hidden, and a short number next to one stays", () => {
    expect(redact("13812345678 13987654321")).toBe("[phone] [phone]");
    expect(redact("call 138 1234 5678 2 times")).toBe("call [phone] 2 times");
    expect(redact(`ID ${PII.residentId} / ${PII.residentIdX}`)).toBe("ID [id] / [id]");
  });

  it("separator runs of at most three characters join groups; commas and line breaks do not", () => {
    expect(redact("138 - 1234 - 5678")).toBe("[phone]");
    expect(redact("138    1234 5678")).toBe("138    1234 5678");
    expect(redact("138,1234,5678")).toBe("138,1234,5678");
    expect(redact("138\n1234\n5678")).toBe("138\n1234\n5678");
  });

  it("an ID's X only at the end, and not inside a word", () => {
    const x = residentId("11010519900101007");
    expect(x.endsWith("X")).toBe(true);
    expect(redact(`${x}`)).toBe("[id]");
    expect(redact(`${x.slice(0, 17)}x.`)).toBe("[id].");
    expect(redact(`${x}yz`)).toBe(`${x}yz`);
    expect(redact(`${x.slice(0, 17)}`)).toBe(x.slice(0, 17));
  });

  it("a card is 16 to 19 digits that pass Luhn", () => {
    const c15 = luhnCard("37828224631000");
    const c16 = luhnCard("411111111111111");
    const c19 = luhnCard("622202123456789012");
    const c20 = luhnCard("6222021234567890123");
    expect(redact(`${c16} ${c19}`)).toBe("[card] [card]");
    expect(redact(`a ${c15} b`)).toBe(`a ${c15} b`);
    expect(redact(`a ${c20} b`)).toBe(`a ${c20} b`);
  });

  it("an 18-digit number that passes both checks is an ID", () => {
    let id = "";
    for (let n = 0; n < 1000 && !id; n++) {
      const candidate = residentId(`1101051990010${String(1000 + n)}`);
      if (/^\d+$/.test(candidate) && isLuhnValid(candidate)) id = candidate;
    }
    expect(redact(id)).toBe("[id]");
  });
});

describe("boundaries of the e-mail rule", () => {
  it("needs a local part, a dot and a top-level label of two letters", () => {
    expect(redact("x@localhost @example.com a@b.c a@.com a@b..com")).toBe("x@localhost @example.com a@b.c a@.com a@b..com");
    expect(redact("a@b.com.1 a@b.co")).toBe("[email].1 [email]");
    expect(redact("a@b.xn--fiqs8s")).toBe("[email]");
  });

  it("each of several addresses, and one whose local part is a phone number", () => {
    expect(redact("a@x.com;b@y.org,c@z.cn")).toBe("[email];[email],[email]");
    expect(redact("13812345678@qq.com")).toBe("[email]");
    expect(redact("a@b@c.com")).toBe("a@[email]");
  });
});

describe("defaults and non-text values", () => {
  it("a redactor made without custom patterns applies the built-in rules only", () => {
    const builtIn = createRedactor();
    expect(builtIn(`call ${PII.mobile} or Stryker was here`)).toBe("call [phone] or Stryker was here");
    expect(builtIn("")).toBe("");
  });

  it("redactDeep leaves numbers, booleans, null and undefined as they are", () => {
    const redact = createRedactor();
    expect(redactDeep(13812345678, redact)).toBe(13812345678);
    expect(redactDeep(true, redact)).toBe(true);
    expect(redactDeep(null, redact)).toBeNull();
    expect(redactDeep(undefined, redact)).toBeUndefined();
    expect(redactDeep([1, null, false], redact)).toEqual([1, null, false]);
  });
});
