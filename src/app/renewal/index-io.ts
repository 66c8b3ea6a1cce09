import {
  DUE_INDEX_PATH,
  emptyDueIndex,
  signDueIndex,
  verifyDueIndex,
  withDueEntry,
  type DueIndex,
} from "../../record/due-index.js";
import type { RecordSigner } from "../../record/signature.js";
import type { Log } from "../deps.js";
import type { LedgerPort } from "../ledger/port.js";

/**
 * Reading and writing the due-date index (src/record/due-index.ts) on the ledger branch: one read,
 * and a compare-and-swap write of the entries changed, again from a fresh read when another
 * instance wrote first. I/O and verification only.
 */

/** Rounds of read → change → compare-and-swap before giving up (the index is then early or late for these requests until their next event). */
const MAX_ROUNDS = 5;

export interface IndexRead {
  index: DueIndex;
  /** The blob sha read (null: no file yet). */
  sha: string | null;
  /** Why the file there could not be used (it was started afresh), or null. */
  problem: string | null;
}

export interface IndexDeps {
  ledger: LedgerPort;
  jwks: unknown;
  /** The requests repository, `owner/name`: the index's subject. */
  repository: string;
  log: Log;
}

/**
 * The index at the ledger branch head, verified. A file that does not verify (only the app can
 * push to the ledger branch, so it was tampered with) is reported and replaced by an empty index:
 * the requests it held come back as their records change (each record notes what it last put
 * here), see docs/app.md "Expiry watch".
 */
export async function readDueIndex(deps: IndexDeps, now: string): Promise<IndexRead> {
  const file = await deps.ledger.readFile(DUE_INDEX_PATH);
  if (file === null) return { index: emptyDueIndex(deps.repository, now), sha: null, problem: null };
  const verdict = await verifyDueIndex(file.text, deps.jwks, deps.repository);
  if (verdict.ok) return { index: verdict.index, sha: file.sha, problem: null };
  deps.log.error({ code: verdict.code, path: DUE_INDEX_PATH }, "due-date index does not verify: started afresh");
  return { index: emptyDueIndex(deps.repository, now), sha: file.sha, problem: verdict.code };
}

/**
 * Sets each request's entry (`next`, null: removed) and writes the index once, by compare-and-swap
 * against the version `read` (or a fresh read); on a conflict, reads again and re-applies.
 * Nothing is written when nothing changes.
 */
export async function writeDueEntries(
  deps: IndexDeps,
  key: RecordSigner,
  changes: ReadonlyMap<number, string | null>,
  read?: IndexRead,
): Promise<boolean> {
  let current = read;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const now = new Date().toISOString();
    current ??= await readDueIndex(deps, now);
    let index = current.index;
    for (const [issue, next] of changes) index = withDueEntry(index, issue, next, now);
    if (JSON.stringify(index.entries) === JSON.stringify(current.index.entries) && !current.problem) return false;
    const text = await signDueIndex(index, key);
    const issues = [...changes.keys()].slice(0, 5).join(", #");
    const more = changes.size > 5 ? ` and ${changes.size - 5} more` : "";
    const written = await deps.ledger.writeFile(
      DUE_INDEX_PATH,
      text,
      current.sha,
      `onerecord-access: due-date index (#${issues}${more})`,
    );
    if (written.ok) return true;
    current = undefined;
  }
  deps.log.warn(
    { issues: [...changes.keys()].slice(0, 20) },
    "due-date index: another writer kept winning; not written",
  );
  return false;
}
