// The eval checks that fit support and recommend, as pure functions, and through failedChecks.
import { describe, expect, it } from "vitest";
import { failedChecks } from "../lib/eval/checks";
import { listedItems, missingPicks, picksWithoutReason, unlistedPicks } from "../lib/eval/recommendChecks";
import { inventedOrderData, missingToolCalls } from "../lib/eval/supportChecks";

const call = (name: string, content: string) => ({ name, arguments: "{}", ok: true, content });

describe("support checks", () => {
  it("names each expected tool never called, with what was called", () => {
    expect(missingToolCalls(["faq_lookup"], [])).toEqual(["tools_called faq_lookup (called: none)"]);
    expect(missingToolCalls(["faq_lookup", "order_status"], [call("order_status", "{}"), call("order_status", "{}")])).toEqual(["tools_called faq_lookup (called: order_status)"]);
    expect(missingToolCalls(["order_status"], [call("faq_lookup", "[]"), call("order_status", "{}")])).toEqual([]);
  });

  it("passes order numbers and statuses a tool returned, and an order number the user wrote", () => {
    const returned = [call("order_status", '{"orderId":"A-1001","status":"In Transit"}')];
    expect(inventedOrderData("Order A-1001 is in transit.", returned, "where is A-1001?")).toEqual([]);
    expect(inventedOrderData("I could not look up A-1001 right now.", [], '{"question":"where is A-1001?"}')).toEqual([]);
  });

  it("fails an order number or a status no tool returned", () => {
    expect(inventedOrderData("Order A-2002 has shipped.", [call("order_status", '{"status":"in transit"}')], "A-1001")).toEqual([
      'no_invented_order_data: order "A-2002" in no tool result',
      'no_invented_order_data: status "shipped" in no tool result',
    ]);
    // A status the user wrote is not one a tool returned.
    expect(inventedOrderData("您的订单已签收。", [], "我的订单已签收了吗")).toEqual(['no_invented_order_data: status "已签收" in no tool result']);
    expect(inventedOrderData("Order SO123456789012 and SO123456789012 again.", [], "")).toEqual(['no_invented_order_data: order "SO123456789012" in no tool result']);
  });
});

describe("recommend checks", () => {
  const input = { items: [{ id: "t1", title: "Tea" }, { id: "c1", title: "Coffee" }, "Water"], limit: 2 };
  const pick = (id: string, reason = "fits") => ({ id, title: "x", reason });

  it("numbers plain string items from 1 and defaults the limit to 3", () => {
    expect(listedItems(input)).toEqual({ ids: ["t1", "c1", "3"], limit: 2 });
    expect(listedItems({ items: ["a"] })).toEqual({ ids: ["1"], limit: 3 });
  });

  it("fails unlisted ids, repeats and picks past the limit", () => {
    expect(unlistedPicks([pick("c1"), pick("3")], input)).toEqual([]);
    expect(unlistedPicks([pick("z9")], input)).toEqual(["only_listed_ids (unlisted: z9)"]);
    expect(unlistedPicks([pick("c1"), pick("c1")], input)).toEqual(["only_listed_ids (twice: c1)"]);
    expect(unlistedPicks([pick("t1"), pick("c1"), pick("3")], input)).toEqual(["only_listed_ids (3 picks, limit 2)"]);
    expect(unlistedPicks("c1 - coffee", input)).toEqual(["only_listed_ids (no list of picks)"]);
    expect(unlistedPicks([], input)).toEqual(["only_listed_ids (no list of picks)"]);
  });

  it("fails picks without a reason and required ids not picked", () => {
    expect(picksWithoutReason([pick("t1"), pick("c1", "  ")])).toEqual(["reasons_present (none for: c1)"]);
    expect(picksWithoutReason([{ id: "t1" }])).toEqual(["reasons_present (none for: t1)"]);
    expect(picksWithoutReason([pick("t1")])).toEqual([]);
    expect(missingPicks(["c1"], [pick("t1")])).toEqual(["required_ids c1 (picked: t1)"]);
    expect(missingPicks(["c1"], "nothing")).toEqual(["required_ids c1 (picked: none)"]);
    expect(missingPicks(["c1"], [pick("c1")])).toEqual([]);
  });
});

describe("failedChecks with the intent checks", () => {
  const outcome = (answer: unknown, toolCalls?: ReturnType<typeof call>[]) => ({ profile: "p", ok: true, answer, ms: 1, ...(toolCalls ? { toolCalls } : {}) });
  it("runs only the checks a case names", () => {
    expect(failedChecks({ tools_called: ["faq_lookup"], no_invented_order_data: true }, outcome("It has shipped."), { question: "q" })).toEqual([
      "tools_called faq_lookup (called: none)",
      'no_invented_order_data: status "shipped" in no tool result',
    ]);
    expect(failedChecks({ tools_called: ["faq_lookup"] }, outcome("Reset it in Settings.", [call("faq_lookup", "[]")]), {})).toEqual([]);
    expect(failedChecks({ only_listed_ids: true, reasons_present: true, required_ids: ["c1"] }, outcome([{ id: "t1", reason: "" }]), { items: [{ id: "t1" }] })).toEqual([
      "reasons_present (none for: t1)",
      "required_ids c1 (picked: t1)",
    ]);
    expect(failedChecks({}, outcome("It has shipped."), {})).toEqual([]);
  });
});
