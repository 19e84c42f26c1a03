import { AppError, type IssueDetail } from "../appError";
import { type PlainResponse, jsonResponse } from "./plain";

export interface ErrorBody {
  error: { code: string; message: string; details?: readonly IssueDetail[]; [field: string]: unknown };
  traceId: string;
}

/** The one place an error becomes a response. Unknown errors say nothing about themselves. */
export function errorResponse(err: unknown, traceId: string): PlainResponse {
  const known = err instanceof AppError;
  const status = known ? err.status : 500;
  const body: ErrorBody = {
    error: known ? { ...err.fields, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } : { code: "internal_error", message: "internal error" },
    traceId,
  };
  return jsonResponse(status, body, { "x-trace-id": traceId, ...(known ? err.headers : {}) });
}
