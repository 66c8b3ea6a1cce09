import type { AccessRecord, CertificateRecord, CommandRecord } from "../../record/schema.js";
import { deviceKey } from "../../request/device-id.js";
import { APP_ACTOR } from "./actor.js";
import { commentUrl } from "./reduce.js";

export interface AuditEntry {
  at: string;
  by: string;
  /** Plain text (the renderer escapes it). */
  what: string;
  url: string;
}

/** Causes (what people and runs did) sort before effects (what the app derived) at equal times. */
type Ranked = AuditEntry & { rank: 0 | 1 };

const VERB: Record<string, string> = {
  check: "ticked",
  uncheck: "unticked",
  "approve-certification": "approved certification",
  "revoke-certification": "revoked certification",
  hold: "put the request on hold",
  unhold: "lifted the hold",
  reject: "rejected the request",
  "reissue-tokens": "asked to reissue tokens",
  "revoke-tokens": "revoked tokens",
  "revoke-access": "ended the access (every token revoked)",
  recertify: "recertified the access (periodic review)",
  "keys-received": "said the device keys were received",
};

/**
 * Refusals an auditor wants to see: someone without the power tried to act (an outsider, or the
 * requester on their own request). A reviewer's slip (a wrong item, a wrong stage) is answered
 * in a reply and changes nothing, so it stays out of the trail.
 */
const AUDITED_REFUSAL: Record<string, string> = {
  "not-reviewer": "not run, not a reviewer",
  requester: "not run, the requester's own request",
};

/**
 * The audit trail, derived from the record alone: form submissions and edits, every accepted
 * command, refused attempts by people without the power (one line per comment), every stage
 * transition, certificate PRs and token issuances; oldest first, causes before their effects.
 */
export function auditTrail(record: AccessRecord): AuditEntry[] {
  const entries: Ranked[] = [
    ...formEntries(record),
    ...commandEntries(record),
    ...refusedEntries(record),
    ...pullRequestEntries(record),
    ...issuanceEntries(record),
    ...afterLiveEntries(record),
    ...obtainedEntries(record),
  ];
  for (const v of record.voidedTicks)
    entries.push({
      at: record.form.at,
      by: record.requester,
      what: `form edited: the tick of ${v.item} (by ${v.by}) no longer counts, ${v.changed.join(", ")} changed`,
      url: record.issueUrl,
      rank: 1,
    });
  for (const r of record.reclosed)
    entries.push({
      at: r.at,
      by: APP_ACTOR,
      what: "reopened while rejected: closed again",
      url: record.issueUrl,
      rank: 1,
    });
  for (const t of record.transitions)
    entries.push({ at: t.at, by: t.by, what: `stage ${t.from} → ${t.to}`, url: t.url, rank: 1 });
  // Stable: entries of one kind keep their record order.
  return entries
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.rank - b.rank)
    .map(({ at, by, what, url }) => ({ at, by, what, url }));
}

/** "form invalid: what was missing", as *What is missing* said it when that version was current. */
function formVerdict(f: AccessRecord["formLog"][number], prefix: string): string {
  if (f.valid) return `${prefix}valid`;
  return f.problems?.length ? `${prefix}invalid: ${f.problems.join("; ")}` : `${prefix}invalid`;
}

function formEntries(record: AccessRecord): Ranked[] {
  return record.formLog.map((f, i) => {
    const what =
      i === 0
        ? `request submitted (${formVerdict(f, "form ")})`
        : !f.applied
          ? "form edited after approval: not applied (the approved request stands)"
          : `form edited (${formVerdict(f, "now ")})`;
    return { at: f.at, by: record.requester, what, url: record.issueUrl, rank: 0 };
  });
}

function commandEntries(record: AccessRecord): Ranked[] {
  return record.commands
    .filter((c) => c.outcome === "accepted" && VERB[c.name])
    .map((c) => {
      const args = c.args.length > 160 ? `${c.args.slice(0, 160)}…` : c.args;
      const what = args ? `${VERB[c.name]}: ${args}` : VERB[c.name]!;
      return { at: c.at, by: c.by, what, url: commentUrl(record.issueUrl, c.comment), rank: 0 };
    });
}

/** One line per comment and kind of refusal, naming the commands (not their arguments). */
function refusedEntries(record: AccessRecord): Ranked[] {
  const groups = new Map<string, CommandRecord[]>();
  for (const c of record.commands) {
    if (c.outcome !== "refused" || !c.refusal || !AUDITED_REFUSAL[c.refusal]) continue;
    const key = `${c.comment}\u0000${c.refusal}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((lines) => {
    const first = lines[0]!;
    const names = [
      ...new Set(
        lines.map((l) =>
          l.name === "check" || l.name === "uncheck"
            ? `/${l.name} ${l.args.split(/\s+/)[0] ?? ""}`.trim()
            : `/${l.name}`,
        ),
      ),
    ];
    const shown = names.slice(0, 5).map((n) => (n.length > 60 ? `${n.slice(0, 60)}…` : n));
    const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : "";
    return {
      at: first.at,
      by: first.by,
      what: `${AUDITED_REFUSAL[first.refusal!]!}: ${shown.join(", ")}${more}`,
      url: commentUrl(record.issueUrl, first.comment),
      rank: 0,
    };
  });
}

/** "; replaces the certificate of gw-1 (from #50)": a replaced certificate stays in the device's history. */
function replacements(pr: number, history: ReadonlyMap<string, readonly CertificateRecord[]>): string {
  const replaced: string[] = [];
  for (const list of history.values())
    list.forEach((c, i) => {
      const before = list[i - 1];
      if (c.pr === pr && before && before.pr !== pr) replaced.push(`${c.device} (from #${before.pr})`);
    });
  if (!replaced.length) return "";
  const more = replaced.length > 5 ? ` and ${replaced.length - 5} more` : "";
  return `; replaces the certificate of ${replaced.slice(0, 5).join(", ")}${more}`;
}

