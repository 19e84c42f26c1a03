// Quotas and budgets run per day in Beijing time (UTC+8, no daylight saving), when Mini
// Program users' days begin and end.
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** YYYYMMDD of the Beijing day `nowMs` falls in. */
export function beijingDay(nowMs: number): string {
  return new Date(nowMs + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replaceAll("-", "");
}

export function secondsToNextBeijingMidnight(nowMs: number): number {
  const local = nowMs + BEIJING_OFFSET_MS;
  return Math.ceil((Math.floor(local / DAY_MS + 1) * DAY_MS - local) / 1000);
}
