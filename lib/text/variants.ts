// Characters that read as another for a filter: traditional Chinese forms of the characters in
// the shipped blocked terms and injection patterns (a deliberately small map, not a general
// traditional -> simplified converter: terms from config are folded through the same map, so
// a term written with a character outside it still matches itself), and Cyrillic and Greek
// letters that look like Latin ones ("іgnore" with a Cyrillic і).

const TRADITIONAL: Record<string, string> = {
  證: "证", 號: "号", 碼: "码", 銀: "银", 開: "开", 發: "发", 髮: "发", 輸: "输", 訴: "诉", 顯: "显",
  複: "复", 統: "统", 詞: "词", 規: "规", 則: "则", 視: "视", 無: "无", 記: "记", 設: "设",
  說: "说", 説: "说", 現: "现", 進: "进", 啟: "启", 啓: "启", 獄: "狱", 權: "权", 們: "们",
  這: "这", 麼: "么", 請: "请", 項: "项", 實: "实", 講: "讲", 讓: "让", 為: "为", 爲: "为", 對: "对",
  話: "话", 應: "应", 該: "该", 後: "后", 從: "从", 準: "准", 專: "专", 賬: "账",
  僞: "伪", 偽: "伪", 貨: "货", 幣: "币", 戶: "户", 寫: "写", 語: "语", 裡: "里", 裏: "里",
  釋: "释", 僅: "仅", 隱: "隐", 洩: "泄", 將: "将", 並: "并", 証: "证", 増: "增",
};

const LOOKALIKE: Record<string, string> = {
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", ԁ: "d", һ: "h", ԛ: "q", ԝ: "w", ӏ: "l",
  α: "a", ο: "o", ρ: "p", ν: "v", ι: "i", κ: "k", τ: "t", υ: "u", χ: "x", ε: "e",
  // Small capitals (IPA and phonetic letters), which NFKC leaves as they are: "ɪɢɴᴏʀᴇ".
  ᴀ: "a", ʙ: "b", ᴄ: "c", ᴅ: "d", ᴇ: "e", ꜰ: "f", ɢ: "g", ʜ: "h", ɪ: "i", ᴊ: "j", ᴋ: "k", ʟ: "l", ᴍ: "m",
  ɴ: "n", ᴏ: "o", ᴘ: "p", ʀ: "r", ꜱ: "s", ᴛ: "t", ᴜ: "u", ᴠ: "v", ᴡ: "w", ʏ: "y", ᴢ: "z",
};

const SINGLE: Record<string, string> = { ...TRADITIONAL, ...LOOKALIKE };
const VARIANT = new RegExp(`[${Object.keys(SINGLE).join("")}]`, "gu");

/** Each listed variant replaced by the character it stands for. */
export function unifyVariants(text: string): string {
  return text.replace(VARIANT, (c) => SINGLE[c] ?? c);
}

// For blocked terms only (folded text on both sides): numbers written as Chinese numerals or
// financial numerals read as digits ("银行卡四件套", "银行卡肆件套", "银行卡4件套" are one term),
// and the Taiwanese spelling 身分证 as 身份证. Not for injection patterns, which spell 一切, 一下.
const NUMERAL: Record<string, string> = {
  〇: "0", 零: "0", 一: "1", 壹: "1", 二: "2", 贰: "2", 貳: "2", 两: "2", 三: "3", 叁: "3", 參: "3", 四: "4", 肆: "4", 五: "5", 伍: "5",
  六: "6", 陆: "6", 陸: "6", 七: "7", 柒: "7", 八: "8", 捌: "8", 九: "9", 玖: "9",
};
const NUMERALS = new RegExp(`[${Object.keys(NUMERAL).join("")}]`, "gu");

export function unifyForTerms(folded: string): string {
  return folded.replace(NUMERALS, (c) => NUMERAL[c] ?? c).replaceAll("身分", "身份");
}

// For injection patterns only: digits standing in for letters ("Ign0re previ0us instructi0ns").
const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t" };

export function unifyLeet(folded: string): string {
  return folded.replace(/[013457]/g, (c) => LEET[c] ?? c);
}
