import type { Context } from "probot";
import { parseCertificatePath } from "../../certificates/index.js";
import type { PullRequestRecord } from "../../record/schema.js";
import { loadConfig } from "../github/config.js";
import { caRequestOfPull, handleCaRequestEvent, isCaBranch } from "./ca-requests.js";
import { handleRequestEvent } from "./request-event.js";
import { ioFor, type AppState } from "./shared.js";

/** A PR touching more requests than this is not a certificate PR; it is logged and skipped. */
const MAX_REQUESTS_PER_PR = 20;

/**
 * Certificate pull requests into the default branch: opened, updated or reopened ones are linked
 * from their requests' status; merged ones are re-validated by the app from the merge commit
 * and recorded per device; closed unmerged ones are marked closed.
 */
export async function onPullRequest(
  context: Context<
    "pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened" | "pull_request.closed"
  >,
  state: AppState,
): Promise<void> {
  const { payload } = context;
  const pr = payload.pull_request;
  if (pr.base.ref !== payload.repository.default_branch) return;
  // The app's pull request adding a CA's root (issue 20): a push by someone else is flagged on the
  // request, and its merge is what adds the root. Closed unmerged: nothing to record.
  const caRequest = isCaBranch(pr.head.ref)
    ? caRequestOfPull(pr, payload.repository.full_name, await state.botLogin())
    : null;
  if (caRequest !== null) {
    if (payload.action === "closed" && pr.merged !== true) return;
    const issue = await ioFor(context, payload).getIssue(caRequest);
    if (!issue.pull_request) await handleCaRequestEvent(context, payload, state, issue, { kind: "issue" }, pr.head.sha);
    return;
  }
  const loaded = await loadConfig(context);
  if (!loaded.ok) {
    context.log.warn({ field: loaded.field, pr: pr.number }, "configuration invalid: certificate PR not recorded");
    return;
  }
  const pattern = loaded.config.certificates.pathPattern;
  const io = ioFor(context, payload);
  const files = await io.listPullFiles(pr.number);
  const requests = new Set<number>();
  for (const f of files) {
    for (const path of [f.filename, f.previous_filename]) {
      const parsed = path ? parseCertificatePath(path, pattern) : null;
      if (parsed) requests.add(parsed.request);
    }
  }
  if (requests.size === 0) return;
  if (requests.size > MAX_REQUESTS_PER_PR) {
    context.log.warn({ pr: pr.number, requests: requests.size }, "PR touches too many requests: not recorded");
    return;
  }

  const merged = payload.action === "closed" && pr.merged === true;
  const record: PullRequestRecord = {
    number: pr.number,
    url: pr.html_url,
    author: pr.user?.login ?? "ghost",
    state: merged ? "merged" : payload.action === "closed" ? "closed" : "open",
    at: pr.updated_at,
    ...(merged && pr.merged_at ? { mergedAt: pr.merged_at } : {}),
    ...(merged && pr.merge_commit_sha ? { mergedCommit: pr.merge_commit_sha } : {}),
    ...(merged && pr.merged_by ? { mergedBy: pr.merged_by.login } : {}),
  };
  for (const number of [...requests].sort((a, b) => a - b)) {
    let issue;
    try {
      issue = await io.getIssue(number);
    } catch (error) {
      if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 410) continue;
      throw error;
    }
    if (issue.pull_request) continue;
    await handleRequestEvent(context, payload, state, issue, { kind: "pull", pull: { record, files } }, loaded.config);
  }
}
