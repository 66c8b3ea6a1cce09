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

/** How `writeDueEntries` sets the entries: as given, or (a scan) never later than what is there. */
export interface EntryWriteOptions {
  /** Each entry becomes the earlier of what the index holds and the change (an index is early, never late). */
  keepEarlier?: boolean;
  /** The index is marked complete from a scan of every record at this time. */
  scannedAt?: string;
}

/**
 * Sets each request's entry (`next`, null: removed) and writes the index once, by compare-and-swap
 * against the version `read` (or a fresh read); on a conflict, reads again and re-applies. Gives
 * the index as written (or as read, when nothing changes), null when other writers kept winning.
 */
export async function writeDueEntries(
  deps: IndexDeps,
  key: RecordSigner,
  changes: ReadonlyMap<number, string | null>,
  read?: IndexRead,
  options: EntryWriteOptions = {},
): Promise<IndexRead | null> {
  let current = read;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const now = new Date().toISOString();
    current ??= await readDueIndex(deps, now);
    const index = changed(current.index, changes, now, options);
    if (JSON.stringify(index) === JSON.stringify(current.index) && !current.problem) return current;
    const text = await signDueIndex({ ...index, at: now }, key);
    const issues = [...changes.keys()].slice(0, 5).join(", #");
    const more = changes.size > 5 ? ` and ${changes.size - 5} more` : "";
    const what = options.scannedAt ? "completed from the records" : `#${issues}${more}`;
    const written = await deps.ledger.writeFile(
      DUE_INDEX_PATH,
      text,
      current.sha,
      `onerecord-access: due-date index (${what})`,
    );
    if (written.ok) return { index: { ...index, at: now }, sha: written.sha, problem: null };
    current = undefined;
  }
  deps.log.warn(
    { issues: [...changes.keys()].slice(0, 20) },
    "due-date index: another writer kept winning; not written",
  );
  return null;
}

/** The index with the changes applied (its `at` unchanged: only a write dates it). Pure. */
function changed(
  index: DueIndex,
  changes: ReadonlyMap<number, string | null>,
  now: string,
  options: EntryWriteOptions,
): DueIndex {
  let next = index;
  for (const [issue, at] of changes) {
    const held = next.entries.find((e) => e.issue === issue)?.next;
    const earlier = options.keepEarlier && held && (at === null || Date.parse(held) < Date.parse(at));
    next = withDueEntry(next, issue, earlier ? held : at, now);
  }
  next = { ...next, at: index.at };
  return options.scannedAt ? { ...next, scannedAt: options.scannedAt } : next;
}
