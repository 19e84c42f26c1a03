/**
 * The one error type every step throws. `code` is stable (clients branch on it); `message`
 * is for humans and never carries a stack, a key or a provider's raw reply.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Every problem with its path (validation errors), so a form can mark each field. */
    readonly details?: readonly IssueDetail[],
    /** More stable fields of the error body (a blocked answer's content category). */
    readonly fields?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface IssueDetail {
  path: string;
  message: string;
}
