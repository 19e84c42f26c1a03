/**
 * Every string a request carries into the prompt (input and context), one per line: what WeChat
 * checks. Object keys count as text too: a context's keys are written into the prompt beside
 * their values (`key: value`), so a risky key would otherwise reach the model unchecked.
 */
export function textsOf(...values: unknown[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      for (const [key, value] of Object.entries(v)) {
        out.push(key);
        walk(value);
      }
    }
  };
  values.forEach(walk);
  return out.join("\n");
}
