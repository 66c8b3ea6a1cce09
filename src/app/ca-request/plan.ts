import { addExtraCa } from "../../config/add-extra-ca.js";
import { CONFIG_PATH } from "../../config/parse.js";
import { MAX_REFUSALS, type CaDecision, type CaRequestRecord, type CaStage } from "../../record/ca-request.js";
import { decideCaLine, type CaDecisionState } from "./rules.js";
import { caPullBody, caPullTitle, caReply, caStatusBody, extraCaComment } from "./render.js";
import type { CaObservation, CaPlan, CaPullPlan, ObservedCaLine } from "./types.js";

/**
 * Everything one event on a CA request decides, from its observation alone (pure): the state is
 * recomputed from the recorded decisions, the new lines are decided in order, and the plan says
 * what to write (record, status comment, replies), which pull request to open or close, and
 * whether to close the issue. Nothing is decided while the ledger cannot be kept (`blocked`).
 */
type Content = NonNullable<CaRequestRecord["content"]>;
type Pull = NonNullable<CaRequestRecord["pull"]>;

export function planCaRequest(o: CaObservation): CaPlan {
  if (o.blocked)
    return { record: null, status: caStatusBody(o, null, null), replies: [], pull: null, close: null, closePull: null };
  const content = contentOf(o);
  const recorded = o.previous?.pull ?? null;
  // 1. Each new line against the state before it (the pull request as recorded before this event).
  const { decisions, replies, pruned } = decideLines(o, content, recorded !== null);
  if (o.asked) replies.push(caReply(o.asked.by, [{ name: o.asked.name, outcome: "accepted" }]));
  // 2. The stage those facts give (with the pull request just opened, on the second plan of an event).
  const pull = pullOf(o, recorded, content);
  const stage = stageOf(decisions, content?.sha256 ?? null, trustedNow(o), pull !== null, o.pullRootTrusted);
  const terminal = stage === "added" || stage === "rejected";
  const close = terminal && o.issue.state === "open" && !o.previous?.closedByApp ? closing(stage) : null;
  const record: CaRequestRecord = {
    version: 1,
    kind: "ca-request",
    repository: o.repository,
    issue: o.issue.number,
    requester: o.previous?.requester ?? { login: o.issue.author.login, ...idOf(o.issue.author.id) },
    at: o.now,
    content: content ?? o.previous?.content ?? null,
    decisions,
    decidedThrough: Math.max(o.previous?.decidedThrough ?? 0, ...o.lines.map((l) => l.comment.id)),
    prunedRefusals: (o.previous?.prunedRefusals ?? 0) + pruned,
    stage,
    pull,
    addedAt: o.previous?.addedAt ?? (stage === "added" ? o.now : null),
    closedByApp: (o.previous?.closedByApp ?? false) || close !== null,
  };
  // 3. The pull request, once approved and not opened yet; closed again when the request is rejected.
  const toOpen = stage === "approved" && !pull && content ? pullPlan(o, decisions, content) : null;
  const rejectedNow = stage === "rejected" && o.previous?.stage !== "rejected";
  return {
    record: changed(o.previous, record) ? record : null,
    status: caStatusBody(o, record, toOpen && "problem" in toOpen ? toOpen.problem : null),
    replies,
    pull: toOpen && "pull" in toOpen ? toOpen.pull : null,
    close,
    closePull: rejectedNow && pull && !o.pullRootTrusted ? pull.number : null,
  };
}

function contentOf(o: CaObservation): Content | null {
  if (!o.form.valid) return null;
  return {
    sha256: o.form.request.sha256,
    name: o.form.request.name,
    fingerprintSha256: o.form.judged.fingerprintSha256!,
    publishedAt: o.form.request.publishedAt,
  };
}

/** The root in the form is trusted already (the allowlist, or `extraCAs` on the default branch). */
function trustedNow(o: CaObservation): boolean {
  return !!o.form.judged?.approvedAs;
}

/**
 * The recorded decisions plus this event's, one reply per comment. Refused lines past
 * MAX_REFUSALS are dropped oldest first (and counted): the record stays bounded.
 */
