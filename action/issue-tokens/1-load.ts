import {
  findStatusComment,
  isAuthoredBy,
  readRecord,
  STATUS_MARKER,
  type AccessRecord,
} from "../../src/record/index.js";
import type { RunContext } from "../context.js";
import { getIssue, listIssueComments, type IssueComment, type Octokit, type RequestIssue } from "../github.js";

export type RecordLookup = { found: true; record: AccessRecord; url: string } | { found: false; reason: string };

export interface LoadedRequest {
  issue: RequestIssue;
  record: RecordLookup;
}

/**
 * Step 1 (the API edge): the request issue and the app's record from its status comment. Labels
 * are not read at all: a label is a view anyone with triage rights can change.
 */
export async function loadRequest(
  octokit: Octokit,
  context: RunContext,
  request: number,
  appLogin: string,
): Promise<LoadedRequest> {
  const issue = await getIssue(octokit, context, request);
  const comments = await listIssueComments(octokit, context, request);
  return { issue, record: selectRecord(comments, appLogin) };
}

/**
 * Pure: the record in the status comment the app wrote (marker AND the app's bot account). A
 * status comment with a record pasted by anyone else is ignored, however well-formed.
 */
export function selectRecord(comments: readonly IssueComment[], appLogin: string): RecordLookup {
  const status = findStatusComment(comments, appLogin);
  if (!status) {
    const lookalikes = comments.filter(
      (c) => (c.body ?? "").includes(STATUS_MARKER) && !isAuthoredBy(c, appLogin),
    ).length;
    const ignored =
      lookalikes > 0 ? `; ${lookalikes} comment(s) by other accounts that look like one were ignored` : "";
    return { found: false, reason: `the issue has no status comment by ${appLogin}${ignored}` };
  }
  let record: AccessRecord | null;
  try {
    record = readRecord(status.body ?? "");
  } catch (error) {
    return {
      found: false,
      reason: `the status comment of ${appLogin} holds no readable record (${error instanceof Error ? error.message : "unreadable"})`,
    };
  }
  if (!record) return { found: false, reason: `the status comment of ${appLogin} holds no record` };
  return { found: true, record, url: status.htmlUrl };
}