/** Each device's recorded certificates, oldest merge first. */
function certificateHistory(record: AccessRecord): Map<string, CertificateRecord[]> {
  const byDevice = new Map<string, CertificateRecord[]>();
  for (const c of record.certificates)
    byDevice.set(deviceKey(c.device), [...(byDevice.get(deviceKey(c.device)) ?? []), c]);
  for (const list of byDevice.values())
    list.sort((a, b) => (a.mergedAt < b.mergedAt ? -1 : a.mergedAt > b.mergedAt ? 1 : a.pr - b.pr));
  return byDevice;
}

function pullRequestEntries(record: AccessRecord): Ranked[] {
  const history = certificateHistory(record);
  return record.pullRequests.map((pr) => {
    const what =
      pr.state === "merged"
        ? `certificate PR #${pr.number} merged${replacements(pr.number, history)}`
        : pr.state === "closed"
          ? `certificate PR #${pr.number} closed without merging`
          : `certificate PR #${pr.number} opened or updated`;
    return {
      at: pr.mergedAt ?? pr.at,
      by: (pr.state === "merged" ? pr.mergedBy : pr.author) ?? pr.author ?? record.requester,
      what,
      url: pr.url,
      rank: 0,
    };
  });
}

/** One line per token run: who dispatched it (the run's triggering actor) and how many tokens counted. */
/**
 * Life after live (issue 19), what the app did on its own: renewal reminders sent (one line per
 * sweep), the token workflow dispatched after a renewal, the access review's reminders.
 */
function afterLiveEntries(record: AccessRecord): Ranked[] {
  const out: Ranked[] = [];
  const sweeps = new Map<string, string[]>();
  for (const r of record.reminders ?? []) sweeps.set(r.at, [...(sweeps.get(r.at) ?? []), r.device]);
  for (const [at, devices] of sweeps)
    out.push({
      at,
      by: APP_ACTOR,
      what: `renewal reminder sent: ${[...new Set(devices)].join(", ")}`,
      url: record.issueUrl,
      rank: 1,
    });
  for (const d of record.dispatches ?? [])
    out.push({
      at: d.at,
      by: APP_ACTOR,
      what: `token workflow dispatched after the renewal #${d.pr}`,
      url: record.issueUrl,
      rank: 1,
    });
  for (const r of record.reviewReminders ?? [])
    out.push({
      at: r.at,
      by: APP_ACTOR,
      what: `access review due (${r.due.slice(0, 10)}): reviewers reminded`,
      url: record.issueUrl,
      rank: 1,
    });
  return out;
}

/** Option 2 (issue 20): certificates OneRecord obtained (one line per report), and the key comments removed. */
function obtainedEntries(record: AccessRecord): Ranked[] {
  const reports = new Map<number, { at: string; runId: number; devices: string[] }>();
  for (const o of record.obtained ?? []) {
    const report = reports.get(o.comment) ?? { at: o.at, runId: o.runId, devices: [] };
    report.devices.push(o.device);
    reports.set(o.comment, report);
  }
  const out: Ranked[] = [...reports].map(([comment, r]) => ({
    at: r.at,
    by: `obtain workflow (run ${r.runId})`,
    what: `certificates obtained by OneRecord (option 2), keys posted encrypted: ${r.devices.join(", ")}`,
    url: commentUrl(record.issueUrl, comment),
    rank: 0,
  }));
  for (const k of record.keysRemoved ?? [])
    out.push({
      at: k.at,
      by: APP_ACTOR,
      what: `comment holding the encrypted keys removed (${k.why === "expired" ? "its time was up" : `keys received, said by ${k.by ?? "the requester"}`})`,
      url: record.issueUrl,
      rank: 1,
    });
  return out;
}

function issuanceEntries(record: AccessRecord): Ranked[] {
  const runs = new Map<string, { at: string; by: string; count: number }>();
  for (const t of record.issuance) {
    const run = runs.get(t.runUrl) ?? { at: t.at, by: t.by ?? "token workflow", count: 0 };
    run.count++;
    runs.set(t.runUrl, run);
  }
  return [...runs].map(([url, run]) => ({
    at: run.at,
    by: run.by,
    what: `${run.count} token(s) issued`,
    url,
    rank: 0,
  }));
}
