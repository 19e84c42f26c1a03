// Characters people put between the digits of one number: spaces (NBSP and the ideographic
// space are spaces after NFKC), dots, slashes, hyphens and dashes (full-width forms are ASCII
// after NFKC), middle dots. A run of at most three ("138 - 1234", double spaces) joins two
// groups of digits; commas and line breaks do not, so lists and tables stay apart.
const SEPARATORS = new Set([" ", "\t", ".", "/", "-", "_", "\u00b7", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u30fb", "\u2027"]);

export const MAX_SEPARATOR_RUN = 3;

export function isDigitSeparator(char: string | undefined): boolean {
  return char !== undefined && SEPARATORS.has(char);
}

export function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The end of the separator run at `from` if a digit follows it within MAX_SEPARATOR_RUN, else -1. */
export function separatorRunBeforeDigit(text: string, from: number): number {
  let at = from;
  while (at < text.length && at - from < MAX_SEPARATOR_RUN && isDigitSeparator(text[at])) at++;
  return at > from && at < text.length && isAsciiDigit(text.charCodeAt(at)) ? at : -1;
}
