import { addExtraCa } from "../../config/add-extra-ca.js";
import { CONFIG_PATH } from "../../config/parse.js";
import type { CaDecision, CaRequestRecord, CaStage } from "../../record/ca-request.js";
import { decideCaLine, type CaDecisionState } from "./rules.js";
import { caPullBody, caPullTitle, caReply, caStatusBody, extraCaComment } from "./render.js";
import type { CaObservation, CaPlan, CaPullPlan } from "./types.js";

/**
 * Everything one event on a CA request decides, from its observation alone (pure): the state is
 * recomputed from the recorded decisions, the new lines are decided in order, and the plan says
 * what to write (record, status comment, replies), which pull request to open and whether to
 * close the issue. Nothing is decided while the ledger cannot be kept (`blocked`).
 */
export function planCaRequest(o: CaObservation): CaPlan {
  if (o.blocked) return { record: null, status: caStatusBody(o, null, null), replies: [], pull: null, close: null };
  const content = o.form.valid
    ? {
        sha256: o.form.request.sha256,
        name: o.form.request.name,
        fingerprintSha256: o.form.judged.fingerprintSha256!,
        publishedAt: o.form.request.publishedAt,
      }
    : null;
  const trusted = !!o.form.judged?.approvedAs;
  const recorded = o.previous?.pull ?? null;
  // 1. The recorded decisions, then each new line against the state before it.
  const decisions: CaDecision[] = [...(o.previous?.decisions ?? [])];
  const replies: string[] = [];
  for (const line of o.lines) {
    const state = decisionState(o, decisions, content?.sha256 ?? null, trusted, recorded !== null);
    const outcome = decideCaLine(line, state);
    decisions.push({
      comment: line.comment.id,
      command: line.name,
      by: line.by,
      ...(line.byId !== undefined ? { byId: line.byId } : {}),
      at: line.comment.at,
      url: line.comment.url,
      args: line.args.slice(0, 500),
      reviewer: line.reviewer,
      contentSha256: content?.sha256 ?? null,
      outcome,
    });
    replies.push(caReply(line, outcome));
  }
  if (o.asked) replies.push(caReply(o.asked, "accepted"));
  // 2. The stage those facts give (with the pull request just opened, on the second plan of an event).
  const pull = recorded ?? (o.opened && content ? { ...o.opened, contentSha256: content.sha256, at: o.now } : null);
  const stage = stageOf(decisions, content?.sha256 ?? null, trusted, pull !== null);
  const before = o.previous?.stage ?? null;
  const record: CaRequestRecord = {
    version: 1,
    kind: "ca-request",
    repository: o.repository,
    issue: o.issue.number,
    requester: o.previous?.requester ?? { login: o.issue.author.login, ...idOf(o.issue.author.id) },
    at: o.now,
    content: content ?? o.previous?.content ?? null,
    decisions,
    stage,
    pull,
    addedAt: o.previous?.addedAt ?? (stage === "added" ? o.now : null),
  };
  // 3. The pull request, once approved and not opened yet.
  const toOpen = stage === "approved" && !pull ? pullPlan(o, decisions, content!.sha256) : null;
  return {
    record: changed(o.previous, record) ? record : null,
    status: caStatusBody(o, record, toOpen && "problem" in toOpen ? toOpen.problem : null),
    replies,
    pull: toOpen && "pull" in toOpen ? toOpen.pull : null,
    close: o.issue.state === "open" && before !== stage ? closing(stage) : null,
  };
}

function decisionState(
  o: CaObservation,
  decisions: readonly CaDecision[],
  contentSha256: string | null,
  trusted: boolean,
  pulled: boolean,
): CaDecisionState {
  const stage = stageOf(decisions, contentSha256, trusted, pulled);
  return {
    requester: o.previous?.requester ?? o.issue.author,
    contentSha256,
    trusted,
    rejected: stage === "rejected",
    approved: stage === "approved",
    added: stage === "added",
  };
}

/** The stage the recorded facts give; the root trusted by the configuration after our pull request is `added`. */
export function stageOf(
  decisions: readonly CaDecision[],
  contentSha256: string | null,
  trusted: boolean,
  pulled: boolean,
): CaStage {
  if (pulled && trusted) return "added";
  if (decisions.some((d) => d.command === "reject" && d.outcome === "accepted")) return "rejected";
  if (trusted) return "already-approved";
  if (pulled) return "approved";
  const approval = decisions.findLast((d) => d.command === "approve-ca" && d.outcome === "accepted");
  if (approval && contentSha256 && approval.contentSha256 === contentSha256) return "approved";
  return contentSha256 ? "submitted" : "needs-changes";
}

function pullPlan(
  o: CaObservation,
  decisions: readonly CaDecision[],
  contentSha256: string,
): { pull: CaPullPlan } | { problem: string } | null {
  if (o.pullProblem) return { problem: o.pullProblem };
  if (!o.form.valid || o.configText === undefined) return null;
  const approval = decisions.findLast((d) => d.command === "approve-ca" && d.outcome === "accepted")!;
  const edit = addExtraCa(o.configText, {
    brand: o.form.request.name.slice(0, 64),
    fingerprintSha256: o.form.judged.fingerprintSha256!,
    pem: o.form.request.rootPem,
    comment: extraCaComment(o, approval),
  });
  if (!edit.ok) return { problem: `${CONFIG_PATH} could not be edited (${edit.code}): ${edit.reason}` };
  const branch = `onerecord-access/add-ca-${o.issue.number}`;
  return {
    pull: {
      branch,
      title: caPullTitle(o.form.request.name, o.issue.number),
      body: caPullBody(o, approval, contentSha256),
      files: [{ path: CONFIG_PATH, content: edit.text }],
    },
  };
}

function closing(stage: CaStage): CaPlan["close"] {
  if (stage === "added") return "completed";
  if (stage === "rejected") return "not_planned";
  return null;
}

function changed(previous: CaRequestRecord | null, next: CaRequestRecord): boolean {
  if (!previous) return true;
  return JSON.stringify({ ...previous, at: "" }) !== JSON.stringify({ ...next, at: "" });
}

function idOf(id: number | undefined): { id?: number } {
  return id !== undefined ? { id } : {};
}
