import type { AuditExport } from "./export-json.js";
import { ROW_COLUMNS } from "./types.js";

/**
 * The audit as one printable HTML page (issue 21): self-contained (inline style, no script, no
 * external asset), every value escaped; what was verified, the keys trusted and how they entered
 * the configuration, every failure, then each request's rows. Readable without colour: verdicts
 * are words.
 */
export function auditHtml(audit: AuditExport): string {
  const failed = audit.failures.length > 0;
  const verdict = failed
    ? `FAILED: ${audit.failures.length} failure(s)`
    : "VERIFIED: every version of every request, and every rule";
  const versions = audit.requests.reduce((n, r) => n + r.versions.length, 0);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access audit of ${esc(audit.repository)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Access audit of ${esc(audit.repository)}</h1>
<p class="verdict ${failed ? "failed" : "verified"}"><strong>${esc(verdict)}</strong></p>
<dl>
<dt>Produced</dt><dd>${esc(audit.producedAt)} by ${esc(audit.producedBy)}</dd>
<dt>Ledger</dt><dd>${esc(audit.ledger.repository)}, branch ${esc(audit.ledger.branch)}</dd>
<dt>Read</dt><dd>${audit.requests.length} request(s), ${versions} signed version(s)${audit.since ? `; rows since ${esc(audit.since)}` : ""}</dd>
</dl>
<h2>Record keys trusted</h2>
${keysTable(audit)}
<h2>Failures</h2>
${failuresTable(audit)}
<h2>Events</h2>
${rowsTables(audit)}
<p class="how">Re-check this export offline: <code>node cli/dist/onerecord-access.js audit verify EXPORT.json --jwks record-jwks.json</code> (the JSON export carries every signed version).</p>
</main>
</body>
</html>
`;
}

function keysTable(audit: AuditExport): string {
  if (audit.keys.length === 0) return "<p>No record key was ever published in records.jwks.</p>";
  const rows = audit.keys.map((k) => {
    const pull = (c: AuditExport["keys"][number]["entered"]) =>
      c.pull
        ? ` (pull request #${c.pull.number}${c.pull.mergedBy ? `, merged by ${esc(c.pull.mergedBy)}` : ""})`
        : " (no merged pull request)";
    const removed = k.removed
      ? `${esc(k.removed.at)}, commit ${esc(k.removed.commit.slice(0, 12))}${pull(k.removed)}`
      : "still published";
    return `<tr><td><code>${esc(k.kid)}</code></td><td>${esc(k.entered.at)}, commit ${esc(k.entered.commit.slice(0, 12))}${pull(k.entered)}</td><td>${removed}</td></tr>`;
  });
  return table(["Key (kid)", "Published", "Removed"], rows);
}

function failuresTable(audit: AuditExport): string {
  if (audit.failures.length === 0) return "<p>None.</p>";
  const rows = audit.failures.map(
    (f) =>
      `<tr><td>${f.request === null ? "the ledger" : `#${f.request}`}</td><td>${f.version ? `<code>${esc(f.version.slice(0, 12))}</code>` : "newest valid version"}</td><td>${esc(f.rule)}</td><td>${esc(f.reason)}</td></tr>`,
  );
  return table(["Request", "Version", "Rule", "Reason"], rows);
}

function rowsTables(audit: AuditExport): string {
  const out: string[] = [];
  for (const request of audit.requests) {
    const rows = audit.rows.filter((r) => r.request === request.issue);
    out.push(
      `<h3>Request #${request.issue}: ${request.verified ? "verified" : "FAILED"} (${request.versions.length} version(s))</h3>`,
    );
    out.push(
      rows.length
        ? table(
            ROW_COLUMNS.filter((c) => c !== "request"),
            rows.map(
              (r) =>
                `<tr>${ROW_COLUMNS.filter((c) => c !== "request")
                  .map((c) => `<td>${cell(c, String(r[c]))}</td>`)
                  .join("")}</tr>`,
            ),
          )
        : "<p>No event in the period.</p>",
    );
  }
  return out.join("\n");
}

/**
 * A cell as a person reads it: a cause as a short link (the comment, pull request, run or issue it
 * names; the whole address in the link), a hash, thumbprint or token id cut to 12 characters with
 * the whole value in its title (the JSON export has them whole).
 */
function cell(column: (typeof ROW_COLUMNS)[number], value: string): string {
  if (!value) return "";
  if (column === "cause") {
    const label =
      [
        [/#issuecomment-(\d+)$/, "comment "],
        [/\/pull\/(\d+)$/, "PR #"],
        [/\/actions\/runs\/(\d+)/, "run "],
        [/\/issues\/(\d+)$/, "issue #"],
      ]
        .map(([pattern, prefix]) => {
          const found = (pattern as RegExp).exec(value)?.[1];
          return found ? `${prefix as string}${found}` : null;
        })
        .find((l) => l !== null) ?? value;
    return /^https:\/\//.test(value) ? `<a href="${esc(value)}">${esc(label)}</a>` : esc(label);
  }
  if ((column === "formVersion" || column === "x5tS256" || column === "jti") && value.length > 16)
    return `<code title="${esc(value)}">${esc(value.slice(0, 12))}…</code>`;
  return esc(value);
}

function table(head: readonly string[], rows: readonly string[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

/** HTML text: the five characters that can open markup or end an attribute, escaped. */
export function esc(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;margin:0;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #999}h3{font-size:15px}
.verdict{padding:8px 12px;border:2px solid #111}.verdict.failed{border-style:dashed}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:8px 0}
th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#eee}code{font:12px ui-monospace,monospace}
@media print{main{max-width:none;padding:0}h3{break-after:avoid}tr{break-inside:avoid}}
`;
