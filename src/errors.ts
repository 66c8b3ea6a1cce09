/**
 * Errors that callers (CLI, Action, app) and tests match by `code`, never by message.
 * A message may quote user input but never key or token material.
 */
export type ErrorCode =
  | "usage"
  | "config-invalid"
  | "config-not-found"
  | "input-invalid"
  | "io-error"
  /** The app's record no longer fits a GitHub comment even compressed: nothing is written. */
  | "record-too-large";

export class OneRecordError extends Error {
  readonly code: ErrorCode;
  /** Dotted path of the offending field, where one applies (config and inputs). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OneRecordError";
    this.code = code;
    this.field = options.field;
  }
}

export function isOneRecordError(error: unknown, code?: ErrorCode): error is OneRecordError {
  return error instanceof OneRecordError && (code === undefined || error.code === code);
}
