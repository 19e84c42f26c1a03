// What a step logged: a logger that keeps every line with its level.
import type { Logger, LogFields } from "../../lib/observability/logger";

export interface LoggedLine {
  level: string;
  msg: string;
  fields?: LogFields;
}

export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: string) => (msg: string, fields?: LogFields) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}
