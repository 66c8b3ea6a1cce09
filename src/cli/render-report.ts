import { brandLabel, displaySafe, type FileReport, type ValidationReport } from "../certificates/index.js";

/** The CLI's human output: one block a file, then a one-line summary. */
export function renderReport(report: ValidationReport): string {
  const blocks = report.files.map(renderFile);
  const { valid, invalid } = report.summary;
  const none = report.files.length === 0 ? "no certificate files found\n" : "";
  return `${blocks.join("\n")}${none}\n${valid} valid, ${invalid} invalid\n`;
}

function renderFile(file: FileReport): string {
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
  const width = Math.max(...rows.map(([k]) => k.length));
  // Messages are made display-safe where they are written; escaping again here keeps a message
  // that missed it (or a --trust file name in the brand) from reaching the terminal raw.
  return `${displaySafe(file.path)}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${displaySafe(v)}`).join("\n")}\n`;
}
