/** An answer as one text (what the client shows, what WeChat checks): a string as it is, a structured answer (extract) as its JSON. */
export function answerText(answer: unknown): string {
  return typeof answer === "string" ? answer : JSON.stringify(answer);
}
