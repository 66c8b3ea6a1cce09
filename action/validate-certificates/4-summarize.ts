import { brandLabel } from "../../src/certificates/brand-label.js";
import type { FileReport, ValidationReport } from "../../src/certificates/index.js";
import { escapeHtml } from "../escape.js";

export interface SummaryContext {
  /** Where the configuration came from ("defaults", or a path and commit). */
  configSource: string;
  changedOnly: boolean;
  validationTime: Date | undefined;
  unscanned: Array<{ path: string; reason: string }>;
}

/** Characters of per-file tables, leaving room under GitHub's 1 MiB limit for the rest. */
export const SUMMARY_BUDGET = 900_000;

/**
 * Step 4 (pure): the job summary as HTML. Each value from a certificate, a path or a finding goes
 * through `escapeHtml`; only the fixed markup around it is ours. No value can hold a line break,
 * so the whole summary stays one HTML block per element and GitHub never parses it as Markdown.
 */
export function renderSummary(report: ValidationReport, context: SummaryContext, budget = SUMMARY_BUDGET): string {
  const { valid, invalid } = report.summary;
  const parts: string[] = [];
  parts.push(`<h2>OneRecord certificate check</h2>`);
  const headline =
    report.files.length === 0
      ? "No certificate files to check."
      : `${invalid === 0 ? "✅" : "❌"} ${valid} valid, ${invalid} invalid (${report.files.length} file${report.files.length === 1 ? "" : "s"}).`;
  parts.push(`<p>${headline}</p>`);
  const at = context.validationTime ? context.validationTime.toISOString() : "now";
  parts.push(
    `<p>Validation time: ${escapeHtml(at)}. Files: ${context.changedOnly ? "changed in this pull request" : "every matching file"}. ` +
      `Configuration: ${escapeHtml(context.configSource)}.</p>`,
  );
  // Invalid files first, and within a size budget: GitHub refuses a step summary over 1 MiB.
  const ordered = [
    ...report.files.filter((f) => f.verdict === "invalid"),
    ...report.files.filter((f) => f.verdict === "valid"),
  ];
  let used = parts.join("\n").length;
  let shown = 0;
  for (const file of ordered) {
    const html = renderFile(file);
    if (used + html.length > budget) break;
    parts.push(html);
    used += html.length + 1;
    shown++;
  }
  if (shown < ordered.length)
    parts.push(
      `<p>${ordered.length - shown} more file(s) are left out here to keep the summary small; the JSON report (output <code>report</code>) has them all.</p>`,
    );
  if (context.unscanned.length > 0) {
    const items = context.unscanned
      .map(({ path, reason }) => `<li><code>${escapeHtml(path)}</code>: ${escapeHtml(reason)}</li>`)
      .join("");
    parts.push(`<h3>Not scanned for private keys</h3>`, `<ul>${items}</ul>`);
  }
  return `${parts.join("\n")}\n`;
}

function renderFile(file: FileReport): string {
  const cert = file.certificate;
  const rows: Array<[string, string]> = [["path", `<code>${escapeHtml(file.path)}</code>`]];
  if (file.request !== undefined && file.device !== undefined) {
    rows.push(["device", `${escapeHtml(file.device)} (request #${file.request})`]);
  }
  if (cert) {
    rows.push(["subject", escapeHtml(cert.subject)]);
    rows.push([
      "issuer chain",
      cert.chain.length > 0 ? cert.chain.map(escapeHtml).join(" → ") : escapeHtml(cert.issuer),
    ]);
    rows.push(["brand", escapeHtml(brandLabel(cert))]);
    rows.push(["validity", `${escapeHtml(cert.notBefore)} → ${escapeHtml(cert.notAfter)}`]);
    rows.push(["SHA-256", `<code>${escapeHtml(cert.fingerprintSha256)}</code>`]);
  }
  rows.push(["verdict", file.verdict === "valid" ? "✅ valid" : "❌ invalid"]);
  const reasons = [
    ...file.errors.map((f) => `error <code>${escapeHtml(f.code)}</code>: ${escapeHtml(f.message)}`),
    ...file.warnings.map((f) => `warning <code>${escapeHtml(f.code)}</code>: ${escapeHtml(f.message)}`),
  ];
  rows.push(["reasons", reasons.length > 0 ? reasons.join("<br>") : "none"]);
  const body = rows.map(([key, value]) => `<tr><th align="left">${key}</th><td>${value}</td></tr>`).join("");
  // The verdict in words beside the emoji: the heading reads where no emoji font is installed.
  return `<h3>${file.verdict === "valid" ? "✅ valid" : "❌ invalid"}: ${escapeHtml(file.path)}</h3>\n<table>${body}</table>`;
}
