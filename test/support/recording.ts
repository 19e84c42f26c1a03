// What a step logged and how it refused: a logger that keeps every line with its level, and the
// AppError a promise rejected with (failing the test when it resolved or threw something else).
import { expect } from "vitest";
import { AppError } from "../../lib/appError";
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

export async function rejection(work: Promise<unknown>): Promise<AppError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}
