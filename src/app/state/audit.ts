import type { AccessRecord } from "../../record/schema.js";
import { APP_ACTOR } from "./actor.js";
import { commentUrl } from "./reduce.js";

export interface AuditEntry {
  at: string;
  by: string;
  /** Plain text (the renderer escapes it). */
  what: string;
  url: string;
}

const VERB: Record<string, string> = {
  check: "ticked",
  uncheck: "unticked",
  "approve-certification": "approved certification",
  "revoke-certification": "revoked certification",
  hold: "put the request on hold",
  unhold: "lifted the hold",
  reject: "rejected the request",
  "reissue-tokens": "asked to reissue tokens",
};

/**
 * The audit trail, derived from the record alone: form submissions and edits, every accepted
 * command, every stage transition, certificate PRs and token issuances; oldest first.
 */
export function auditTrail(record: AccessRecord): AuditEntry[] {
  const entries: AuditEntry[] = [];
  record.formLog.forEach((f, i) => {
    const what =
      i === 0
        ? `request submitted (${f.valid ? "form valid" : "form incomplete"})`
        : !f.applied
          ? "form edited after approval: not applied (the approved request stands)"
          : `form edited (${f.valid ? "now valid" : "now incomplete"})`;
    entries.push({ at: f.at, by: record.requester, what, url: record.issueUrl });
  });
  for (const c of record.commands) {
    if (c.outcome !== "accepted" || !VERB[c.name]) continue;
    const args = c.args.length > 160 ? `${c.args.slice(0, 160)}…` : c.args;
    entries.push({
      at: c.at,
      by: c.by,
      what: args ? `${VERB[c.name]}: ${args}` : VERB[c.name]!,
      url: commentUrl(record.issueUrl, c.comment),
    });
  }
  for (const v of record.voidedTicks)
    entries.push({
      at: record.form.at,
      by: record.requester,
      what: `form edited: the tick of ${v.item} (by ${v.by}) no longer counts, ${v.changed.join(", ")} changed`,
      url: record.issueUrl,
    });
  for (const r of record.reclosed)
    entries.push({ at: r.at, by: APP_ACTOR, what: "reopened while rejected: closed again", url: record.issueUrl });
  for (const t of record.transitions)
    entries.push({ at: t.at, by: t.by, what: `stage ${t.from} → ${t.to}`, url: t.url });
  for (const pr of record.pullRequests) {
    const what =
      pr.state === "merged"
        ? `certificate PR #${pr.number} merged`
        : pr.state === "closed"
          ? `certificate PR #${pr.number} closed without merging`
          : `certificate PR #${pr.number} opened or updated`;
    entries.push({
      at: pr.mergedAt ?? pr.at,
      by: (pr.state === "merged" ? pr.mergedBy : pr.author) ?? pr.author ?? record.requester,
      what,
      url: pr.url,
    });
  }
  const runs = new Map<string, { at: string; by: string; count: number }>();
  for (const t of record.issuance) {
    const run = runs.get(t.runUrl) ?? { at: t.at, by: t.by ?? "token workflow", count: 0 };
    run.count++;
    runs.set(t.runUrl, run);
  }
  for (const [url, run] of runs) entries.push({ at: run.at, by: run.by, what: `${run.count} token(s) issued`, url });
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
