import { CONFIG_PATH } from "../../config/parse.js";
import { approvedBrand } from "../../certificates/root-candidate.js";
import { CA_STATUS_MARKER, caRequestPath, verifyCaRequest, type CaRequestRecord } from "../../record/ca-request.js";
import { isAuthoredBy, isStatusBody } from "../../record/codec.js";
import { ledgerFilePath } from "../../record/ledger-file.js";
import type { SyncDeps, Trigger } from "../deps.js";
import { isReviewer } from "../github/reviewers.js";
import type { CommentData, IssueData } from "../github/rest.js";
import { recordSetupProblem } from "../ledger/setup.js";
import { isBot } from "../state/observed-lines.js";
import { parseCaForm, type CaFormResult } from "./parse.js";
import { parseCaCommands } from "./rules.js";
import type { CaObservation, ObservedCaLine } from "./types.js";

/**
 * Everything one event on a CA request needs, gathered once (I/O, no decision): the form judged
 * against the configuration on the default branch, the verified record, the comments' decision
 * lines the record has not decided yet with their authors' reviewer roles, the status comment,
 * and the configuration file's text when a pull request may have to be opened.
 */
export async function observeCaRequest(
  deps: SyncDeps,
  issue: IssueData,
  trigger: Trigger,
  pullHead?: string,
): Promise<CaObservation | null> {
  const now = new Date().toISOString();
  const repository = `${deps.io.repo.owner}/${deps.io.repo.repo}`;
  const ledger = await readRecord(deps, repository, issue.number);
  const parsed = parseCaForm(issue.body, { at: new Date(now), extraCAs: deps.config.certificates.extraCAs });
  if (!parsed.recognized && !ledger.previous && !ledger.blocked) return null;
  const comments = await deps.io.listComments(issue.number);
  // A production-access request stays one, whatever its body says now: its record or its status
  // comment decides (a CA form pasted into it must not take its commands away).
  if (!ledger.previous && !ledger.sha && (await isAccessRequest(deps, issue.number, comments))) return null;
  const form = parsed.recognized ? parsed : formGone();
  const status = comments.find((c) => isAuthoredBy(c, deps.botLogin) && c.body.startsWith(CA_STATUS_MARKER));
  const lines = await decisionLines(deps, comments, trigger, ledger.previous);
  const asked = await askedLine(deps, trigger);
  // The configuration is read only when a pull request may be opened: an approval now, or one
  // recorded whose pull request is not (an edit may have brought its version back).
  const approvals =
    lines.some((l) => l.name === "approve-ca") ||
    !!ledger.previous?.decisions.some((d) => d.command === "approve-ca" && d.outcome === "accepted");
  const needsConfig = form.valid && !form.judged.approvedAs && !ledger.previous?.pull && approvals;
  const recordedRoot = ledger.previous?.pull?.fingerprintSha256;
  return {
    repository,
    defaultBranch: deps.defaultBranch,
    now,
    issue: {
      number: issue.number,
      url: issue.html_url,
      state: issue.state,
      author: { login: issue.user?.login ?? "ghost", ...(issue.user?.id !== undefined ? { id: issue.user.id } : {}) },
      labels: issue.labels.map((l) => l.name),
    },
    form,
    previous: ledger.previous,
    previousSha: ledger.sha,
    blocked: recordSetupProblem(deps.config, deps.recordKey) ?? ledger.blocked,
    lines,
    asked,
    formWritten: lines.some((l) => l.name === "approve-ca") ? await formWritten(deps, issue) : { at: null, by: null },
    pullRootTrusted: !!recordedRoot && approvedBrand(recordedRoot, deps.config.certificates.extraCAs) !== null,
    ...(pullHead ? { pullHead } : {}),
    status: status ? { id: status.id, body: status.body } : null,
    ...(needsConfig ? { configText: await configText(deps) } : {}),
  };
}

/** The issue is a production-access request: its ledger record exists, or the app's status comment for one. */
async function isAccessRequest(deps: SyncDeps, issue: number, comments: readonly CommentData[]): Promise<boolean> {
  if (comments.some((c) => isStatusBody(c, deps.botLogin))) return true;
  return (await deps.ledger.readFile(ledgerFilePath(issue))) !== null;
}

