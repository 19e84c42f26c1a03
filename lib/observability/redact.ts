// Personal data out of everything we write. Built-in rules for what Mini Program users type
// most (mainland mobile numbers, e-mail, resident ID numbers, bank cards), validated where a
// checksum exists so order numbers and timestamps are left alone; plus patterns from policy.

export interface RedactPattern {
  name: string;
  pattern: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** GB 11643: the 18th character is a checksum of the first 17 digits. */
export function isResidentId(candidate: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(candidate)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(candidate[i]), 0);
  return ID_CHECK[sum % 11] === candidate[17]?.toUpperCase();
}

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const RESIDENT_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const BANK_CARD = /(?<![0-9])\d(?:[ -]?\d){15,18}(?![0-9])/g;
const MOBILE = /(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export function createRedactor(custom: readonly RedactPattern[] = []): (text: string) => string {
  const extra = custom.map((p) => ({ name: p.name, re: new RegExp(p.pattern, "g") }));
  return (text) => {
    // Longest, checksummed numbers first: an ID or a card must not be half-eaten as a phone.
    let out = text.replace(RESIDENT_ID, (m) => (isResidentId(m) ? "[id]" : m));
    out = out.replace(BANK_CARD, (m) => {
      const digits = m.replace(/[ -]/g, "");
      return digits.length >= 16 && digits.length <= 19 && isLuhnValid(digits) ? "[card]" : m;
    });
    out = out.replace(MOBILE, "[phone]").replace(EMAIL, "[email]");
    for (const { name, re } of extra) out = out.replace(re, `[${name}]`);
    return out;
  };
}

/** Every string inside a value, redacted; the shape stays. */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  return value;
}
