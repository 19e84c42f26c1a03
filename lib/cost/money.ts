// Money as integers. Internally every amount is a whole number of micro-yuan (0.000001 CNY):
// sums of many requests then add exactly, where floats would drift (0.1 + 0.2).
// Records and logs carry CNY as a number with at most six decimals.

export const MICRO_YUAN_PER_CNY = 1_000_000;

export function microYuanToCny(microYuan: number): number {
  return microYuan / MICRO_YUAN_PER_CNY;
}

/** A CNY amount from config or a record, to the nearest micro-yuan. */
export function cnyToMicroYuan(cny: number): number {
  return Math.round(cny * MICRO_YUAN_PER_CNY);
}

/** "¥1.234567" style text: six decimals below 1 yuan, where single requests live; two above 100. */
export function formatCny(microYuan: number): string {
  const cny = microYuanToCny(microYuan);
  const decimals = Math.abs(cny) >= 100 ? 2 : Math.abs(cny) >= 1 ? 4 : 6;
  return `¥${cny.toFixed(decimals)}`;
}
