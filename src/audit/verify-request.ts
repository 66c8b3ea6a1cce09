import { textBlobSha } from "../record/git-blob.js";
import { signedContent } from "../record/ledger-history.js";
import type { AccessRecord, CertificateRecord } from "../record/schema.js";
import { verifyRecordFile } from "../record/signature.js";
import { keyInEffect, unionJwks } from "./keys.js";
import { ruleFailures } from "./rules.js";
import { rowsOf } from "./rows.js";
import type { AuditFailure, AuditRow, RequestHistory, TrustedKey } from "./types.js";

/**
 * Where one request's ledger history is judged (issue 21), in two named stages, never throwing
 * on bad bytes:
 *
 * 1. **Each version** (oldest first): signed by a key `records.jwks` published at the time of its
 *    commit (`signature`, `key-in-effect`), committed by the app's bot with a signature GitHub
 *    verified (`provenance`; unknown offline), naming the version before it by blob sha
 *    (`chain`: a version dropped or inserted breaks it; versions written before issue 21 name
 *    none), never a copy of an older version (`replay`), never a deletion (`deleted`).
 * 2. **The rules on replay**, on the newest valid version, whose facts accumulate every earlier
 *    one's (./rules.ts): approvals, certificates, tokens, revocations.
 *
 * Then the rows an auditor samples, from that same version (./rows.ts).
 */
export interface RequestAudit {
  issue: number;
  failures: AuditFailure[];
  rows: AuditRow[];
  /** The newest version that passed stage 1 (null: none). */
  head: { commit: string; record: AccessRecord } | null;
}

export async function auditRequest(
  history: RequestHistory,
  keys: readonly TrustedKey[],
  repository: string,
): Promise<RequestAudit> {
  const failures: AuditFailure[] = [];
  const fail = (version: string | null, rule: AuditFailure["rule"], reason: string) =>
    failures.push({ request: history.issue, version, rule, reason });
  const jwks = unionJwks(keys);
  const seen = new Set<string>();
  let previousText: string | null = null;
  let chained = false;
  let head: RequestAudit["head"] = null;
  // Every certificate a valid version recorded: a renewal replaces a device's, its tokens remain.
  const everMerged = new Map<string, CertificateRecord>();
  for (const version of history.versions) {
    const priorText = previousText;
    previousText = version.text;
    if (version.text === null) {
      fail(version.commit, "deleted", "the commit deleted the record: the app never does");
      continue;
    }
    if (version.byApp === false)
      fail(version.commit, "provenance", "the commit is not the app's (author, committer or GitHub's signature)");
    if (version.byApp === null)
      fail(
        version.commit,
        "provenance",
        "who made the commit is not known (online: the app's bot was not identified, give --app; offline: the export does not say)",
      );
    const verdict = keys.length
      ? await verifyRecordFile(version.text, jwks, { repository, issue: history.issue })
      : ({
          ok: false,
          code: "unknown-key",
          reason:
            "no trusted record key: none was published in records.jwks (online), or none of --jwks is in the export (offline)",
        } as const);
    if (!verdict.ok) {
      fail(version.commit, "signature", `${verdict.reason} (${verdict.code})`);
      continue;
    }
    if (!keyInEffect(keys, verdict.kid, version.committedAt))
      fail(
        version.commit,
        "key-in-effect",
        `signed with key ${verdict.kid}, not published in records.jwks at ${version.committedAt}`,
      );
    const content = signedContent(version.text);
    const repeats = seen.has(content) && (priorText === null || signedContent(priorText) !== content);
    if (repeats) fail(version.commit, "replay", "the version is a copy of an older version");
    seen.add(content);
    const link = chainProblem(verdict.record, priorText, chained);
    if (link) fail(version.commit, "chain", link);
    chained ||= verdict.record.previous !== undefined;
    if (repeats) continue;
    head = { commit: version.commit, record: verdict.record };
    for (const c of verdict.record.certificates)
      everMerged.set(`${c.device}\u0000${c.fingerprintSha256}\u0000${c.pr}`, c);
  }
  if (head) for (const f of ruleFailures(head.record, [...everMerged.values()])) fail(null, f.rule, f.reason);
  return { issue: history.issue, failures, rows: head ? rowsOf(head.record) : [], head };
}

/**
 * A version names the blob of the one before it (`previous`), the first names none. Once a version
 * of the request has named one, every later version must: a version without the link after that is
 * a copy of an older one, or forged.
 */
function chainProblem(record: AccessRecord, priorText: string | null, chained: boolean): string | null {
  if (record.previous === undefined)
    return chained ? "the version names no predecessor, though the versions before it did" : null;
  const expected = priorText === null ? null : textBlobSha(priorText);
  if (record.previous === expected) return null;
  if (record.previous === null) return "the version says it is the first, but versions come before it";
  return expected === null
    ? `the version names predecessor ${record.previous.slice(0, 12)}, which is not in the history: a version was dropped`
    : `the version names predecessor ${record.previous.slice(0, 12)}, not the version before it (${expected.slice(0, 12)}): a version was dropped or inserted`;
}
