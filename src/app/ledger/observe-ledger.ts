import { isStatusBody } from "../../record/codec.js";
import { verifyLedgerHistory } from "../../record/ledger-history.js";
import type { AccessRecord } from "../../record/schema.js";
import { verifyRecordFile, type RecordSubject } from "../../record/signature.js";
import type { SyncDeps } from "../deps.js";
import type { CommentData } from "../github/rest.js";
import type { LedgerObservation } from "./source.js";
import { UNCONFIGURED_MARKER } from "./notice.js";

/** How many versions of a file the app reads back when it must recover (an auditor reads them all). */
export const RECOVERY_HISTORY = 50;

/**
 * Reads what `recordSource` decides from: the head file (verified with `records.jwks`, and its
 * commit's provenance when the signature holds), the history only when the head cannot be used
 * or is missing on a request the app had seen, and the v1 record of the status comment only
 * when there is no file at all. I/O and verification; no decision.
 */
export async function observeLedger(
  deps: SyncDeps,
  issue: number,
  status: CommentData | null,
  legacy: (status: CommentData) => AccessRecord | null,
): Promise<LedgerObservation> {
  const subject: RecordSubject = { repository: `${deps.io.repo.owner}/${deps.io.repo.repo}`, issue };
  const jwks = deps.config.records.jwks;
  const seenBefore = !!status && !status.body.includes(UNCONFIGURED_MARKER) && isStatusBody(status, deps.botLogin);
  const file = await deps.ledger.read(issue);
  let head: LedgerObservation["head"] = null;
  if (file) {
    const verdict = await verifyRecordFile(file.text, jwks, subject);
    // A copy of an older genuine version verifies too: only the commit tells who put it there
    // (asked unless this process knows the head as the app's, see KnownHeads).
    const known = verdict.ok && deps.heads.isKnown(headKey(deps, issue), file.sha);
    const commit = verdict.ok && !known ? await deps.ledger.headCommit(issue) : null;
    const byApp =
      known || (!!commit && commit.verified && commit.author?.toLowerCase() === deps.botLogin.toLowerCase());
    if (byApp) deps.heads.remember(headKey(deps, issue), file.sha);
    head = { sha: file.sha, verdict, byApp, commit: commit?.sha ?? null };
    if (!byApp) deps.log.warn({ issue, code: verdict.ok ? "not-by-app" : verdict.code }, "ledger head not usable");
  }
  const needHistory = file ? !head!.byApp : seenBefore;
  const history = needHistory
    ? await verifyLedgerHistory(await deps.ledger.history(issue, RECOVERY_HISTORY), jwks, subject)
    : null;
  const noFile = !file && (!history || history.versions.length === 0);
  const found = noFile && status ? legacy(status) : null;
  return { head, history, legacy: found && status ? { comment: status.id, record: found } : null, seenBefore };
}

/** The ledger file a head belongs to, for `KnownHeads`. */
export function headKey(deps: Pick<SyncDeps, "ledger">, issue: number): string {
  const { owner, repo, branch } = deps.ledger.at;
  return `${owner}/${repo}:${branch}:${issue}`.toLowerCase();
}
