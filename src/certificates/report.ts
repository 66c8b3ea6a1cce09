import type { Finding } from "./findings.js";
import type { FileReport, ValidationReport } from "./types.js";

/** The report of a run: every file's report and the counts. */
export function summarize(files: FileReport[]): ValidationReport {
  const valid = files.filter((f) => f.verdict === "valid").length;
  return { files, summary: { valid, invalid: files.length - valid } };
}

/** One file's report; its verdict follows from the errors alone. */
export function report(
  path: string,
  certificate: FileReport["certificate"],
  errors: Finding[],
  warnings: Finding[],
): FileReport {
  return { path, verdict: errors.length === 0 ? "valid" : "invalid", certificate, errors, warnings };
}
