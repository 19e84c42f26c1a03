// SCF's seven-field timer cron (SCF timer trigger doc, "Cron expression": second minute hour
// day-of-month month day-of-week year), field by field: bounds, names, ranges, steps, lists, and
// the one-of-the-day-fields-is-? rule.
import { describe, expect, it } from "vitest";
import { cronProblem, cronSchema } from "../lib/deploy/cron";

/** A weekday cron with one field replaced (0-based index). */
const withField = (index: number, value: string) => {
  const fields = ["0", "40", "8", "?", "*", "MON-FRI", "*"];
  fields[index] = value;
  return fields.join(" ");
};

describe("cronProblem: each field's bounds", () => {
  it.each([
    [0, "second", "0", "59", "60", "0-59"],
    [1, "minute", "0", "59", "60", "0-59"],
    [2, "hour", "0", "23", "24", "0-23"],
    [6, "year", "1970", "2099", "2100", "1970-2099"],
  ])("%s (%s) takes %s..%s, not %s", (index, name, low, high, over, bounds) => {
    expect(cronProblem(withField(index, low))).toBeUndefined();
    expect(cronProblem(withField(index, high))).toBeUndefined();
    expect(cronProblem(withField(index, over))).toBe(`${name}: "${over}" is not ${bounds}`);
  });

  it("year 1969 is out of range", () => {
    expect(cronProblem(withField(6, "1969"))).toBe('year: "1969" is not 1970-2099');
  });

  it("day-of-month takes 1..31 (with ? as day-of-week)", () => {
    const dom = (v: string) => `0 0 2 ${v} * ? *`;
    expect(cronProblem(dom("1"))).toBeUndefined();
    expect(cronProblem(dom("31"))).toBeUndefined();
    expect(cronProblem(dom("0"))).toBe('day-of-month: "0" is not 1-31');
    expect(cronProblem(dom("32"))).toBe('day-of-month: "32" is not 1-31');
  });

  it("month takes 1..12 or JAN..DEC; day-of-week 0..7 or SUN..SAT, in any case", () => {
    for (const ok of ["1", "12", "JAN", "dec", "Jan-Mar", "3-MAR", "1-12"]) expect({ ok, problem: cronProblem(withField(4, ok)) }).toEqual({ ok, problem: undefined });
    expect(cronProblem(withField(4, "0"))).toBe('month: "0" is not 1-12 or JAN-DEC');
    expect(cronProblem(withField(4, "13"))).toBe('month: "13" is not 1-12 or JAN-DEC');
    expect(cronProblem(withField(4, "JANUARY"))).toBe('month: "JANUARY" is not 1-12 or JAN-DEC');
    for (const ok of ["0", "7", "SUN", "sat", "SUN-SAT", "mon-fri", "1-FRI"]) expect({ ok, problem: cronProblem(withField(5, ok)) }).toEqual({ ok, problem: undefined });
    expect(cronProblem(withField(5, "8"))).toBe('day-of-week: "8" is not 0-7 or SUN-SAT');
  });

  it("reads a name as its place counted from the field's minimum (MAR is month 3, FRI is weekday 5)", () => {
    expect(cronProblem(withField(4, "4-MAR"))).toBe('month: range "4-MAR" runs backwards');
    expect(cronProblem(withField(5, "6-FRI"))).toBe('day-of-week: range "6-FRI" runs backwards');
    expect(cronProblem(withField(5, "5-FRI"))).toBeUndefined();
  });

  it("takes no names in a field without them, and only digits as numbers", () => {
    expect(cronProblem(withField(2, "MON"))).toBe('hour: "MON" is not 0-23');
    for (const bad of ["5x", "x5", "-1", "1.5"]) expect(cronProblem(withField(1, bad)), bad).toMatch(/^minute: ".*" is not 0-59$/);
    expect(cronProblem(withField(1, "007"))).toBeUndefined();
  });
});

