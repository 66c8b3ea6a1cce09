import type { RecordPublicJwk } from "../record/record-keys.js";

/**
 * What `onerecord-access audit` reads and what it says (issue 21; docs/audit.md). Readers: the
 * verifier (./verify-request.ts), the exports (./export-*.ts) and the offline re-check
 * (./verify-export.ts).
 */

/** One version of `records/<issue>.json` on the ledger branch, as git holds it. */
export interface LedgerVersionFact {
  commit: string;
  /** The commit's time (GitHub's committer date). */
  committedAt: string;
  /** GitHub says the app's bot made the commit and signed it (src/record/provenance.ts); null: not known (offline). */
  byApp: boolean | null;
  /** The file's text; null where the commit deleted it. */
  text: string | null;
}

export interface RequestHistory {
  issue: number;
  /** Oldest first. */
  versions: LedgerVersionFact[];
}

/** A record key as the configuration on the default branch published it, and when. */
export interface TrustedKey {
  kid: string;
  jwk: RecordPublicJwk;
  /** The configuration commit that first published it, its time, and the merged pull request behind it. */
  entered: KeyChange;
  /** The commit that removed it (null: still published). */
  removed: KeyChange | null;
}

export interface KeyChange {
  commit: string;
  at: string;
  pull: { number: number; url: string; mergedBy: string | null } | null;
}

export const AUDIT_RULES = [
  "signature",
  "key-in-effect",
  "provenance",
  "chain",
  "replay",
  "deleted",
  "approval-by-requester",
  "approval-not-reviewer",
  "approval-form-version",
  "certificate-not-merged",
  "token-before-approval",
  "token-unknown-certificate",
  "token-run",
  "revocation-order",
  "missing-record",
  "ledger-unprotected",
  "ledger-moved",
  "key-without-review",
] as const;
export type AuditRule = (typeof AUDIT_RULES)[number];

export interface AuditFailure {
  /** null: about the ledger as a whole (its protection, where it is, its keys). */
  request: number | null;
  /** The version's commit (null: the rule is about the request as recorded at its newest valid version). */
  version: string | null;
  rule: AuditRule;
  reason: string;
}

/** One event of a request, as an auditor samples it. Empty strings where a column does not apply. */
export interface AuditRow {
  request: number;
  time: string;
  actor: string;
  actorId: string;
  action: string;
  cause: string;
  formVersion: string;
  device: string;
  x5tS256: string;
  jti: string;
  outcome: string;
}

export const ROW_COLUMNS = [
  "request",
  "time",
  "actor",
  "actorId",
  "action",
  "cause",
  "formVersion",
  "device",
  "x5tS256",
  "jti",
  "outcome",
] as const satisfies ReadonlyArray<keyof AuditRow>;
