/**
 * The stable vocabulary of certificate findings. These codes are a public contract: the CLI's
 * JSON, the Action's annotations and the app's records all carry them, and tests match on them.
 */
export const ERROR_CODES = [
  "parse-error",
  "private-key",
  "self-signed",
  "untrusted-root",
  "missing-intermediate",
  "bad-signature",
  "expired",
  "not-yet-valid",
  "ca-leaf",
  "missing-client-auth",
  "weak-key",
  "weak-signature",
  "path-length",
  "key-usage",
  "duplicate-extension",
  "unknown-critical-extension",
  "name-chaining",
  "key-identifier-mismatch",
  "name-constraints",
  "anchor-constraint",
  "explicit-curve",
  "undeliverable-key",
  "certificate-profile",
  "device-mismatch",
  "duplicate-device",
  "missing-root",
] as const;

export const WARNING_CODES = ["expires-soon", "client-auth-ending"] as const;

export type ErrorFindingCode = (typeof ERROR_CODES)[number];
export type WarningFindingCode = (typeof WARNING_CODES)[number];
export type FindingCode = ErrorFindingCode | WarningFindingCode;

export interface Finding {
  code: FindingCode;
  /** Human readable; may quote certificate fields (already stripped of control characters). */
  message: string;
}

export function finding(code: FindingCode, message: string): Finding {
  return { code, message };
}
