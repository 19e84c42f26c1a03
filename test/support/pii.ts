// Personal data of every kind the redaction rules know, generated valid (checksums included).
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
