// Personal data of every kind the redaction rules know, generated valid (checksums included).
// A seeded generator, so a failing spelling can be reproduced.
import { seededRandom } from "../../scripts/burst/random";

export { seededRandom };

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function residentId(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return first17 + "10X98765432"[sum % 11];
}

export function luhnCard(body: string): string {
  let sum = 0;
  const digits = `${body}0`;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export const PII = {
  mobile: "13812345678",
  mobileSpaced: "+86 139 8765 4321",
  email: "li.lei@example.com",
  residentId: residentId("11010519491231002"),
  residentIdX: residentId("44030619900307123"),
  card: luhnCard("622202123456789012"),
  cardSpaced: luhnCard("453201511283036").replace(/(\d{4})(?=\d)/g, "$1 "),
  orderNo: "SO202611240001",
};

/** The seeded values as they could appear anywhere (digits of spaced forms included). */
export const PII_NEEDLES = [PII.mobile, "13987654321", "139 8765 4321", PII.email, PII.residentId, PII.residentIdX, PII.card, PII.cardSpaced, PII.cardSpaced.replace(/ /g, ""), PII.orderNo];

// ---------------------------------------------------------------------------------------------
// Spellings: the forms of issue 16 point 7, and a seeded generator that writes each kind of
// personal data in many of them. Each seeded value keeps its canonical form (what a leak
// check looks for after normalising) next to the spelling that was sent.

export interface SeededValue {
  kind: "mobile" | "residentId" | "card" | "email" | "orderNo";
  /** What was written into the request. */
  spelling: string;
  /** Digits only for numbers (X kept), the plain lower-case address for e-mails. */
  canonical: string;
}

/** The forms the outsider reported leaking (issue 16, point 7), each with its canonical value. */
export const REPORTED_FORMS: readonly SeededValue[] = [
  { kind: "mobile", spelling: "１３８１２３４５６７８", canonical: "13812345678" },
  { kind: "mobile", spelling: "＋８６ １３８ １２３４ ５６７８", canonical: "13812345678" },
  { kind: "mobile", spelling: "8613912345678", canonical: "13912345678" },
  { kind: "mobile", spelling: "+86 137 1234 5678", canonical: "13712345678" },
  { kind: "mobile", spelling: "136.1234.5678", canonical: "13612345678" },
  { kind: "mobile", spelling: "135/1234/5678", canonical: "13512345678" },
  { kind: "mobile", spelling: "134\u20131234\u20135678", canonical: "13412345678" },
  { kind: "mobile", spelling: "133\u00a01234\u00a05678", canonical: "13312345678" },
  { kind: "mobile", spelling: "150\u200b1234\u200b5678", canonical: "15012345678" },
  { kind: "mobile", spelling: "1511 2345 678", canonical: "15112345678" },
  { kind: "residentId", spelling: `110105 19491231 002${residentId("11010519491231002").slice(-1)}`, canonical: residentId("11010519491231002") },
  { kind: "residentId", spelling: residentId("44030619900307123").replace(/^(\d{6})(\d{8})/, "$1-$2-"), canonical: residentId("44030619900307123") },
  { kind: "card", spelling: luhnCard("622202123456789012").replace(/(\d{4})(?=\d)/g, "$1."), canonical: luhnCard("622202123456789012") },
  { kind: "card", spelling: luhnCard("453201511283036").replace(/(\d{4})(?=\d)/g, "$1  "), canonical: luhnCard("453201511283036") },
  { kind: "email", spelling: "han.meimei＠example.com", canonical: "han.meimei@example.com" },
  { kind: "email", spelling: "韩梅梅@example.com", canonical: "韩梅梅@example.com" },
  { kind: "email", spelling: "meimei@例子.中国", canonical: "meimei@例子.中国" },
  { kind: "orderNo", spelling: "so202611240002", canonical: "202611240002" },
];


const SEPARATORS = [" ", "  ", "\u00a0", ".", "/", "-", "\u2013", "\u2014", "\u3000", "\uff0d", "\uff0e", "\uff0f", "\u200b", "\u00ad", "\u2060", " - ", "_"];
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"];
const HAN = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高";

const fullWidth = (text: string) => text.replace(/[0-9A-Za-z@+.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

function digitsOf(random: () => number, count: number, first = ""): string {
  let out = first;
  while (out.length < count) out += String(Math.floor(random() * 10));
  return out;
}

/** Digits cut into groups of the given sizes (random sizes when none), joined by separators. */
function spellDigits(random: () => number, digits: string, sizes?: readonly number[]): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const style = random();
  const groups: string[] = [];
  let at = 0;
  const plan = sizes ?? [];
  for (let k = 0; at < digits.length; k++) {
    const size = plan[k] ?? 1 + Math.floor(random() * 5);
    groups.push(digits.slice(at, at + size));
    at += size;
  }
  const sep = pick(SEPARATORS);
  // One separator throughout, a different one between each group, or none at all.
  let text = style < 0.15 ? digits : groups.map((g, i) => (i === 0 ? g : (style < 0.7 ? sep : pick(SEPARATORS)) + g)).join("");
  if (random() < 0.3) text = fullWidth(text);
  if (random() < 0.2) text = [...text].map((c) => (random() < 0.2 ? c + pick(INVISIBLE) : c)).join("");
  return text;
}

/** `count` values of each kind, each in a spelling chosen by the seeded generator. */
export function generateCorpus(seed: number, count: number): SeededValue[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const out: SeededValue[] = [];
  for (let n = 0; n < count; n++) {
    const mobile = digitsOf(random, 11, `1${3 + Math.floor(random() * 7)}`);
    const prefix = pick(["", "", "+86 ", "86", "+86-", "＋８６ ", "0086 ", "(+86) "]);
    out.push({ kind: "mobile", spelling: prefix + spellDigits(random, mobile, pick([[3, 4, 4], [4, 4, 3], [3, 8], [11], undefined])), canonical: mobile });
    const year = 1950 + Math.floor(random() * 60);
    const born = `${year}${String(1 + Math.floor(random() * 12)).padStart(2, "0")}${String(1 + Math.floor(random() * 28)).padStart(2, "0")}`;
    const id = residentId(`${digitsOf(random, 6, String(1 + Math.floor(random() * 8)))}${born}${digitsOf(random, 3)}`);
    const idSpelled = spellDigits(random, id.slice(0, 17), pick([[6, 8, 3], [6, 4, 4, 3], [17], undefined]));
    out.push({ kind: "residentId", spelling: `${idSpelled}${id.endsWith("X") && random() < 0.5 ? "x" : id.slice(-1)}`, canonical: id });
    const card = luhnCard(digitsOf(random, 15 + Math.floor(random() * 4), pick(["62", "4", "5", "3"])));
    out.push({ kind: "card", spelling: spellDigits(random, card, pick([[4, 4, 4, 4, 4], [6, 13], undefined])), canonical: card });
    const local = random() < 0.3 ? Array.from({ length: 3 }, () => pick([...HAN])).join("") : `${pick(["li", "wang", "zh", "mei"])}${pick(["", ".", "_", "+"])}${digitsOf(random, 4).replace(/\d/g, (d) => "abcdefghij"[Number(d)] ?? "a")}`;
    const domain = pick(["example.com", "qq.com", "mail.example.cn", "例子.中国", "bücher.de", "xn--fsqu00a.xn--fiqs8s"]);
    const at = pick(["@", "@", "＠", "\ufe6b"]);
    const address = `${local}@${domain}`;
    out.push({ kind: "email", spelling: `${random() < 0.2 ? fullWidth(local) : local}${at}${domain}`, canonical: address.toLowerCase() });
    const order = digitsOf(random, 12, "2026");
    out.push({ kind: "orderNo", spelling: `${pick(["SO", "so", "So", "ＳＯ"])}${random() < 0.2 ? fullWidth(order) : order}`, canonical: order });
  }
  return out;
}

/**
 * Where a seeded value shows in a written text, if it does: as sent, normalised, or as digits
 * (all digits of the text in a row: a whole log line is too coarse for that, pass its strings).
 */
export function findLeak(written: string, value: SeededValue, digitsOnly = true): string | undefined {
  if (written.includes(value.spelling)) return "as sent";
  const plain = written.normalize("NFKC").replace(/\p{Default_Ignorable_Code_Point}/gu, "");
  if (value.kind === "email") return plain.toLowerCase().includes(value.canonical) ? "normalised" : undefined;
  // Digits only, over the whole text: a number split by any characters at all still shows
  // (an ID's first 17 digits are a leak without the check character).
  return digitsOnly && plain.replace(/\D/g, "").includes(value.canonical.replace(/X$/, "")) ? "digits only" : undefined;
}

/** The corpus as running text, each value behind a label of its kind, in chunks of at most `size` characters. */
export function corpusTexts(values: readonly SeededValue[], size: number): string[] {
  const label = { mobile: "手机", residentId: "身份证", card: "Card", email: "Mail", orderNo: "订单" } as const;
  const texts: string[] = [];
  let text = "";
  for (const value of values) {
    const piece = `${label[value.kind]} ${value.spelling}。 `;
    if (text.length + piece.length > size) {
      texts.push(text);
      text = "";
    }
    text += piece;
  }
  if (text) texts.push(text);
  return texts;
}
