// Checks that fit support answers: the model looked things up with the tools it was expected
// to use, and said nothing about an order that no tool told it.
import type { RanToolCall } from "../replay/runProfile";

/** Order numbers as our examples and redact patterns write them: A-1001, SO123456789012. */
export const ORDER_ID_PATTERN = /\b(?:[A-Z]{1,4}-\d{3,}|SO\d{12})\b/g;

/** Shipping states an answer might claim, English and Chinese. */
export const ORDER_STATUSES = [
  "shipped", "delivered", "in transit", "out for delivery", "dispatched", "cancelled", "canceled", "refunded", "returned",
  "已发货", "已签收", "运输中", "派送中", "已取消", "已退款",
];

/** Each expected tool that was never called: `tools_called faq_lookup (called: none)`. */
export function missingToolCalls(expected: readonly string[], calls: readonly RanToolCall[]): string[] {
  const called = [...new Set(calls.map((c) => c.name))];
  return expected.filter((name) => !called.includes(name)).map((name) => `tools_called ${name} (called: ${called.length > 0 ? called.join(", ") : "none"})`);
}

/**
 * Order numbers and statuses in the answer that came from no tool result. An order number the
 * user wrote (`asked`) is theirs, not invented; a status must come from a tool. Conservative:
 * "not shipped yet" names a status too, and fails unless a tool said "shipped".
 */
export function inventedOrderData(answer: string, calls: readonly RanToolCall[], asked: string): string[] {
  const returned = calls.map((c) => c.content).join("\n");
  const known = returned + "\n" + asked;
  const ids = [...new Set(answer.match(ORDER_ID_PATTERN) ?? [])].filter((id) => !known.includes(id));
  const lowerAnswer = answer.toLowerCase();
  const lowerReturned = returned.toLowerCase();
  const statuses = ORDER_STATUSES.filter((s) => lowerAnswer.includes(s) && !lowerReturned.includes(s));
  return [...ids.map((id) => `no_invented_order_data: order "${id}" in no tool result`), ...statuses.map((s) => `no_invented_order_data: status "${s}" in no tool result`)];
}
