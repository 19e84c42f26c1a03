// What idle provisioned instances cost. SCF bills "number of idle instances * configured memory *
// idle duration * idle provisioned concurrency unit price", idle = max(started provisioned -
// concurrency) per 10 s (product 583/44256). The unit price is a setting: prices change and
// differ by region and account; pass yours with --idle-price.

export interface Prices {
  /** Per GB-second of idle provisioned concurrency. */
  idlePerGbSecond: number;
  currency: string;
}

/**
 * A placeholder in the range of published SCF list prices, not checked against the current price
 * page (the search tool had no copy of it): replace it with your region's figure.
 */
export const DEFAULT_PRICES: Prices = { idlePerGbSecond: 0.00000847, currency: "USD" };

export const DAYS_PER_MONTH = 30;

export function idleCost(idleGbSeconds: number, prices: Prices): number {
  return idleGbSeconds * prices.idlePerGbSecond;
}

/** A replay of `days` days, scaled to a 30-day month. */
export function monthly(valueOverTrace: number, days: number): number {
  return (valueOverTrace / days) * DAYS_PER_MONTH;
}
