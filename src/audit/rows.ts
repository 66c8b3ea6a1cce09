import type { AccessRecord } from "../record/schema.js";
import { x5tOf } from "./rules.js";
import type { AuditRow } from "./types.js";

/**
 * One row per event of a request, as an auditor samples them (issue 21), from a verified record:
 * form versions, command lines (accepted and refused), merged certificates, tokens, revocations
 * and stage changes, in time order (a cause before the stage change it causes). Pure: the same
 * record always gives the same rows, which is what lets `audit verify` find an edited row.
 */
export function rowsOf(record: AccessRecord): AuditRow[] {
  const base = { request: record.issue, actorId: "", formVersion: "", device: "", x5tS256: "", jti: "" };
  const rows: AuditRow[] = [];
  for (const [i, f] of record.formLog.entries())
    rows.push({
      ...base,
      time: f.at,
      actor: record.requester,
      actorId: record.requesterId ? String(record.requesterId) : "",
      action: i === 0 ? "request submitted" : "form edited",
      cause: record.issueUrl,
      formVersion: f.bodySha256,
      outcome: `${f.valid ? "valid" : "invalid"}${f.applied ? "" : ", not applied"}`,
    });
  for (const c of record.commands)
    rows.push({
      ...base,
      time: c.at,
      actor: c.by,
      actorId: c.byId ? String(c.byId) : "",
      // The line as written (its arguments: the item ticked, the reason given), bounded.
      action: `/${c.name}${c.args ? ` ${c.args.slice(0, 200)}` : ""}`,
      cause: `${record.issueUrl}#issuecomment-${c.comment}`,
      formVersion: c.requestSha256 ?? "",
      outcome: c.outcome === "refused" ? `refused${c.refusal ? `: ${c.refusal}` : ""}` : c.outcome,
    });
  const pulls = new Map(record.pullRequests.map((p) => [p.number, p]));
  for (const cert of record.certificates)
    rows.push({
      ...base,
      time: cert.mergedAt,
      actor: pulls.get(cert.pr)?.mergedBy ?? "",
      action: "certificate merged",
      cause: pulls.get(cert.pr)?.url ?? "",
      device: cert.device,
      x5tS256: cert.fingerprintSha256 ? x5tOf(cert.fingerprintSha256) : "",
      outcome: cert.verdict,
    });
  for (const t of record.issuance)
    rows.push({
      ...base,
      time: t.at,
      actor: t.by ?? "",
      action: "token issued",
      cause: t.runUrl,
      device: t.device,
      x5tS256: t.x5tS256,
      jti: t.jti,
      outcome: `expires ${t.expiresAt}`,
    });
  for (const r of record.revocations ?? [])
    rows.push({
      ...base,
      time: r.at,
      actor: r.by,
      action: `token revoked (/${r.command})`,
      cause: r.url,
      device: r.device,
      jti: r.jti,
      outcome: "revoked",
    });
  for (const t of record.transitions)
    rows.push({ ...base, time: t.at, actor: t.by, action: `stage ${t.from} → ${t.to}`, cause: t.url, outcome: t.why });
  // Stable: by time, then in the order above (a cause before the stage change it causes).
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => Date.parse(a.row.time) - Date.parse(b.row.time) || a.i - b.i)
    .map(({ row }) => row);
}
