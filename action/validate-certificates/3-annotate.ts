import type { ValidationReport } from "../../src/certificates/index.js";

export interface Annotation {
  level: "error" | "warning";
  message: string;
  file: string;
  /** The finding code: stable, so reviewers and tooling can match on it. */
  title: string;
}

/** Step 3 (pure): one annotation on the file for every error and warning. */
export function annotationsFor(
  report: ValidationReport,
  unscanned: Array<{ path: string; reason: string }> = [],
): Annotation[] {
  const out: Annotation[] = [];
  for (const file of report.files) {
    for (const f of file.errors) out.push({ level: "error", message: f.message, file: file.path, title: f.code });
    for (const f of file.warnings) out.push({ level: "warning", message: f.message, file: file.path, title: f.code });
  }
  for (const { path, reason } of unscanned) {
    out.push({
      level: "warning",
      message: `not scanned for private keys: ${reason}`,
      file: path,
      title: "not-scanned",
    });
  }
  return out;
}
