import type { AccessConfig } from "../config/schema.js";
import type { PullRequestRecord } from "../record/schema.js";
import type { CommentData, GitHubIO, PullFile } from "./github/rest.js";
import type { LedgerPort } from "./ledger/port.js";
import type { RecordKeyState } from "./ledger/setup.js";
import type { KnownHeads } from "./ledger/known-heads.js";
import type { SweepFacts } from "./renewal/sweep-facts.js";

/** What one request's sync needs from the process: the GitHub client seam, config and a log. */
export interface SyncDeps {
  io: GitHubIO;
  config: AccessConfig;
  botLogin: string;
  /** The repository's default branch (from the webhook payload). */
  defaultBranch: string;
  /** The request's ledger: where its signed record lives (docs/app.md, "The signed record"). */
  ledger: LedgerPort;
  /** Ledger heads this process knows the app made (saves the provenance check). */
  heads: KnownHeads;
  /** The app's record signing key, or why the process has none. */
  recordKey: RecordKeyState;
  log: Log;
}

export interface Log {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** What happened to a pull request, as the webhook told it. */
export interface PullTrigger {
  record: PullRequestRecord;
  /** Files of the PR under this request (only needed for a merge). */
  files: PullFile[];
}

/**
 * What woke the app for this request. `created` is true when the comment comes from an
 * `issue_comment.created` payload: then its body is the comment as created, which the app
 * prefers over a listing that may show a later edit (GitHub keeps no original body anywhere else).
 */
export type Trigger =
  | { kind: "issue" }
  | { kind: "comment"; comment: CommentData; created: boolean }
  | { kind: "pull"; pull: PullTrigger }
  | { kind: "sweep"; sweep: SweepFacts };
