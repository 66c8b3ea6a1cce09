import type { AccessConfig } from "../config/schema.js";
import type { ProofResult } from "../record/issuance-comment.js";
import type {
  AccessRecord,
  CertificateRecord,
  IgnoredComment,
  PullRequestRecord,
  RebuiltFacts,
} from "../record/schema.js";
import type { CommentData, IssueData } from "./github/rest.js";
import type { FormResult } from "./intake/parse.js";
import type { RunFacts } from "./issuance/run-facts.js";
import type { IssuanceCandidate } from "./issuance/reports.js";
import type { RecordSource } from "./ledger/source.js";
import type { ObservedObtained } from "./obtained/observe.js";
import type { SweepFacts } from "./renewal/sweep-facts.js";
import type { NewLine } from "./state/observed-lines.js";

/**
 * Step 1 of a sync: everything the decision needs, read from GitHub once — the issue, its
 * comments, the record from its ledger file, the reviewer answers for new command lines, the
 * app's own verdicts on a merged PR's certificates, the issuance reports with their proofs and
 * run attempts. I/O only: what to ask for comes from the same pure functions `plan` uses.
 */
export interface Observation {
  repository: string;
  config: AccessConfig;
  botLogin: string;
  defaultBranch: string;
  /** The issue as last read (the payload's snapshot, or a fresher one when that was stale). */
  issue: IssueData;
  /**
   * The comments read (src/app/comments-read.ts): those changed since the record's
   * `commentsRead.through` and the older ones it still needs by id, or every comment when there
   * is no such record.
   */
  comments: CommentData[];
  /** How many comments the issue has as observed, when `comments` is not all of them (absent: it is). */
  commentCount?: number;
  /** What the record written from this observation says of the comments read (absent: none listed yet). */
  commentsRead?: AccessRecord["commentsRead"];
  status: CommentData | null;
  prior: AccessRecord | null;
  /**
   * Where the prior record came from, and what happened to the record (tampering, migration);
   * `source.rebuilding`: the app had seen this request but no version of its ledger file verifies.
   */
  source: Omit<RecordSource, "prior">;
  /**
   * Why the app cannot keep a signed record at all (no key, key not published, the ledger branch
   * without its ruleset); null when it can.
   */
  setupProblem: string | null;
  /** When this observation was made: the time of an integrity incident found now. */
  observedAt: string;
  /** When the current body version was written (GraphQL `lastEditedAt`), asked only when the body changed. */
  formWrittenAt: string | null;
  /** The comment this event was delivered for, when it was just created (it runs even in a rebuild). */
  triggerComment: number | null;
  form: FormResult;
  unseen: { lines: NewLine[]; ignored: IgnoredComment[] };
  /** Whether each new line's author is a reviewer, by lower-case login. */
  reviewers: ReadonlyMap<string, boolean>;
  /** The pull request this event is about, if any. */
  pull: PullRequestRecord | null;
  /** The app's verdicts on the request's files of that PR, when it was merged. */
  merged: CertificateRecord[] | null;
  /**
   * In a rebuild (`rejudgeNeeded`): the request's certificate files on the default branch, judged
   * again as the merges of the pull requests that put them there (src/app/certificates/rejudge.ts);
   * else null.
   */
  rebuilt: Rebuilt | null;
  /** In a rebuild: what it starts from, from the issue's timeline (src/app/ledger/rebuild.ts); else null. */
  rebuildFacts: RebuiltFacts | null;
  issuance: {
    candidates: IssuanceCandidate[];
    proofs: ReadonlyMap<number, ProofResult> | null;
    runs: ReadonlyMap<string, RunFacts | null>;
  };
  /** A `/status` seen in an earlier round of this event still asks for the labels' repair. */
  forceLabels: boolean;
  /** The expiry watch's sweep that woke the app for this request, if any (src/app/handlers/sweep.ts). */
  sweep?: SweepFacts | null;
  /** Option 2: the obtain workflow's reports not in the record yet, their proofs and runs (src/app/obtained/). */
  obtained?: ObservedObtained | null;
}

/** What one event learns once and every round of it reuses. */
export interface EventMemo {
  /** Who is a reviewer, asked once per login for this event. */
  roles: Map<string, boolean>;
  merged?: CertificateRecord[];
  rebuilt?: Rebuilt;
  forceLabels: boolean;
}

/** What a rebuild observes again of the request's merged certificates. */
export interface Rebuilt {
  pullRequests: PullRequestRecord[];
  certificates: CertificateRecord[];
}
