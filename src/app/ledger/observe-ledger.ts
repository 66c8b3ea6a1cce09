import { isAuthoredBy } from "../../record/codec.js";
import { verifyLedgerHistory } from "../../record/ledger-history.js";
import { madeBy } from "../../record/provenance.js";
import { LEDGER_RULESET_DOCS, ledgerProtectionProblem, missingLedgerRules } from "../../record/ledger-protection.js";
import type { AccessRecord } from "../../record/schema.js";
import { verifyRecordFile, type RecordSubject } from "../../record/signature.js";
import type { SyncDeps } from "../deps.js";
import type { CommentData } from "../github/rest.js";
import type { LedgerObservation } from "./source.js";
import type { HeadCommit, LedgerHead, LedgerRead } from "./port.js";
import { UNCONFIGURED_MARKER } from "./notice.js";
import { CONFIG_ERROR_MARKER } from "../config-notice.js";

/** How many versions of a file the app reads back when it must recover (an auditor reads them all). */
export const RECOVERY_HISTORY = 20;

/** The ledger head as read and verified (`readLedgerHead`), before anything else is read. */
export interface LedgerHeadRead {
  read: LedgerRead;
  file: LedgerHead | null;
  head: LedgerObservation["head"];
}

/**
 * The head file (verified with `records.jwks`) with the provenance of the commit that put it
 * there: read first, since the record it holds says how far the issue's comments were read.
 */
export async function readLedgerHead(deps: SyncDeps, issue: number): Promise<LedgerHeadRead> {
  const subject: RecordSubject = { repository: `${deps.io.repo.owner}/${deps.io.repo.repo}`, issue };
  const ref = { at: deps.ledger.at, issue };
  const read = await deps.ledger.read(issue, (commit) => deps.heads.fileAt(ref, commit));
  const file = read && !("deleted" in read) ? read : null;
  if (!file) return { read, file, head: null };
  const verdict = await verifyRecordFile(file.text, deps.config.records.jwks, subject);
  // A copy of an older genuine version verifies too: only the commit tells who put it there,
  // and it is asked on every read (a known *content* is not a known *commit*).
  const byApp = verdict.ok && madeBy(file.commit, deps.botLogin);
  if (byApp) deps.heads.remember(ref, file.commit.sha, file);
  if (!byApp) deps.log.warn({ issue, code: verdict.ok ? "not-by-app" : verdict.code }, "ledger head not usable");
  return { read, file, head: { sha: file.sha, verdict, byApp, commit: file.commit.sha } };
}

/** The record of a head that verifies and that the app committed (what `recordSource` takes as is), or null. */
export function usableHeadRecord(h: LedgerHeadRead | null): AccessRecord | null {
  return h?.head?.byApp && h.head.verdict.ok ? h.head.verdict.record : null;
}

/**
 * Reads what `recordSource` decides from, after the head (`readLedgerHead`): the history only
 * when the head cannot be used or is missing on a request the app had seen, and the v1 record of
 * the status comment only when there is no file at all. I/O and verification; no decision.
 * `comments` is every comment of the issue whenever the head is not usable (src/app/comments-read.ts).
 */
export async function observeLedger(
  deps: SyncDeps,
  issue: number,
  { read, file, head }: LedgerHeadRead,
  comments: readonly CommentData[],
  status: CommentData | null,
  legacy: (status: CommentData) => AccessRecord | null,
): Promise<LedgerObservation> {
  const subject: RecordSubject = { repository: `${deps.io.repo.owner}/${deps.io.repo.repo}`, issue };
  // The app wrote here before (a status view, a reply), other than notices that it could not
  // keep a record or read its configuration (nothing was recorded then).
  const seenBefore = comments.some(
    (c) =>
      isAuthoredBy(c, deps.botLogin) && !c.body.includes(UNCONFIGURED_MARKER) && !c.body.includes(CONFIG_ERROR_MARKER),
  );
  // The history is read when the head cannot be used, and when the file was deleted: a missing
  // file is a new request only if no commit ever touched its path (a deleted one is recovered
  // from its history, whatever the editable, deletable status comment says). The read already
  // listed the path's commits, so a path never touched costs nothing more.
  // Only the app's own commits are read back: a copy someone else committed is never a restore
  // point, however genuine its signature (a known content is not a known commit).
  const byApp = (commit: HeadCommit) => madeBy(commit, deps.botLogin);
  const versions =
    (read && !file) || (head && !head.byApp) ? await deps.ledger.history(issue, RECOVERY_HISTORY, byApp) : [];
  const history = versions.length > 0 ? await verifyLedgerHistory(versions, deps.config.records.jwks, subject) : null;
  const noFile = !file && !history;
  const v1 = noFile && status ? legacy(status) : null;
  const found = v1 && status && migratable(deps, status) ? v1 : null;
  return {
    head,
    deleted: read && "deleted" in read ? read.deleted.sha : null,
    history,
    legacy: found && status ? { comment: status.id, record: found } : null,
    legacyRefused: !!v1 && !found,
    seenBefore,
  };
}

/**
 * A v1 record in a status comment migrates only when the operator opened the window
 * (`records.migrateUntil`) and the comment was last changed before it: GitHub sets `updated_at`,
 * so an edit of the record after the upgrade (by anyone with write access) closes it for good.
 */
function migratable(deps: Pick<SyncDeps, "config">, status: CommentData): boolean {
  const until = deps.config.records.migrateUntil;
  return !!until && Date.parse(status.updated_at) <= Date.parse(until);
}

/**
 * Why the ledger cannot be trusted for want of protection (src/record/ledger-protection.ts), or
 * null: the rules in force on the ledger branch, asked on every sync (a conditional request:
 * free of rate limit while they do not change). Rules the app may not read (403, 404: the
 * ledger repository is not reachable) fail closed, saying so.
 */
export async function observeLedgerProtection(deps: Pick<SyncDeps, "ledger" | "log">): Promise<string | null> {
  let rules: Array<{ type: string }>;
  try {
    rules = await deps.ledger.rules();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404) throw error;
    const { owner, repo, branch } = deps.ledger.at;
    return `the app cannot read the rules of the ledger branch ${branch} of ${owner}/${repo} (HTTP ${status}): install the app on that repository (${LEDGER_RULESET_DOCS})`;
  }
  const problem = ledgerProtectionProblem(rules, deps.ledger.at);
  if (problem)
    deps.log.warn({ ledger: deps.ledger.at, missing: missingLedgerRules(rules) }, "ledger branch unprotected");
  return problem;
}
