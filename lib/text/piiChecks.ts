// What makes a string of digits personal data: the checksums and shapes of the numbers
// Mini Program users type. Pure, on ASCII digits (the caller normalises first).

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

const digitAt = (text: string, i: number) => text.charCodeAt(i) - 48;

/** GB 11643: the 18th character is a checksum of the first 17 digits. */
export function isResidentId(candidate: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(candidate)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (ID_WEIGHTS[i] ?? 0) * digitAt(candidate, i);
  return ID_CHECK[sum % 11] === candidate[17]?.toUpperCase();
}

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digitAt(digits, digits.length - 1 - i);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A bank card: 16 to 19 digits that pass Luhn (UnionPay issues 16 to 19). */
export function isBankCard(digits: string): boolean {
  return /^\d{16,19}$/.test(digits) && isLuhnValid(digits);
}

/** A mainland mobile number: 1[3-9] and nine digits, with or without the 86 / 0086 country code. */
export function isMainlandMobile(digits: string): boolean {
  return /^(?:86|0086)?1[3-9]\d{9}$/.test(digits);
}

/** Length of the country code in front of a mobile number of this many digits (11: none). */
const COUNTRY_CODE: Readonly<Record<number, string>> = { 11: "", 13: "86", 15: "0086" };

const doubled = (d: number) => (d * 2 > 9 ? d * 2 - 9 : d * 2);

export type NumberKind = "id" | "card" | "phone";

/**
 * The kinds of personal number inside a string of ASCII digits, asked of any stretch of it in
 * constant time (two prefix sums make Luhn O(1)): the number scanner asks for every candidate
 * of a run, millions of times on a hostile input. An ID that also passes Luhn is an ID.
 */
export function digitString(all: string): (from: number, length: number, checkX?: boolean) => NumberKind | undefined {
  // luhn[k][p]: sum over the first p digits, doubling those whose index has parity k.
  const luhn = [new Int32Array(all.length + 1), new Int32Array(all.length + 1)] as const;
  for (let p = 0; p < all.length; p++) {
    const d = digitAt(all, p);
    luhn[0][p + 1] = (luhn[0][p] ?? 0) + (p % 2 === 0 ? doubled(d) : d);
    luhn[1][p + 1] = (luhn[1][p] ?? 0) + (p % 2 === 1 ? doubled(d) : d);
  }
  // From the right, every second digit is doubled: the ones whose index has the parity of `end`.
  const luhnHolds = (from: number, end: number) => {
    const sums = luhn[end % 2 === 0 ? 0 : 1];
    return ((sums[end] ?? 0) - (sums[from] ?? 0)) % 10 === 0;
  };
  const idChecksum = (from: number) => {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += (ID_WEIGHTS[i] ?? 0) * digitAt(all, from + i);
    return ID_CHECK[sum % 11];
  };
  return (from, length, checkX = false) => {
    if (checkX) return length === 17 && idChecksum(from) === "X" ? "id" : undefined;
    if (length === 18 && idChecksum(from) === all[from + 17]) return "id";
    if (length >= 16 && length <= 19 && luhnHolds(from, from + length)) return "card";
    const code = COUNTRY_CODE[length];
    if (code === undefined || !all.startsWith(code, from)) return undefined;
    const second = digitAt(all, from + code.length + 1);
    return all[from + code.length] === "1" && second >= 3 && second <= 9 ? "phone" : undefined;
  };
}

/** The kind of personal number a string of digits (an ID's X last) is, if any. */
export function numberKind(digits: string): NumberKind | undefined {
  const x = /[Xx]$/.test(digits);
  return digitString(x ? digits.slice(0, -1) : digits)(0, x ? digits.length - 1 : digits.length, x);
}

/** The longest string of digits (an ID's X included) that numberKind can accept. */
export const LONGEST_NUMBER = 19;
