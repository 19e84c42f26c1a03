// The part of CLS's SQL analysis (`<search> | <SQL>`, Presto-like: cloud.tencent.com/document/
// product/614/44061) the CLS double evaluates, and nothing more: a statement outside it is
// refused with FailedOperation.SyntaxError, so a query we change beyond it fails loudly.
//
//   SELECT item {, item}  [WHERE cond]  [GROUP BY expr {, expr}]  [ORDER BY key [ASC|DESC] {, ...}]
//   [OFFSET n] [LIMIT n]                       (LIMIT: default 100, at most 10,000: doc 614/58977)
//   item  := expr [AS name]
//   cond  := conj {OR conj};  conj := atom {AND atom};  atom := "(" cond ")" | expr op expr | expr IS [NOT] NULL
//   op    := = | != | <> | < | <= | > | >=
//   expr  := term {+|- term};  term := factor {*|/ factor}
//   factor:= number | 'string' | name | "dotted.name" | count(*) | count(expr) | sum(expr)
//            | round(expr) | substr(expr, start, length) | ( expr )
// Fields are the log's JSON keys, nested ones by their dotted path; a key's value is typed as the
// key-value index types it: numbers long/double, everything else text (a JSON boolean is "true").
// A missing key is NULL: comparisons with NULL are false, sum skips it, count(expr) does not count it.
export class ClsSqlError extends Error {
  constructor(
    readonly code: "FailedOperation.SyntaxError" | "FailedOperation.QueryError" | "InvalidParameter",
    message: string,
  ) {
    super(message);
  }
}

type Value = string | number | null;
type Expr =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "col"; name: string }
  | { k: "star" }
  | { k: "fn"; name: "count" | "sum" | "round" | "substr"; args: Expr[] }
  | { k: "bin"; op: string; a: Expr; b: Expr };
type Cond = { k: "and" | "or"; a: Cond; b: Cond } | { k: "cmp"; op: string; a: Expr; b: Expr } | { k: "null"; not: boolean; a: Expr };
export interface SqlStatement {
  items: { expr: Expr; name: string }[];
  where?: Cond;
  groupBy: Expr[];
  orderBy: { key: string; desc: boolean }[];
  offset: number;
  limit: number;
}

const syntax = (message: string) => new ClsSqlError("FailedOperation.SyntaxError", message);
const KEYWORDS = new Set(["select", "as", "where", "group", "by", "order", "asc", "desc", "offset", "limit", "and", "or", "is", "not", "null", "from"]);

function tokenize(sql: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:('(?:[^']|'')*')|("[^"]+")|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|!=|<>|[=<>(),*/+-]))/y;
  let at = 0;
  while (at < sql.length) {
    if (/^\s*$/.test(sql.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(sql);
    if (!m) throw syntax(`unexpected "${sql.slice(at, at + 12)}"`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]) as string);
    at = re.lastIndex;
  }
  return tokens;
}

function parser(tokens: string[]) {
  let i = 0;
  const peek = (ahead = 0) => tokens[i + ahead]?.toLowerCase();
  const take = () => tokens[i++] ?? "";
  const accept = (word: string) => (peek() === word ? (i++, true) : false);
  const expect = (word: string) => {
    if (!accept(word)) throw syntax(`expected ${word.toUpperCase()} at "${tokens[i] ?? "end"}"`);
  };
  const factor = (): Expr => {
    const t = take();
    const lower = t.toLowerCase();
    if (/^\d/.test(t)) return { k: "num", v: Number(t) };
    if (t.startsWith("'")) return { k: "str", v: t.slice(1, -1).replace(/''/g, "'") };
    if (t.startsWith('"')) return { k: "col", name: t.slice(1, -1) };
    if (t === "(") {
      const e = expr();
      expect(")");
      return e;
    }
    if (/^[a-z_]/i.test(t) && peek() === "(") {
      if (lower !== "count" && lower !== "sum" && lower !== "round" && lower !== "substr") throw syntax(`function ${t} is outside the subset this double evaluates`);
      take();
      const args: Expr[] = [];
      if (lower === "count" && accept("*")) args.push({ k: "star" });
      else do args.push(expr()); while (accept(","));
      expect(")");
      const arity = { count: 1, sum: 1, round: 1, substr: 3 }[lower];
      if (args.length !== arity) throw syntax(`${t} takes ${arity} argument(s)`);
      return { k: "fn", name: lower, args };
    }
    if (/^[a-z_]/i.test(t) && !KEYWORDS.has(lower)) return { k: "col", name: t };
    throw syntax(`unexpected "${t || "end"}"`);
  };
  const binary = (next: () => Expr, ops: string[]) => (): Expr => {
    let a = next();
    while (ops.includes(peek() ?? "")) a = { k: "bin", op: take(), a, b: next() };
    return a;
  };
  const term = binary(factor, ["*", "/"]);
  const expr = binary(term, ["+", "-"]);
  const atom = (): Cond => {
    if (accept("(")) {
      const c = cond();
      expect(")");
      return c;
    }
    const a = expr();
    if (accept("is")) {
      const not = accept("not");
      expect("null");
      return { k: "null", not, a };
    }
    const op = take();
    if (!["=", "!=", "<>", "<", "<=", ">", ">="].includes(op)) throw syntax(`expected a comparison at "${op || "end"}"`);
    return { k: "cmp", op, a, b: expr() };
  };
  const chain = (next: () => Cond, word: "and" | "or") => (): Cond => {
    let a = next();
    while (accept(word)) a = { k: word, a, b: next() };
    return a;
  };
  const cond: () => Cond = chain(chain(atom, "and"), "or");
  return { peek, take, accept, expect, expr, cond, done: () => i >= tokens.length };
}

