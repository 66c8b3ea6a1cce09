import { esc } from "../audit/export-html.js";
import { escapeText } from "../app/render/markdown.js";
import type { OperatorReport, RequestLine } from "./view.js";

/**
 * The operator's view as Markdown (a job summary: GitHub renders it, so every value is escaped as
 * in the status comment) and as one self-contained HTML page (no script, no external asset, wraps
 * within 1280 px, words rather than colours). Pure.
 */
const WAITS: Record<RequestLine["waitsOn"], string> = {
  customer: "the customer",
  reviewers: "reviewers",
  maintainer: "a maintainer",
  nobody: "nobody",
};

export function reportMarkdown(report: OperatorReport): string {
  const waiting = report.requests.filter((r) => r.waitsOn !== "nobody");
  const lines = [
    `## OneRecord access: ${report.requests.length} request(s), ${waiting.length} waiting`,
    "",
    `As of ${report.at.slice(0, 16).replace("T", " ")} UTC; "soon" is within ${report.windowDays} days. Oldest wait first.`,
    "",
    "| Request | Stage | Waits on | For | Since | Devices | Ends soon | Review due | Revoked |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | ---: |",
  ];
  for (const r of report.requests)
    lines.push(
      `| [#${r.issue}](${r.url}) ${escapeText(r.requester, 60)} | ${escapeText(r.stage)} | ${WAITS[r.waitsOn]} | ${escapeText(r.waitingFor)} | ${r.since.slice(0, 10)} | ${r.devices.map((d) => `${escapeText(d.device, 60)}: ${escapeText(d.state)}`).join("<br>") || "none"} | ${r.expiring.map((e) => `${escapeText(e.device, 60)} ${e.at.slice(0, 10)}`).join("<br>") || "none"} | ${r.reviewDue?.slice(0, 10) ?? "none"} | ${r.revoked} |`,
    );
  if (report.unreadable.length)
    lines.push(
      "",
      "**Records that do not verify** (run `node cli/dist/onerecord-access.js audit`):",
      "",
      ...report.unreadable.map((u) => `- #${u.issue}: ${escapeText(u.reason, 200)}`),
    );
  return `${lines.join("\n")}\n`;
}

export function reportHtml(report: OperatorReport): string {
  const rows = report.requests.map(
    (r) => `<tr>
<td><a href="${esc(r.url)}">#${r.issue}</a><br>${esc(r.requester)}</td>
<td>${esc(r.stage)}</td>
<td><strong>${WAITS[r.waitsOn]}</strong></td>
<td>${esc(r.waitingFor)}</td>
<td>${esc(r.since.slice(0, 10))}</td>
<td>${r.devices.map((d) => `${esc(d.device)}: ${esc(d.state)}`).join("<br>") || "none"}</td>
<td>${r.expiring.map((e) => `${esc(e.device)} ${esc(e.at.slice(0, 10))}`).join("<br>") || "none"}</td>
<td>${esc(r.reviewDue?.slice(0, 10) ?? "none")}</td>
<td>${r.revoked}</td>
</tr>`,
  );
  const unreadable = report.unreadable.length
    ? `<h2>Records that do not verify</h2><ul>${report.unreadable.map((u) => `<li>#${u.issue}: ${esc(u.reason)}</li>`).join("")}</ul>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OneRecord access: every request</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>OneRecord access: ${report.requests.length} request(s), ${report.requests.filter((r) => r.waitsOn !== "nobody").length} waiting</h1>
<p>As of ${esc(report.at.slice(0, 16).replace("T", " "))} UTC; "ends soon" and "review due" look ${report.windowDays} days ahead. Oldest wait first.</p>
<table>
<thead><tr><th>Request</th><th>Stage</th><th>Waits on</th><th>For</th><th>Since</th><th>Devices</th><th>Ends soon</th><th>Review due</th><th>Revoked</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${unreadable}
</main>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;background:#fff;margin:0}
main{max-width:1240px;margin:0 auto;padding:20px}
h1{font-size:22px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border:1px solid #888;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#eee}
a{color:#0645ad}
@media print{main{max-width:none;padding:0}tr{break-inside:avoid}}
`;