describe("cronProblem: ranges, steps, lists", () => {
  it("takes a range of one value, and refuses one that runs backwards or has three ends", () => {
    expect(cronProblem(withField(2, "5-5"))).toBeUndefined();
    expect(cronProblem(withField(2, "6-5"))).toBe('hour: range "6-5" runs backwards');
    expect(cronProblem(withField(2, "1-2-3"))).toBe('hour: "1-2-3" is not 0-23');
    expect(cronProblem(withField(2, "1-24"))).toBe('hour: "1-24" is not 0-23');
  });

  it("takes steps of 1 or more after *, a value or a range", () => {
    for (const ok of ["*/1", "*/15", "5/10", "0-30/5"]) expect({ ok, problem: cronProblem(withField(1, ok)) }).toEqual({ ok, problem: undefined });
    expect(cronProblem(withField(1, "*/0"))).toBe('minute: bad step in "*/0"');
    expect(cronProblem(withField(1, "*/x"))).toBe('minute: bad step in "*/x"');
    expect(cronProblem(withField(1, "*/5x"))).toBe('minute: bad step in "*/5x"');
    expect(cronProblem(withField(1, "*/"))).toBe('minute: bad step in "*/"');
    expect(cronProblem(withField(1, "*/1e1"))).toBe('minute: bad step in "*/1e1"');
    expect(cronProblem(withField(1, "*/+5"))).toBe('minute: bad step in "*/+5"');
    expect(cronProblem(withField(1, "1/2/3"))).toBe('minute: bad step in "1/2/3"');
    expect(cronProblem(withField(1, "70/5"))).toBe('minute: "70/5" is not 0-59');
  });

  it("checks every part of a list and names the first bad one", () => {
    expect(cronProblem(withField(1, "0,15,30,45"))).toBeUndefined();
    expect(cronProblem(withField(1, "0,70,80"))).toBe('minute: "70" is not 0-59');
  });

  it("takes ? in the day fields only", () => {
    for (const index of [0, 1, 2, 4, 6]) expect(cronProblem(withField(index, "?"))).toMatch(/: \? is for day-of-month or day-of-week only$/);
    expect(cronProblem(withField(0, "?"))).toBe("second: ? is for day-of-month or day-of-week only");
  });
});

describe("cronProblem: the whole expression", () => {
  it("needs seven fields, split on any whitespace", () => {
    expect(cronProblem("0 40 8 ? * MON-FRI")).toBe("expected 7 fields (second minute hour day-of-month month day-of-week year), got 6");
    expect(cronProblem("0 40 8 ? * MON-FRI * *")).toBe("expected 7 fields (second minute hour day-of-month month day-of-week year), got 8");
    expect(cronProblem("  0\t40  8 ? *\tMON-FRI *\n")).toBeUndefined();
  });

  it("wants ? in exactly one day field unless both are *", () => {
    expect(cronProblem("0 0 8 * * * *")).toBeUndefined();
    expect(cronProblem("0 0 8 ? * * *")).toBeUndefined();
    expect(cronProblem("0 0 8 * * ? *")).toBeUndefined();
    expect(cronProblem("0 0 8 ? * ? *")).toBe("day-of-month and day-of-week cannot both be ?");
    expect(cronProblem("0 0 8 * JAN MON 2027")).toBe('a day-of-week (MON) needs ? as day-of-month, as in "0 0 8 ? JAN MON 2027"');
    expect(cronProblem("0 0 8 1 * * *")).toBe("a day-of-month (1) needs ? as day-of-week");
    expect(cronProblem("0 0 8 1 * MON *")).toBe('a day-of-week (MON) needs ? as day-of-month, as in "0 0 8 ? * MON *"');
    expect(cronProblem("0 0 8 1 * ? *")).toBeUndefined();
  });
});

describe("cronSchema", () => {
  it("passes an SCF cron and names the problem of one that is not", () => {
    expect(cronSchema.safeParse("0 */4 * * * * *")).toMatchObject({ success: true, data: "0 */4 * * * * *" });
    const bad = cronSchema.safeParse("0 60 8 ? * MON *");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('expected an SCF cron: minute: "60" is not 0-59');
  });
});
