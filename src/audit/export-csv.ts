import { ROW_COLUMNS, type AuditRow } from "./types.js";

/**
 * The rows as CSV for a spreadsheet (RFC 4180: CRLF, fields quoted when they hold a comma, quote
 * or line break, quotes doubled). A field a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab or carriage return first: OWASP's CSV injection) gets a leading `'`: the rows quote
 * what people wrote.
 */
export function rowsCsv(rows: readonly AuditRow[]): string {
  const lines = [ROW_COLUMNS.join(",")];
  for (const row of rows) lines.push(ROW_COLUMNS.map((c) => field(String(row[c]))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
