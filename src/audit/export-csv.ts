import { ROW_COLUMNS, type AuditRow } from "./types.js";

/**
 * The rows as CSV for a spreadsheet (RFC 4180: CRLF, quotes doubled). Every field is quoted, so a
 * spreadsheet set to another separator (`;`) splits nothing; a field it would run as a formula
 * (`=`, `+`, `-`, `@`, tab or carriage return first: OWASP's CSV injection) gets a leading `'`:
 * the rows quote what people wrote.
 */
export function rowsCsv(rows: readonly AuditRow[]): string {
  const lines = [ROW_COLUMNS.map(field).join(",")];
  for (const row of rows) lines.push(ROW_COLUMNS.map((c) => field(String(row[c]))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}
