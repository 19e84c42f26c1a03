// msgSecCheck v2 labels (result.label / detail[].label, numbers on the wire) and the readable
// category a response carries instead of the raw number. Labels per WeChat's msgSecCheck docs:
// 100 normal, 10001 ad, 20001 politics, 20002 porn, 20003 abuse, 20006 crime, 20008 fraud,
// 20012 vulgar, 20013 copyright, 21000 other.

export const CATEGORY_BY_LABEL = {
  100: "normal",
  10001: "ad",
  20001: "politics",
  20002: "porn",
  20003: "abuse",
  20006: "crime",
  20008: "fraud",
  20012: "vulgar",
  20013: "copyright",
  21000: "other",
} as const;

export type ContentCategory = (typeof CATEGORY_BY_LABEL)[keyof typeof CATEGORY_BY_LABEL];

/** What a Mini Program page can show for a category (WeChat's own names for the labels). */
export const CATEGORY_TITLES: Readonly<Record<ContentCategory, string>> = {
  normal: "正常",
  ad: "广告",
  politics: "时政",
  porn: "色情",
  abuse: "辱骂",
  crime: "违法犯罪",
  fraud: "欺诈",
  vulgar: "低俗",
  copyright: "版权",
  other: "其他",
};

/** A label WeChat adds later reads as "other" rather than failing the check. */
export function categoryOf(label: number): ContentCategory {
  return (CATEGORY_BY_LABEL as Record<number, ContentCategory>)[label] ?? "other";
}