export const exprKey = (e: Expr): string => JSON.stringify(e, (k, v) => (k === "name" && typeof v === "string" ? v.toLowerCase() : v));

function whole(p: ReturnType<typeof parser>, what: string): number {
  const t = p.take();
  if (!/^\d+$/.test(t)) throw syntax(`${what} expects a whole number`);
  return Number(t);
}

export function parseSql(sql: string): SqlStatement {
  const p = parser(tokenize(sql));
  p.expect("select");
  const items: SqlStatement["items"] = [];
  do {
    const start = p.peek();
    const expr = p.expr();
    const name = p.accept("as") ? p.take() : expr.k === "col" ? expr.name : `_col${items.length}`;
    if (start === undefined) throw syntax("empty select");
    items.push({ expr, name });
  } while (p.accept(","));
  if (p.peek() === "from") throw syntax("FROM is outside the subset (the topic is the request's TopicId)");
  const where = p.accept("where") ? p.cond() : undefined;
  const groupBy: Expr[] = [];
  if (p.accept("group")) {
    p.expect("by");
    do groupBy.push(p.expr());
    while (p.accept(","));
  }
  const orderBy: SqlStatement["orderBy"] = [];
  if (p.accept("order")) {
    p.expect("by");
    do {
      const key = p.take();
      orderBy.push({ key: key.replace(/^"|"$/g, ""), desc: p.accept("desc") || (p.accept("asc") && false) });
    } while (p.accept(","));
  }
  const offset = p.accept("offset") ? whole(p, "OFFSET") : 0;
  const limit = p.accept("limit") ? whole(p, "LIMIT") : 100;
  if (!p.done()) throw syntax(`unexpected "${p.take()}" (clauses: SELECT, WHERE, GROUP BY, ORDER BY, OFFSET, LIMIT, in that order)`);
  if (limit > 10_000) throw new ClsSqlError("InvalidParameter", "LIMIT: each SQL returns at most 10,000 rows");
  return { items, ...(where ? { where } : {}), groupBy, orderBy, offset, limit };
}

