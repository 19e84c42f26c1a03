/** Every string a request carries into the prompt (input and context), one per line: what WeChat checks. */
export function textsOf(...values: unknown[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return out.join("\n");
}
