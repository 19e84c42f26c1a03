// The Logger a module is handed, as a type only. It lives on the bottom floor of lib/ (beside
// the shared words of lib/chat and lib/appError) so that a low-level part (a breaker, a budget
// gate, a rate limit) can take a logger without importing lib/observability, which sits above
// them: observability reads store keys, config and prices. The JSON-lines logger that writes
// to stdout for CLS is lib/observability/logger.ts (createLogger).

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
