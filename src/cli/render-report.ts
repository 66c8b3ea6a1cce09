import { brandLabel, displaySafe, type FileReport, type ValidationReport } from "../certificates/index.js";

export interface RenderContext {
  /** The validation time used, and whether it was given (`--at`) or is the time of the run. */
  at: Date;
  atGiven: boolean;
  /** Advice per file path (src/cli/advice.ts). */
  advice?: ReadonlyMap<string, string[]>;
}

/** The CLI's human output: one block a file, the files skipped, the time used, a summary line. */
export function renderReport(report: ValidationReport, context: RenderContext): string {
  const blocks = report.files.map((file) => renderFile(file, context.advice?.get(file.path) ?? []));
  const { valid, invalid } = report.summary;
  const none = report.files.length === 0 ? "no certificate files found\n" : "";
  const skipped = report.skipped?.length
    ? `skipped (not certificate files, no private key found): ${report.skipped.map(displaySafe).join(", ")}\n`
    : "";
  const time = `validated at ${context.at.toISOString()} (${context.atGiven ? "--at" : "now"})\n`;
  return `${blocks.join("\n")}${none}\n${skipped}${time}${valid} valid, ${invalid} invalid\n`;
}

/** The `--json` shape: the report, the validation time, and advice on the files that have some. */
export function reportJson(report: ValidationReport, context: RenderContext): unknown {
  const files = report.files.map((file) => {
    const advice = context.advice?.get(file.path) ?? [];
    return advice.length ? { ...file, advice } : file;
  });
  return { ...report, files, validatedAt: context.at.toISOString() };
}

function renderFile(file: FileReport, advice: string[]): string {
  const rows: Array<[string, string]> = [];
  const cert = file.certificate;
  if (cert) {
    rows.push(["subject", cert.subject]);
    rows.push(["brand", brandLabel(cert)]);
    rows.push(["issuer chain", cert.chain.length > 0 ? cert.chain.join("  →  ") : cert.issuer]);
    rows.push(["validity", `${cert.notBefore}  →  ${cert.notAfter}`]);
    rows.push(["sha-256", cert.fingerprintSha256]);
  }
  if (file.request !== undefined) rows.push(["device", `${file.device} (request #${file.request})`]);
  rows.push(["verdict", file.verdict.toUpperCase()]);
  const reasons = [
    ...file.errors.map((f) => `error ${f.code}: ${f.message}`),
    ...file.warnings.map((f) => `warning ${f.code}: ${f.message}`),
  ];
  reasons.forEach((reason, i) => rows.push([i === 0 ? "reasons" : "", reason]));
  advice.forEach((line, i) => rows.push([i === 0 ? "advice" : "", line]));
  const width = Math.max(...rows.map(([k]) => k.length));
  // Messages are made display-safe where they are written; escaping again here keeps a message
  // that missed it (or a --trust file name in the brand) from reaching the terminal raw.
  return `${displaySafe(file.path)}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${displaySafe(v)}`).join("\n")}\n`;
}
