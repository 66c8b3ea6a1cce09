import type { Context } from "probot";
import { mayContainCommand, parseCommands } from "../commands/parse.js";
import { parseIssuanceComment } from "../../record/issuance-comment.js";
import { parseObtainedComment } from "../../record/obtained-comment.js";
import { isBot } from "../state/observed-lines.js";
import { TOKEN_WORKFLOW_BOT } from "../../record/token-workflow.js";
import { isCaFormBody } from "../ca-request/parse.js";
import { parseCaCommands } from "../ca-request/rules.js";
import { handleCaRequestEvent } from "./ca-requests.js";
import { handleRequestEvent } from "./request-event.js";
import { issueFromPayload, type AppState } from "./shared.js";

/**
 * What a workflow's comment (as github-actions[bot]) is to the app, its body parsed once: a report
 * to observe (the token workflow's issuance, the obtain workflow's certificates, option 2), or
 * none. `deferred`: a part of the token workflow's report that is not its last (issue 22: a
 * 500-device run posts 28 parts, and each part's event cost five requests). Nothing is decided
 * from it alone: the last part's event and the run's completion list the comments changed since
 * the record, which hold every part, and judge them as before. A part deferred here is never
 * skipped: whichever event lists it next judges it. The numbers come from the comment, so they
 * only ever delay.
 */
function workflowReport(body: string): "report" | "deferred" | null {
  const issuance = parseIssuanceComment(body);
  if (issuance.ok) return issuance.block.part < issuance.block.parts ? "deferred" : "report";
  return issuance.found || parseObtainedComment(body).found ? "report" : null;
}

/**
 * `issue_comment.created` (commands) and `.edited` (only to tell the author, once, that an
 * edited comment runs nothing). A comment without a command line costs no API call: it is
 * dropped here, before the config is even read.
 */
export async function onIssueComment(
  context: Context<"issue_comment.created" | "issue_comment.edited">,
  state: AppState,
): Promise<void> {
  const { payload } = context;
  const { comment } = payload;
  if (payload.issue.pull_request) return;
  // A request to add a certificate authority (issue 20) has its own commands; an issue that turns
  // out to be a production-access request is handled as one below.
  const caCommand =
    payload.action === "created" &&
    !isBot(comment.user) &&
    !isBot(payload.sender) &&
    mayContainCommand(comment.body) &&
    parseCaCommands(comment.body).length > 0;
  if (caCommand && isCaFormBody(payload.issue.body)) {
    const trigger = { kind: "comment", created: true, comment: commentData(comment) } as const;
    if (await handleCaRequestEvent(context, payload, state, issueFromPayload(payload.issue), trigger)) return;
  }
  // The token workflow reports what it issued, and the obtain workflow what it obtained (option
  // 2), in comments as github-actions[bot]: the bot comments the app reads (as facts to verify,
  // never as commands).
  const report =
    payload.action === "created" && comment.user?.login === TOKEN_WORKFLOW_BOT ? workflowReport(comment.body) : null;
  if (report === "deferred") {
    context.log.debug({ issue: payload.issue.number, comment: comment.id }, "issuance part deferred to the last part");
    return;
  }
  if (report === null) {
    if (isBot(comment.user) || isBot(payload.sender)) return;
    if (!mayContainCommand(comment.body) || parseCommands(comment.body).length === 0) return;
  }
  await handleRequestEvent(context, payload, state, issueFromPayload(payload.issue), {
    kind: "comment",
    created: payload.action === "created",
    comment: commentData(comment),
  });
}

function commentData(
  comment: Context<"issue_comment.created" | "issue_comment.edited">["payload"]["comment"],
): Extract<Parameters<typeof handleRequestEvent>[4], { kind: "comment" }>["comment"] {
  return {
    id: comment.id,
    body: comment.body,
    html_url: comment.html_url,
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    user: comment.user ? { login: comment.user.login, type: comment.user.type ?? "User", id: comment.user.id } : null,
  };
}
