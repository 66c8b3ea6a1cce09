import type { LedgerVersion } from "../../record/ledger-history.js";
import type { CachedFile, HeadCommit, LedgerRead } from "../../record/ledger-reader.js";

export type { CachedFile, HeadCommit, LedgerHead, LedgerRead } from "../../record/ledger-reader.js";

/**
 * The narrow seam between the app and its ledger (`records/<issue>.json` on the ledger branch):
 * what `LedgerIO` (src/app/github/ledger.ts) does over the contents API, and what a test may fake.
 * Its reads are the ledger client's (src/record/ledger-reader.ts), which the token workflow uses too.
 */
export interface LedgerPort {
  /** Where the ledger lives, for messages: `owner/repo` and the branch. */
  readonly at: { owner: string; repo: string; branch: string };
  /**
   * The file as the commit that last touched it on the branch left it, with that commit's
   * provenance; `{ deleted }` when that commit deleted it; null when no commit on the branch
   * touched the path (or there is no branch). `cached` gives the text of a commit the caller
   * already holds (see KnownHeads): then only the commit is asked for.
   */
  read(issue: number, cached?: (commit: string) => CachedFile | undefined): Promise<LedgerRead>;
  /**
   * The file's versions, newest first (text null where a commit deleted it), at most `limit`.
   * With `wanted`, only the versions whose commit it accepts are read and given (the app's own,
   * for recovery: what someone else committed is never a restore point), from the newest
   * HISTORY_LISTED commits that touched the file.
   */
  history(issue: number, limit?: number, wanted?: (commit: HeadCommit) => boolean): Promise<LedgerVersion[]>;
  /**
   * The active rules GitHub lists for the ledger branch (every ruleset that targets it), for the
   * protection precondition (src/record/ledger-protection.ts). Read access suffices.
   */
  rules(): Promise<Array<{ type: string }>>;
  /**
   * Writes the request's signed token status list (a `statuslist+jwt`) to `status/<issue>.jwt`
   * on the ledger branch, over whatever is there (the list is derived from the record, which is
   * what the compare-and-swap guards).
   */
  publishStatusList(issue: number, jwt: string): Promise<void>;
  /** Compare-and-swap write against `previous` (the blob sha read; null: the file must not exist). */
  write(issue: number, text: string, previous: string | null, message: string): Promise<LedgerWrite>;
  /**
   * Another file the app keeps on the ledger branch (the due-date index, src/record/due-index.ts)
   * at the branch head, with its blob sha; null when there is none. One request.
   */
  readFile(path: string): Promise<CachedFile | null>;
  /** Compare-and-swap write of such a file, as `write` does for records. */
  writeFile(path: string, text: string, previous: string | null, message: string): Promise<LedgerWrite>;
}

export type LedgerWrite = { ok: true; sha: string; commit: string } | { ok: false; conflict: true };
