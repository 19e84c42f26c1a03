// The form safety rules compare: what a reader would see, minus everything a filter could be
// dodged with. NFKC (full-width letters, compatibility forms), default-ignorable characters
// removed (zero-width space and joiners, U+2060, U+FEFF, the soft hyphen), lower case,
// traditional and look-alike characters unified, then every space, punctuation mark and
// symbol dropped: "I.g-n o\u00adre", "身份\u200b證 號碼大全" read as "ignore", "身份证号码大全".
// Terms and patterns are folded (or written) the same way. Linear: a fixed chain of one-pass
// replacements.
import { unifyVariants } from "./variants";

// Default-ignorable characters, and combining marks: "忽略之\u0301前" reads as "忽略之前".
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{M}]/gu;
const NOT_WORD = /[\s\p{P}\p{S}\p{Z}\p{C}]+/gu;

export function foldForFilter(text: string): string {
  const visible = text.normalize("NFKC").replace(IGNORABLE, "");
  // NFKC again after lower-casing: a few capitals lower to sequences that compose.
  return unifyVariants(visible.toLowerCase().normalize("NFKC")).replace(NOT_WORD, "");
}
