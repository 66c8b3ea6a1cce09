import type { AccessRecord } from "../src/record/index.js";
import { isValidAccountId } from "../src/request/account-id.js";
import { isValidDeviceId } from "../src/request/device-id.js";
import type { RequestIssue } from "./github.js";
import type { LookupFailure, RecordLookup } from "./issue-tokens/1-load.js";
import type { RunInfo } from "./issue-tokens/run-info.js";

/**
 * The checks both protected modes make before acting on a request (issue-tokens, and
 * obtain-certificates for option 2), pure: the run (manual, default branch, the configured
 * workflow file), the record against the issue it is read for, the OneRecord account id, and the
 * certification approval (by someone other than the requester, of the request in the record).
 */

/** The refusal codes these checks give (each mode's own codes extend them). */
export type SharedRefusalCode =
  "wrong-run" | "record-mismatch" | "account-not-an-id" | "not-certified" | "self-approved" | "request-changed";

/** Why a mode does nothing. The code is stable (tests and people match on it); the message says what to do. */
export interface Refusal<C extends string = SharedRefusalCode> {
  code: C;
  message: string;
}

export interface RunCheckInput {
  run: Pick<RunInfo, "eventName" | "ref" | "refType" | "defaultBranch" | "workflowPath">;
  /** The configured workflow file. */
  workflow: string;
}

/**
 * The record to decide on: the issue is a request (not a pull request), its signed record was
 * found, and it is this issue's record, by this requester. Otherwise the reasons so far and why not.
 */
export function requestRecord<C extends string>(
  input: RequestCheckInput & { record: RecordLookup },
  reasons: ReadonlyArray<Refusal<C>>,
):
  | { ok: true; record: AccessRecord; reasons: Array<Refusal<C | RecordRefusalCode>> }
  | { ok: false; reasons: Array<Refusal<C | RecordRefusalCode>> } {
  const out: Array<Refusal<C | RecordRefusalCode>> = [...reasons];
  if (input.issue.isPullRequest)
    out.push(refusal("not-a-request", `#${input.request} is a pull request, not a production-access request issue`));
  if (!input.record.found) return { ok: false, reasons: [...out, refusal(input.record.code, input.record.reason)] };
  const mismatch = recordMismatch(input.record.record, input);
  if (mismatch) return { ok: false, reasons: [...out, mismatch] };
  return { ok: true, record: input.record.record, reasons: out };
}

/** The codes `requestRecord` gives. */
export type RecordRefusalCode = "not-a-request" | "record-mismatch" | LookupFailure;

export interface RequestCheckInput {
  request: number;
  repository: string;
  issue: RequestIssue;
}

export function runProblems(input: RunCheckInput, what = "tokens are issued"): Refusal[] {
  const { run } = input;
  const out: Refusal[] = [];
  if (run.eventName !== "workflow_dispatch")
    out.push(
      refusal(
        "wrong-run",
        `${what} only by a manual run (workflow_dispatch), not by ${run.eventName || "an unknown event"}`,
      ),
    );
  if (!run.defaultBranch || run.refType !== "branch" || run.ref !== `refs/heads/${run.defaultBranch}`) {
    out.push(
      refusal(
        "wrong-run",
        `${what} only from the default branch${run.defaultBranch ? ` (refs/heads/${run.defaultBranch})` : ""}; this run is on ${run.refType === "tag" ? "the tag " : ""}${run.ref || "an unknown ref"}`,
      ),
    );
  }
  if (run.workflowPath !== input.workflow) {
    out.push(
      refusal(
        "wrong-run",
        `${what} only by the configured workflow ${input.workflow}; this run is ${run.workflowPath || "an unknown workflow"}`,
      ),
    );
  }
  return out;
}

function recordMismatch(record: AccessRecord, input: RequestCheckInput): Refusal<"record-mismatch"> | undefined {
  if (record.issue !== input.request || record.repository.toLowerCase() !== input.repository.toLowerCase()) {
    return refusal(
      "record-mismatch",
      `the ledger holds the record of ${record.repository}#${record.issue}, not of ${input.repository}#${input.request}`,
    );
  }
  // People are user ids (a renamed requester is still the requester); logins where a record from
  // before ids were kept has none.
  const sameRequester =
    record.requesterId !== undefined && input.issue.authorId !== undefined
      ? record.requesterId === input.issue.authorId
      : record.requester.toLowerCase() === input.issue.author.toLowerCase();
  if (!sameRequester) {
    return refusal(
      "record-mismatch",
      `the record names ${record.requester} as the requester but the issue was opened by ${input.issue.author || "an unknown account"}; run /status so the app re-reads the request`,
    );
  }
  const bad = (record.request?.devices ?? []).find((d) => !isValidDeviceId(d));
  if (bad !== undefined)
    return refusal(
      "record-mismatch",
      `the record lists a device id that is not valid (${JSON.stringify(bad.slice(0, 64))})`,
    );
  return undefined;
}

/**
 * Records written before the form had its "OneRecord account id" field hold the free text of
 * "Organization and OneRecord account" as the account. They stay readable, but no token carries
 * prose as its `account` claim: the request is updated and approved again first.
 */
export function accountProblem(record: AccessRecord): Refusal | undefined {
  const account = record.request?.account;
  if (account === undefined || isValidAccountId(account)) return undefined;
  return refusal(
    "account-not-an-id",
    "the request was recorded before the form had a OneRecord account id field, so its account is not an id: the requester adds the OneRecord account id by editing the issue, and a reviewer runs /revoke-certification, then /approve-certification for the updated request",
  );
}

export function certificationProblems(record: AccessRecord, issue: RequestIssue): Refusal[] {
  const approval = record.certification;
  if (!approval)
    return [
      refusal("not-certified", "certification has not been approved (a reviewer approves with /approve-certification)"),
    ];
  const out: Refusal[] = [];
  if (approvedByRequester(record, issue)) {
    out.push(
      refusal(
        "self-approved",
        `certification was approved by ${approval.by}, who opened the request; a reviewer other than the requester must approve it`,
      ),
    );
  }
  if (!record.request || approval.requestSha256 !== record.request.sha256) {
    out.push(
      refusal(
        "request-changed",
        "the request in the record is not the one certification approved; a reviewer approves the current request again",
      ),
    );
  }
  return out;
}

export function refusal<C extends string>(code: C, message: string): Refusal<C> {
  return { code, message };
}

/**
 * Whether the requester approved their own request: by user id where the record knows the
 * approving line's author id (a requester who renamed their account is still caught), and by
 * login in every case (a login taken over by someone else is treated as the requester: refused).
 */
function approvedByRequester(record: AccessRecord, issue: RequestIssue): boolean {
  const approval = record.certification!;
  const by = approval.by.toLowerCase();
  if (by === issue.author.toLowerCase() || by === record.requester.toLowerCase()) return true;
  const comment = Number(/#issuecomment-(\d+)$/.exec(approval.url)?.[1]);
  const line = record.commands.find(
    (c) => c.comment === comment && c.name === "approve-certification" && c.outcome === "accepted",
  );
  if (line?.byId === undefined) return false;
  return line.byId === record.requesterId || line.byId === issue.authorId;
}