/** A log's field as the key-value index holds it: numbers, else text; a missing key is NULL. */
export function fieldOf(log: Record<string, unknown>, name: string): Value {
  let value: unknown = log;
  for (const part of name.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return value;
  return typeof value === "string" ? value : JSON.stringify(value);
}

const queryError = (message: string) => new ClsSqlError("FailedOperation.QueryError", message);
const isAggregate = (e: Expr): boolean => (e.k === "fn" && (e.name === "count" || e.name === "sum")) || (e.k === "fn" && e.args.some(isAggregate)) || (e.k === "bin" && (isAggregate(e.a) || isAggregate(e.b)));

function arithmetic(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if (typeof a !== "number" || typeof b !== "number") throw queryError(`Cannot apply operator ${op} to varchar`);
  return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : b === 0 ? null : a / b;
}

/** Presto's round: half away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

function scalar(e: Expr, log: Record<string, unknown>, agg?: (e: Expr) => Value): Value {
  switch (e.k) {
    case "num":
    case "str":
      return e.v;
    case "col":
      return fieldOf(log, e.name);
    case "star":
      throw syntax("* outside count(*)");
    case "bin":
      return arithmetic(e.op, scalar(e.a, log, agg), scalar(e.b, log, agg));
    case "fn": {
      if (e.name === "count" || e.name === "sum") {
        if (!agg) throw syntax(`${e.name} in WHERE`);
        return agg(e);
      }
      const [a, b, c] = e.args.map((x) => scalar(x, log, agg));
      if (a === null || a === undefined) return null;
      if (e.name === "round") {
        if (typeof a !== "number") throw queryError("round(varchar)");
        return roundHalfAway(a);
      }
      if (typeof a !== "string") throw queryError("substr(bigint)");
      return a.substr(Number(b) - 1, Number(c));
    }
  }
}

function compare(op: string, a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  if (typeof a !== typeof b) throw queryError(`Cannot apply operator: ${typeof a === "number" ? "bigint" : "varchar"} ${op} ${typeof b === "number" ? "bigint" : "varchar"}`);
  const order = a < b ? -1 : a > b ? 1 : 0;
  return { "=": order === 0, "!=": order !== 0, "<>": order !== 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0 }[op] ?? false;
}

function holds(c: Cond, log: Record<string, unknown>): boolean {
  if (c.k === "null") return (scalar(c.a, log) === null) !== c.not;
  if (c.k === "cmp") return compare(c.op, scalar(c.a, log), scalar(c.b, log));
  return c.k === "and" ? holds(c.a, log) && holds(c.b, log) : holds(c.a, log) || holds(c.b, log);
}

function aggregate(e: Expr & { k: "fn" }, logs: readonly Record<string, unknown>[]): Value {
  const [arg] = e.args;
  if (!arg) throw syntax(`${e.name}()`);
  if (arg.k === "star") return logs.length;
  if (isAggregate(arg)) throw syntax(`nested aggregate ${e.name}`);
  const values = logs.map((l) => scalar(arg, l)).filter((v) => v !== null);
  if (e.name === "count") return values.length;
  if (values.some((v) => typeof v !== "number")) throw queryError("sum(varchar)");
  return values.length === 0 ? null : (values as number[]).reduce((s, v) => s + v, 0);
}

/** An item that is neither grouped nor an aggregate is refused, as Presto does. */
function checkGrouped(e: Expr, grouped: Set<string>): void {
  if (grouped.has(exprKey(e)) || e.k === "num" || e.k === "str") return;
  if (e.k === "col" || e.k === "star") throw syntax(`'${e.k === "col" ? e.name : "*"}' must be an aggregate expression or appear in GROUP BY clause`);
  if (e.k === "fn" && (e.name === "count" || e.name === "sum")) return;
  for (const sub of e.k === "fn" ? e.args : e.k === "bin" ? [e.a, e.b] : []) checkGrouped(sub, grouped);
}

function sortRows(rows: Record<string, Value>[], statement: SqlStatement): void {
  const names = new Set(statement.items.map((i) => i.name));
  for (const o of statement.orderBy) if (!names.has(o.key)) throw syntax(`ORDER BY ${o.key}: order by an output column name`);
  rows.sort((x, y) => {
    for (const { key, desc } of statement.orderBy) {
      const a = x[key] ?? null;
      const b = y[key] ?? null;
      if (a === b) continue;
      if (a === null) return 1;
      if (b === null) return -1;
      return (a < b ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
}

/** The statement over the logs the search part matched: output column names and rows. */
export function evaluateSql(statement: SqlStatement, logs: readonly Record<string, unknown>[]): { columns: string[]; rows: Record<string, Value>[] } {
  const matched = statement.where ? logs.filter((l) => holds(statement.where!, l)) : logs;
  const grouped = new Set(statement.groupBy.map(exprKey));
  const aggregated = statement.groupBy.length > 0 || statement.items.some((i) => isAggregate(i.expr));
  let rows: Record<string, Value>[];
  if (!aggregated) {
    rows = matched.map((l) => Object.fromEntries(statement.items.map((i) => [i.name, scalar(i.expr, l)])));
  } else {
    for (const item of statement.items) checkGrouped(item.expr, grouped);
    const groups = new Map<string, Record<string, unknown>[]>();
    if (statement.groupBy.length === 0) groups.set("", [...matched]);
    for (const l of statement.groupBy.length ? matched : []) {
      const key = JSON.stringify(statement.groupBy.map((g) => scalar(g, l)));
      const group = groups.get(key);
      if (group) group.push(l);
      else groups.set(key, [l]);
    }
    rows = [...groups.values()].map((group) => {
      const agg = (e: Expr) => aggregate(e as Expr & { k: "fn" }, group);
      return Object.fromEntries(statement.items.map((i) => [i.name, scalar(i.expr, group[0] ?? {}, agg)]));
    });
  }
  sortRows(rows, statement);
  return { columns: statement.items.map((i) => i.name), rows: rows.slice(statement.offset, statement.offset + statement.limit) };
}