function decideLines(
  o: CaObservation,
  content: Content | null,
  pulled: boolean,
): { decisions: CaDecision[]; replies: string[]; pruned: number } {
  const decisions: CaDecision[] = [...(o.previous?.decisions ?? [])];
  const byComment = new Map<number, { by: string; outcomes: Array<Parameters<typeof caReply>[1][number]> }>();
  for (const line of o.lines) {
    const outcome = decideCaLine({ ...line, at: line.comment.at }, decisionState(o, decisions, content, pulled));
    decisions.push(decisionOf(line, content, outcome));
    const entry = byComment.get(line.comment.id) ?? { by: line.by, outcomes: [] };
    entry.outcomes.push({ name: line.name, outcome });
    byComment.set(line.comment.id, entry);
  }
  const refused = decisions.filter((d) => d.outcome !== "accepted");
  const drop = new Set(refused.slice(0, Math.max(0, refused.length - MAX_REFUSALS)));
  return {
    decisions: decisions.filter((d) => !drop.has(d)),
    replies: [...byComment.values()].map((c) => caReply(c.by, c.outcomes)),
    pruned: drop.size,
  };
}

function decisionOf(line: ObservedCaLine, content: Content | null, outcome: string): CaDecision {
  return {
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
  };
}

function decisionState(
  o: CaObservation,
  decisions: readonly CaDecision[],
  content: Content | null,
  pulled: boolean,
): CaDecisionState {
  const stage = stageOf(decisions, content?.sha256 ?? null, trustedNow(o), pulled, o.pullRootTrusted);
  return {
    requester: o.previous?.requester ?? o.issue.author,
    contentSha256: content?.sha256 ?? null,
    fingerprintSha256: o.form.judged?.fingerprintSha256 ?? null,
    formWritten: o.formWritten,
    trusted: trustedNow(o),
    rejected: stage === "rejected",
    approved: stage === "approved",
    added: stage === "added",
  };
}

/** The recorded pull request (with a foreign head seen now), or the one just opened. */
function pullOf(o: CaObservation, recorded: Pull | null, content: Content | null): Pull | null {
  if (recorded) {
    const foreign = o.pullHead && o.pullHead !== recorded.commit ? o.pullHead : recorded.foreignHead;
    return { ...recorded, foreignHead: foreign ?? null };
  }
  if (!o.opened || !content) return null;
  return {
    number: o.opened.number,
    branch: o.opened.branch,
    contentSha256: content.sha256,
    fingerprintSha256: content.fingerprintSha256,
    commit: o.opened.commit,
    foreignHead: null,
    at: o.now,
  };
}

/**
 * The stage the recorded facts give. A rejection stands whatever happens after it; the request is
 * `added` when the root of the app's pull request is trusted by the configuration on the default
 * branch (not whatever root the form holds now).
 */
export function stageOf(
  decisions: readonly CaDecision[],
  contentSha256: string | null,
  trusted: boolean,
  pulled: boolean,
  pullRootTrusted: boolean,
): CaStage {
  if (decisions.some((d) => d.command === "reject" && d.outcome === "accepted")) return "rejected";
  if (pulled && pullRootTrusted) return "added";
  if (pulled) return "approved";
  if (trusted) return "already-approved";
  const approval = decisions.findLast((d) => d.command === "approve-ca" && d.outcome === "accepted");
  if (approval && contentSha256 && approval.contentSha256 === contentSha256) return "approved";
  return contentSha256 ? "submitted" : "needs-changes";
}

function pullPlan(
  o: CaObservation,
  decisions: readonly CaDecision[],
  content: Content,
): { pull: CaPullPlan } | { problem: string } | null {
  if (o.pullProblem) return { problem: o.pullProblem };
  if (!o.form.valid || o.configText === undefined) return null;
  const approval = decisions.findLast((d) => d.command === "approve-ca" && d.outcome === "accepted")!;
  const edit = addExtraCa(o.configText, {
    brand: o.form.request.name,
    fingerprintSha256: content.fingerprintSha256,
    pem: o.form.request.rootPem,
    comment: extraCaComment(o, approval),
  });
  if (!edit.ok) return { problem: `${CONFIG_PATH} could not be edited (${edit.code}): ${edit.reason}` };
  return {
    pull: {
      branch: `onerecord-access/add-ca-${o.issue.number}`,
      title: caPullTitle(o.form.request.name, o.issue.number),
      body: caPullBody(o, approval, content.sha256),
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
