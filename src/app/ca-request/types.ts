import type { CaRequestRecord } from "../../record/ca-request.js";
import type { CaFormResult } from "./parse.js";

/**
 * What one event on an *Add a certificate authority* issue observed (src/app/ca-request/observe.ts),
 * the only input of the pure planner (src/app/ca-request/plan.ts).
 */
export interface CaObservation {
  /** `owner/name` of the repository of requests. */
  repository: string;
  defaultBranch: string;
  now: string;
  issue: {
    number: number;
    url: string;
    state: string;
    author: { login: string; id?: number | undefined };
    labels: string[];
  };
  form: Exclude<CaFormResult, { recognized: false }>;
  /** The verified head of `ca-requests/<issue>.json`, or null when there is none. */
  previous: CaRequestRecord | null;
  /** The blob sha of the head (null: no file), for the compare-and-swap write. */
  previousSha: string | null;
  /** Why nothing may be decided or recorded (no record key, a head that does not verify); null when all is well. */
  blocked: string | null;
  /** `/approve-ca` and `/reject` lines of comments the record has not decided yet, oldest first. */
  lines: ObservedCaLine[];
  /** A `/status` or `/help` in the comment that triggered this event. */
  asked: { name: "status" | "help"; by: string; url: string; reviewer: boolean } | null;
  /** When the form version in effect was written (last edit, else creation) and by whom (null: unknown). */
  formWritten: { at: string | null; by: string | null };
  /** Whether the root of the recorded pull request is trusted by the configuration on the default branch. */
  pullRootTrusted: boolean;
  /** The head commit a pull request event showed on the app's branch (opened, pushed to, merged). */
  pullHead?: string;
  /** The app's status comment on the issue, if any. */
  status: { id: number; body: string } | null;
  /**
   * The configuration file's text on the default branch: read only when a pull request may have to
   * be opened (undefined: not read; null: there is no file).
   */
  configText?: string | null;
  /** The pull request the app just opened for this request (the second plan of an event). */
  opened?: { number: number; branch: string; commit: string };
  /** Why the pull request the plan asked for could not be opened (the second plan of an event). */
  pullProblem?: string;
}

export interface ObservedCaLine {
  comment: { id: number; url: string; at: string };
  name: "approve-ca" | "reject";
  args: string;
  by: string;
  byId?: number | undefined;
  /** Whether the author is a reviewer, asked of GitHub for this event. */
  reviewer: boolean;
}

export interface CaPullPlan {
  branch: string;
  title: string;
  body: string;
  files: Array<{ path: string; content: string }>;
}

export interface CaPlan {
  /** The record to write, or null when nothing recorded changed. */
  record: CaRequestRecord | null;
  /** The status comment's body (written when it differs from the observed one). */
  status: string;
  /** Replies to post, one per comment whose lines were decided (or that asked). */
  replies: string[];
  /** The pull request to open before the record is written. */
  pull: CaPullPlan | null;
  /** Close the issue (on reaching `added` or `rejected`). */
  close: "completed" | "not_planned" | null;
  /** Close the app's pull request (the request was rejected while it was open). */
  closePull: number | null;
}
