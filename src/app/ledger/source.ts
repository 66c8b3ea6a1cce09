import type { LedgerHistory } from "../../record/ledger-history.js";
import { recordSchema, type AccessRecord, type IntegrityEvent } from "../../record/schema.js";
import type { RecordVerification } from "../../record/signature.js";

/**
 * What the app found in the ledger for one request (observe.ts reads and verifies it; this is
 * only data): the head file with its verification and provenance, the file's history when the
 * head could not be used, and a v1 record in the status comment when there is no file yet.
 */
export interface LedgerObservation {
  head: { sha: string; verdict: RecordVerification; byApp: boolean; commit: string | null } | null;
  /** The commit that deleted the file, when the last commit that touched it did. */
  deleted?: string | null;
  /**
   * The app's own versions of the file (commits it made), read only when the head was deleted or
   * cannot be used: what someone else committed is never read back as a restore point.
   */
  history: LedgerHistory | null;
  /** The v1 record of the app's status comment (this issue's own), read only when there is no file. */
  legacy: { comment: number; record: AccessRecord } | null;
  /** A v1 record was found but may not migrate (`records.migrateUntil` unset, or the comment changed since). */
  legacyRefused?: boolean;
  /** The app has a status comment on the issue that is not its "cannot keep a record" notice. */
  seenBefore: boolean;
}

/** Where this event's prior record comes from, and what happened to the record, if anything. */
export interface RecordSource {
  prior: AccessRecord | null;
  /** The head file's blob sha, to compare-and-swap the next version against (null: no file). */
  headSha: string | null;
  /** The prior is exactly the ledger head: nothing to write unless the record changes. */
  atHead: boolean;
  /** No usable record although the app had seen the request: rebuild without replaying old commands. */
  rebuilding: boolean;
  incident: IntegrityEvent | null;
}

/**
 * Decides the prior record (docs/app.md, "Tampering fails closed and recovers"). Pure.
 * - A head that verifies and that the app committed is the record.
 * - A head that does not verify, or that someone else committed, is reported (`tampered`), and
 *   the app continues from the newest version of the file's history that verifies.
 * - A deleted file is reported (`deleted`) and recovered the same way.
 * - No file and no history: a v1 record in the status comment migrates once (`migrated`);
 *   else, if the app had seen the request, the record is `lost` and the request is rebuilt from
 *   what can be observed again; else the request is new.
 */
export function recordSource(l: LedgerObservation, at: string): RecordSource {
  const { head } = l;
  if (head && head.verdict.ok && head.byApp)
    return { prior: head.verdict.record, headSha: head.sha, atHead: true, rebuilding: false, incident: null };
  const restored = l.history?.newestValid ?? null;
  const from = restored ? { restoredFrom: restored.commit } : {};
  if (head) {
    const code = head.verdict.ok ? "not-by-app" : head.verdict.code;
    const headCommit = head.commit ?? l.history?.versions[0]?.commit;
    const commit = headCommit ? { commit: headCommit } : {};
    return recovered(restored?.record ?? null, head.sha, { at, kind: "tampered", code, ...commit, ...from });
  }
  const deletedAt = l.deleted ?? l.history?.versions.find((v) => !v.ok && v.code === "missing")?.commit;
  if (l.deleted || (l.history && l.history.versions.length > 0))
    return recovered(restored?.record ?? null, null, {
      at,
      kind: "deleted",
      ...(deletedAt ? { commit: deletedAt } : {}),
      ...from,
    });
  if (l.legacy)
    return {
      prior: l.legacy.record,
      headSha: null,
      atHead: false,
      rebuilding: false,
      incident: { at, kind: "migrated", comment: l.legacy.comment },
    };
  if (l.seenBefore)
    return recovered(null, null, { at, kind: "lost", ...(l.legacyRefused ? { code: "not-migrated" } : {}) });
  return { prior: null, headSha: null, atHead: false, rebuilding: false, incident: null };
}

function recovered(prior: AccessRecord | null, headSha: string | null, incident: IntegrityEvent): RecordSource {
  return { prior, headSha, atHead: false, rebuilding: !prior, incident };
}

/** The record's integrity trail after this event: the newest 20 entries. */
export function nextIntegrity(prior: AccessRecord | null, incident: IntegrityEvent | null): IntegrityEvent[] {
  const trail = [...(prior?.integrity ?? []), ...(incident ? [incident] : [])];
  return trail.slice(-20);
}

/** A record as it is signed (`signRecord` signs the schema's output): equal records, equal text. */
export function canonicalRecord(record: AccessRecord): string {
  return JSON.stringify(recordSchema.parse(record));
}