/**
 * When the form version in effect was written and by whom: the body's last edit (GraphQL), else
 * the issue's creation by its author. Asked only when an approval is to be decided.
 */
async function formWritten(deps: SyncDeps, issue: IssueData): Promise<CaObservation["formWritten"]> {
  const edit = await deps.io.lastBodyEdit(issue.number);
  if (edit.at) return { at: edit.at, by: edit.editor };
  return { at: issue.created_at ?? null, by: issue.user?.login ?? null };
}

async function readRecord(
  deps: SyncDeps,
  repository: string,
  issue: number,
): Promise<{ previous: CaRequestRecord | null; sha: string | null; blocked: string | null }> {
  const file = await deps.ledger.readFile(caRequestPath(issue));
  if (!file) return { previous: null, sha: null, blocked: null };
  const verdict = await verifyCaRequest(file.text, deps.config.records.jwks, { repository, issue });
  if (verdict.ok) return { previous: verdict.record, sha: file.sha, blocked: null };
  deps.log.warn({ issue, code: verdict.code }, "CA request record does not verify");
  return {
    previous: null,
    sha: file.sha,
    blocked: `its record ${caRequestPath(issue)} on the ledger branch does not verify (${verdict.code}): a maintainer restores it from the branch's history`,
  };
}

/**
 * Decision lines of comments the record has not decided, oldest first. A comment edited before the
 * app read it runs nothing (as on production-access requests): its first body is unknown, except
 * the triggering comment's, which the webhook carries as created.
 */
async function decisionLines(
  deps: SyncDeps,
  comments: readonly CommentData[],
  trigger: Trigger,
  previous: CaRequestRecord | null,
): Promise<ObservedCaLine[]> {
  const decidedThrough = previous?.decidedThrough ?? 0;
  const roles = new Map<string, Promise<boolean>>();
  const role = (login: string) => {
    const key = login.toLowerCase();
    if (!roles.has(key)) roles.set(key, isReviewer(deps.io, deps.config, login));
    return roles.get(key)!;
  };
  const out: ObservedCaLine[] = [];
  const created = trigger.kind === "comment" && trigger.created ? trigger.comment : null;
  for (const listed of comments) {
    const comment = created?.id === listed.id ? created : listed;
    if (comment.id <= decidedThrough || isBot(comment.user) || !comment.user) continue;
    if (comment !== created && comment.updated_at !== comment.created_at) continue;
    for (const line of parseCaCommands(comment.body)) {
      if (line.name !== "approve-ca" && line.name !== "reject") continue;
      out.push({
        comment: { id: comment.id, url: comment.html_url, at: comment.created_at },
        name: line.name,
        args: line.args,
        by: comment.user.login,
        ...(comment.user.id !== undefined ? { byId: comment.user.id } : {}),
        reviewer: await role(comment.user.login),
      });
    }
  }
  return out;
}

async function askedLine(deps: SyncDeps, trigger: Trigger): Promise<CaObservation["asked"]> {
  if (trigger.kind !== "comment" || !trigger.created || !trigger.comment.user) return null;
  const asked = parseCaCommands(trigger.comment.body).find((l) => l.name === "status" || l.name === "help");
  if (!asked || (asked.name !== "status" && asked.name !== "help")) return null;
  const by = trigger.comment.user.login;
  return { name: asked.name, by, url: trigger.comment.html_url, reviewer: await isReviewer(deps.io, deps.config, by) };
}

async function configText(deps: SyncDeps): Promise<string | null> {
  const bytes = await deps.io.getFile(CONFIG_PATH, deps.defaultBranch);
  return bytes ? new TextDecoder().decode(bytes) : null;
}

function formGone(): Exclude<CaFormResult, { recognized: false }> {
  return {
    recognized: true,
    valid: false,
    request: null,
    judged: null,
    problems: [
      { field: "ca-name", message: "the form's fields are gone from the issue: restore them by editing the issue" },
    ],
  };
}
