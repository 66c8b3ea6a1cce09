import type { LedgerVersion } from "../../record/ledger-history.js";

/**
 * The narrow seam between the app and its ledger (`records/<issue>.json` on the ledger branch):
 * what `LedgerIO` (src/app/github/ledger.ts) does over the contents API, and what a test may fake.
 */
export interface LedgerPort {
  /** Where the ledger lives, for messages: `owner/repo` and the branch. */
  readonly at: { owner: string; repo: string; branch: string };
  /** The file at the branch head; null when the file or the branch does not exist. */
  read(issue: number): Promise<LedgerHead | null>;
  /** The commit that last touched the file on the branch, and whether the app made it. */
  headCommit(issue: number): Promise<HeadCommit | null>;
  /** The file's versions, newest first (text null where a commit deleted it). */
  history(issue: number, limit?: number): Promise<LedgerVersion[]>;
  /** Compare-and-swap write against `previous` (the blob sha read; null: the file must not exist). */
  write(issue: number, text: string, previous: string | null, message: string): Promise<LedgerWrite>;
}

/** The file at the branch head. `sha` is the blob sha the contents API returns, for compare-and-swap. */
export interface LedgerHead {
  text: string;
  sha: string;
}

/**
 * Who made the commit that last touched the file: `author` and `committer` are the GitHub
 * accounts GitHub linked to the commit's author and committer (null when none), `verified`
 * whether GitHub verified its signature. Commits the app makes through the contents API are
 * authored and committed by its bot and signed by GitHub. Anyone can write the author and
 * committer fields of a commit they push, and sign it with their own key — but a verified
 * signature binds the committer to the signer's account, so "committed by the bot, verified"
 * is what nobody else can produce.
 */
export interface HeadCommit {
  sha: string;
  author: string | null;
  committer: string | null;
  verified: boolean;
}

export type LedgerWrite = { ok: true; sha: string; commit: string } | { ok: false; conflict: true };
