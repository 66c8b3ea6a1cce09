import { holdsRecordBlock, isStatusBody } from "../record/codec.js";
import { devicesNeedingTokens, issuanceEventKey } from "../record/tokens.js";
import type { AccessRecord, CommandRecord, RequestContent } from "../record/schema.js";
import { bodySha256 } from "./intake/parse.js";
import { judgeIssuanceReports } from "./issuance/reports.js";
import { desiredLabels, sameLabels } from "./labels/view.js";
import type { Observation } from "./observation.js";
import type { IssueChange } from "./issue-change.js";
import { certificatesNow, issuanceExpectations, requestInEffect } from "./state/in-effect.js";

export type { IssueChange } from "./issue-change.js";
export { certificatesNow, issuanceExpectations, requestInEffect } from "./state/in-effect.js";
import { renderStatusComment } from "./render/status.js";
import { planReplies, voidedRunReply } from "./commands/reply.js";
import { assembleRecord, nextForm } from "./state/assemble.js";
import { reduce } from "./state/reduce.js";
import { canonicalRecord, nextIntegrity } from "./ledger/source.js";
import { renderSetupNotice } from "./ledger/notice.js";
import { APP_ACTOR } from "./state/actor.js";
import { allocateStatusIndexes, statusListToPublish } from "./issuance/status-list.js";
import { reviewOf } from "../record/review.js";
import { reviewReminder } from "./render/review.js";
import { planRenewal, withRenewal, type DueIndexChange } from "./renewal/plan.js";
import { renewalStates } from "./renewal/due.js";
import { judgeObtained, type PullToOpen } from "./obtained/reports.js";
import { DEFAULT_KEY_COMMENT_DAYS, keyCommentsToRemove } from "./obtained/keys.js";
import { oldest } from "./comments-read.js";

/**
 * Step 2 of a sync: everything decided, from one observation, without I/O — the record to
 * write, the status comment, the labels and open/closed state, the replies and the comments to
 * delete. Numbered as it runs: (1) new command lines with their authors' roles, (2) pull
 * requests and certificates after this event, (3) issuance reports judged, (4) the history
 * replayed (`reduce`), (5) the record assembled, (6) its views planned.
 */
export interface Plan {
  /** The record after this event; null while no signed record can be kept (`recordSetupProblem`). */
  record: AccessRecord | null;
  /**
   * The ledger version to write (compare-and-swap against `previous`, the head's blob sha; null:
   * no file yet), or null when the record did not change: the app never writes a no-op version.
   */
  ledger: { previous: string | null; message: string } | null;
  status: { kind: "create"; body: string } | { kind: "update"; id: number; body: string } | { kind: "keep" };
  /** Duplicate status comments from a past race: the oldest is the one; the others go. */
  deletions: number[];
  /** The labels and state to write in one PATCH, or null when nothing there changes. */
  issue: IssueChange | null;
  /** Replies to post, one per comment, for lines first seen now. */
  replies: string[];
  /** Comments first seen now with an accepted command: acknowledged with a reaction. */
  acknowledge: number[];
  /**
   * The issue's comment count after the writes above if no one else wrote meanwhile: the views'
   * check for a concurrent writer (the record's is the ledger's compare-and-swap).
   */
  expectedComments: number;
  /** A `/status` asked for the labels' repair in this event. */
  forceLabels: boolean;
  log: Array<{ level: "warn"; fields: Record<string, unknown>; message: string }>;
  /** The request's token status list to sign and publish before the record is written; null: unchanged. */
  statusList: { uri: string; statuses: number[] } | null;
  /** Dispatch the token workflow once the record is written (a renewal was merged); null: no. */
  dispatch: { workflow: string; ref: string } | null;
  /** Pull requests to open once the record is written: certificates obtained for option 2 (absent: none). */
  pulls?: PullToOpen[];
  /** The request's entry in the due-date index to write (src/app/renewal/plan.ts); null or absent: unchanged. */
  dueIndex?: DueIndexChange | null;
}

export function plan(o: Observation): Plan {
  if (o.setupProblem) return planWithoutRecord(o, o.setupProblem);
  // 1. New command lines, with the reviewer status observed for their authors and whether they
  //    were written before the form version in effect. In a rebuild only the comment just
  //    written runs; older ones are not replayed (see `rebuiltComments`).
  const { lines, ignored } = o.source.rebuilding ? rebuiltComments(o) : o.unseen;
  const newCommands: CommandRecord[] = lines.map((line) => ({
    ...line,
    reviewer: o.reviewers.get(line.by.toLowerCase()) ?? false,
    ...(writtenBeforeForm(line, o.formWrittenAt) ? { beforeForm: true } : {}),
    outcome: "accepted",
  }));
  // 2. Pull requests and certificates after this event.
  const request = requestInEffect(o.prior, o.form);
  const { pullRequests, certificates } = observedCertificates(o, request);
  // 3. Issuance reports.
  const reports = judgeIssuanceReports({
    ...o.issuance,
    prior: o.prior,
    devices: request?.devices ?? [],
    certificates,
    expected: issuanceExpectations(o.config, o.repository, o.issue.number, o.defaultBranch),
  });
  // 4. The whole history replayed.
  const { requester, requesterId, issueUrl, rebuilt } = kept(o);
  const validForm = o.form.recognized && o.form.valid ? o.form.request : null;
  const reduced = reduce({
    checklistItems: o.config.checklist,
    checklistFields: o.config.checklistFields,
    requester,
    requesterId,
    issueUrl,
    form: validForm ? { valid: true, request: validForm } : { valid: false, request: null },
    priorRequest: o.prior?.request ?? null,
    commands: [...(o.prior?.commands ?? []), ...newCommands],
    pullRequests,
    certificates,
    issuance: reports.issuance,
    rebuilt,
  });
  // 5. The record. The snapshot time moves only when the body does, so an unchanged request renders the same.
  const sha = bodySha256(o.issue.body);
  const snapshot = o.prior && o.prior.form.bodySha256 === sha ? o.prior.form.at : o.issue.updated_at;
  const dated = { at: snapshot, bodySha256: sha, writtenAt: o.formWrittenAt ?? undefined };
  const { form, formLog } = nextForm(o.prior, dated, o.form, reduced.formApplied);
  const record = assembleRecord({
    repository: o.repository,
    issue: o.issue.number,
    issueUrl,
    requester,
    requesterId,
    writer: o.botLogin,
    reclosed: o.prior?.reclosed ?? [],
    reduced,
    form,
    formLog,
    ignored: [...(o.prior?.ignored ?? []), ...ignored],
    pullRequests,
    certificates,
    issuance: reports.issuance,
    issuanceComments: reports.comments,
    integrity: nextIntegrity(o.prior, o.source.incident),
    rebuilt,
  });
  return planAfterRecord(o, withCommentsRead(o, record), newCommands, reduced.refusals, reports.refused);
}

/**
 * The record with how far this observation read the comments (src/app/comments-read.ts), else
 * the prior's, and from when the reports it holds as pending are to be listed again.
 */
function withCommentsRead(o: Observation, record: AccessRecord): AccessRecord {
  const read = o.commentsRead ?? o.prior?.commentsRead;
  if (!read) return record;
  const { pendingSince: _old, ...base } = read;
  const pending = new Set(record.issuanceComments.filter((c) => c.pending).map((c) => c.comment));
  const times = o.comments.filter((c) => pending.has(c.id)).map((c) => c.updated_at);
  // Every pending report must be among the comments read, or the next event could miss it.
  const since = times.length === pending.size ? oldest(times) : undefined;
  return { ...record, commentsRead: { ...base, ...(since ? { pendingSince: since } : {}) } };
}

/**
 * Steps 6–9, once the record is assembled: (6) the periodic access review as of now and its
 * reminder, once per due date; (7) the token status list, indexes allocated before issuance and
 * the list published on a change, and the token workflow dispatched after a renewal; (8) the
 * expiry watch (src/app/renewal/plan.ts): the reminders a sweep owes and the request's entry in
 * the due-date index; (9) the views: status comment, labels and state, replies.
 */
function planAfterRecord(
  o: Observation,
  record: AccessRecord,
  newCommands: readonly CommandRecord[],
  refusals: Parameters<typeof planReplies>[0]["refusals"],
  refusedReports: ReadonlyArray<{ comment: number; reason: string }>,
): Plan {
  const { withObtained, pulls, log, removed, refused } = planObtained(o, record);
  const { reviewed, reminder } = planReview(o, keepInView(o, withObtained, refused));
  const { withList, statusList } = planStatusList(o, reviewed);
  const { dispatched, dispatch } = planDispatch(o, withList);
  const renewal = planRenewal(o, dispatched);
  const views = planViews(o, renewal.record, newCommands, refusals, refusedReports);
  const replies = [...views.replies, ...(reminder ? [reminder] : [])];
  // The key comments removed go with the duplicate status comments, after the record.
  const planned = {
    ...views,
    replies,
    statusList,
    dispatch,
    pulls,
    log: [...views.log, ...log],
    deletions: [...views.deletions, ...removed],
    expectedComments: views.expectedComments - removed.length,
  };
  return withRenewal(planned, renewal, o.issue, o.config);
}

/**
 * Option 2 (src/app/obtained/): the obtain workflow's new reports judged — an accepted one adds
 * its devices to `obtained` (facts, carried from version to version) and opens the pull request
 * that commits its certificates; a refused one is logged.
 */
function planObtained(
  o: Observation,
  record: AccessRecord,
): { withObtained: AccessRecord; pulls: PullToOpen[]; log: Plan["log"]; removed: number[]; refused: number[] } {
  const judged = judgeNewReports(o, record);
  const days = o.config.certificates.onBehalf?.keyCommentDays ?? DEFAULT_KEY_COMMENT_DAYS;
  // Judged with the removals recorded before, so a comment is removed (and recorded) once.
  const before = o.prior?.keysRemoved ?? [];
  const removals = keyCommentsToRemove({ ...judged.withObtained, keysRemoved: before }, days, o.observedAt);
  const keysRemoved = [...before, ...removals];
  const withObtained = keysRemoved.length ? { ...judged.withObtained, keysRemoved } : judged.withObtained;
  // Every removed key comment read still there goes (again, when an earlier deletion failed).
  // When only the comments changed since the record were read (`commentCount`), the ones removed
  // now go unread: a key comment is older than those (a comment already gone is no error).
  const read = new Set(o.comments.map((c) => c.id));
  const present = keysRemoved.map((r) => r.comment).filter((id) => read.has(id));
  const unread = o.commentCount === undefined ? [] : removals.map((r) => r.comment);
  return { ...judged, withObtained, removed: [...new Set([...present, ...unread])] };
}

/** The obtain workflow's new reports judged: `obtained` facts carried and extended, pull requests to open. */
function judgeNewReports(
  o: Observation,
  record: AccessRecord,
): { withObtained: AccessRecord; pulls: PullToOpen[]; log: Plan["log"]; refused: number[] } {
  const prior = o.prior?.obtained ?? [];
  const carried = prior.length ? { ...record, obtained: prior } : record;
  if (!o.obtained?.candidates.length) return { withObtained: carried, pulls: [], log: [], refused: [] };
  const judged = judgeObtained({
    ...o.obtained,
    prior: o.prior,
    closed: ["rejected", "ended"].includes(record.stage),
    expected: {
      repository: o.repository,
      issue: o.issue.number,
      workflowFile: o.config.certificates.onBehalf?.workflow ?? "obtain-certificates.yml",
      defaultBranch: o.defaultBranch,
      devices: record.request?.devices ?? [],
      pathPattern: o.config.certificates.pathPattern,
    },
  });
  const log = judged.refused.map((r) => ({
    level: "warn" as const,
    fields: { issue: o.issue.number, comment: r.comment },
    message: `obtained-certificates report refused: ${r.reason}`,
  }));
  const withObtained = judged.obtained.length ? { ...record, obtained: judged.obtained } : record;
  return { withObtained, pulls: judged.pulls, log, refused: judged.refused.map((r) => r.comment) };
}

/**
 * A refused obtain report is not recorded, so the horizon of the comments read stays before it:
 * the next event lists it again and judges it again, as every event did before issue 22 (one
 * refused for a passing reason — `tokens.jwks` not yet holding a rotated key — is accepted once
 * it holds it). Reading more than changed is always safe; what it costs is the listing from there.
 */
function keepInView(o: Observation, record: AccessRecord, refused: readonly number[]): AccessRecord {
  const read = record.commentsRead;
  if (!read || refused.length === 0) return record;
  const refusedAt = o.comments.filter((c) => refused.includes(c.id)).map((c) => c.updated_at);
  const through = oldest([read.through, ...refusedAt]) ?? read.through;
  return through === read.through ? record : { ...record, commentsRead: { ...read, through } };
}

/**
 * A certificate pull request merged for a live request is a renewal (issue 19): the devices it
 * renewed need tokens for their new certificates, so the app dispatches the token workflow for
 * the request (`tokens.autoDispatch`), once per pull request (`dispatches` in the record: a
 * redelivery, another instance or a later event dispatches nothing more). The environment's
 * reviewers still approve the run.
 */
function planDispatch(o: Observation, record: AccessRecord): { dispatched: AccessRecord; dispatch: Plan["dispatch"] } {
  const dispatches = o.prior?.dispatches ?? [];
  const kept = dispatches.length ? { ...record, dispatches } : record;
  const pr = o.pull?.state === "merged" && o.merged ? o.pull.number : null;
  // Live, or was and lost its last live token (every token revoked): a renewal either way.
  const wasLive = o.prior?.transitions.some((t) => t.to === "live") && !["ended", "rejected"].includes(o.prior.stage);
  const renewal = pr !== null && !!wasLive && devicesNeedingTokens(record).length > 0;
  if (!renewal || !o.config.tokens.autoDispatch || dispatches.some((d) => d.pr === pr))
    return { dispatched: kept, dispatch: null };
  return {
    dispatched: { ...kept, dispatches: [...dispatches, { pr, at: o.observedAt }].slice(-20) },
    dispatch: { workflow: o.config.tokens.workflow, ref: o.defaultBranch },
  };
}

/**
 * The record with its access review as of this observation (src/app/state/review.ts) and, the
 * first time a due date is reached, the reminder that mentions the reviewers: one new comment per
 * due date, recorded in `reviewReminders` so no instance or redelivery posts it twice.
 */
function planReview(o: Observation, record: AccessRecord): { reviewed: AccessRecord; reminder: string | null } {
  const review = reviewOf(record, o.config.access, o.observedAt);
  const reminders = o.prior?.reviewReminders ?? [];
  const base = {
    ...record,
    ...(review ? { review } : {}),
    ...(reminders.length ? { reviewReminders: reminders } : {}),
  };
  if (!review || review.state === "current" || reminders.some((r) => r.due === review.dueAt))
    return { reviewed: base, reminder: null };
  return {
    reviewed: { ...base, reviewReminders: [...reminders, { due: review.dueAt, at: o.observedAt }].slice(-20) },
    reminder: reviewReminder(o.config, review),
  };
}

/**
 * The record with its status list indexes allocated (src/app/issuance/status-list.ts), and the
 * list to publish when its statuses changed or it is past half its lifetime: the record notes
 * what it published, so every instance and event agrees on whether it must publish again.
 */
function planStatusList(
  o: Observation,
  record: AccessRecord,
): { withList: AccessRecord; statusList: Plan["statusList"] } {
  const allocated = { ...record, ...allocateStatusIndexes(record, o.prior, !!o.config.tokens.statusList) };
  const publish = statusListToPublish(
    { ...allocated, statusPublished: o.prior?.statusPublished },
    o.config,
    o.observedAt,
  );
  if (!publish) return { withList: withPublished(allocated, o.prior?.statusPublished), statusList: null };
  return {
    withList: withPublished(allocated, { sha256: publish.sha256, at: o.observedAt }),
    statusList: { uri: publish.uri, statuses: publish.statuses },
  };
}

function withPublished(record: AccessRecord, published: AccessRecord["statusPublished"]): AccessRecord {
  return published ? { ...record, statusPublished: published } : record;
}

/** What the record keeps from its prior version, else takes from what is observed now. */
function kept(o: Observation) {
  return {
    requester: o.prior?.requester ?? o.issue.user?.login ?? "ghost",
    // The issue's author is the requester, whatever their login is now; a record from before ids
    // were kept gets the id from the issue.
    requesterId: o.prior?.requesterId ?? o.issue.user?.id,
    issueUrl: o.prior?.issueUrl ?? o.issue.html_url,
    // A rebuilt record keeps what its rebuild started from (src/app/ledger/rebuild.ts).
    rebuilt: o.prior?.rebuilt ?? o.rebuildFacts ?? undefined,
  };
}

function planViews(
  o: Observation,
  assembled: AccessRecord,
  newCommands: readonly CommandRecord[],
  refusals: Parameters<typeof planReplies>[0]["refusals"],
  refusedReports: ReadonlyArray<{ comment: number; reason: string }>,
): Omit<Plan, "statusList" | "dispatch"> {
  // A rebuilt request has no prior stage: a rebuild never reopens its issue (src/app/ledger/rebuild.ts);
  // a reviewer's /unhold of the rebuild's hold does.
  const move =
    closeOrReopen(o.prior?.stage ?? null, assembled.stage, o.issue.state) ??
    resumeAfterRebuild(o.prior, assembled, o.issue.state) ??
    closeWhenSettled(o.prior, assembled, o.issue.state);
  const reclosed = move?.state === "closed" && (o.prior?.stage === "rejected" || o.prior?.stage === "ended");
  const record = reclosed
    ? { ...assembled, reclosed: [...assembled.reclosed, { at: o.issue.updated_at }].slice(-20) }
    : assembled;
  const body = renderStatusComment(record, o.config);
  const status: Plan["status"] = !o.status
    ? { kind: "create", body }
    : o.status.body !== body
      ? { kind: "update", id: o.status.id, body }
      : { kind: "keep" };
  const deletions = duplicateStatusComments(o);
  const forceLabels = o.forceLabels || newCommands.some((c) => c.name === "status");
  const current = o.issue.labels.map((l) => l.name);
  const labels = desiredLabels(current, record, o.config);
  const write = status.kind !== "keep" || forceLabels || !!move || !sameLabels(labels, current);
  // Replies, once per comment, for the lines first seen now — unless the record was unreadable
  // and is being rebuilt: then every old line looks new and was answered long ago.
  const replies = o.source.rebuilding
    ? []
    : [
        ...planReplies({
          record,
          fresh: newCommands,
          ignored: o.unseen.ignored,
          roles: o.reviewers,
          refusals,
          checklistItems: o.config.checklist,
        }),
        // The reviewer whose block came first is told; a run before any approval has no one to tell.
        ...newlyVoided(o.prior, record)
          .filter((v) => v.blockedBy.kind !== "not-approved")
          .map(voidedRunReply),
      ];
  const accepted = new Set(
    record.commands.filter((c) => c.outcome === "accepted" && newCommands.some((n) => n.comment === c.comment)),
  );
  return {
    record,
    ledger: ledgerWrite(o, record),
    status,
    deletions,
    acknowledge: o.source.rebuilding ? [] : [...new Set([...accepted].map((c) => c.comment))],
    issue: write ? { labels, ...(move ?? {}) } : null,
    replies,
    expectedComments: expectedCommentCount(
      o.commentCount ?? o.comments.length,
      status.kind === "create",
      deletions.length,
    ),
    forceLabels,
    log: refusedReports.map((r) => ({
      level: "warn" as const,
      fields: { issue: o.issue.number, comment: r.comment, reason: r.reason },
      message: "issuance comment refused",
    })),
  };
}

/**
 * The close/reopen rule: a request that reaches live is closed as completed, a rejected one as
 * not planned, when its stage changed with this event; a live request sent back to tokens (a
 * reissue) is reopened. A rejected request stays closed: reopened by hand, it is closed again
 * (and the record notes it). Nothing else moves the issue's state.
 */
export function closeOrReopen(
  priorStage: AccessRecord["stage"] | null,
  stage: AccessRecord["stage"],
  issueState: string,
): Pick<IssueChange, "state" | "stateReason"> | null {
  // Nothing reopens a rejected or ended request: a person who reopens one by hand sees it closed
  // again, as not planned (the timeline's mark a rebuild reads, src/app/ledger/rebuild.ts).
  if ((stage === "rejected" || stage === "ended") && issueState === "open")
    return { state: "closed", stateReason: "not_planned" };
  if (priorStage === stage) return null;
  if (issueState === "open" && stage === "live") return { state: "closed", stateReason: "completed" };
  if (issueState === "closed" && priorStage === "live" && stage !== "live" && stage !== "rejected" && stage !== "ended")
    return { state: "open", stateReason: "reopened" };
  return null;
}

/**
 * A closed issue held by its rebuild (`startAfterRebuild` in src/app/state/reduce.ts) is reopened
 * when a reviewer lifts that hold: the request waits for its reviewers again, in the open.
 */
export function resumeAfterRebuild(
  prior: AccessRecord | null,
  record: AccessRecord,
  issueState: string,
): Pick<IssueChange, "state" | "stateReason"> | null {
  const heldByRebuild = !!prior?.rebuilt && !!prior.hold && prior.hold.by === APP_ACTOR;
  if (!heldByRebuild || record.hold || issueState !== "closed") return null;
  if (record.stage === "live" || record.stage === "rejected" || record.stage === "ended") return null;
  return { state: "open", stateReason: "reopened" };
}

/**
 * A live request that owed something (a renewal due, a device waiting for its token) and now owes
 * nothing is closed again as completed: the expiry watch reopened it, and a live request stays
 * live through its renewal, so no stage change closes it (issue 19). Only on that change, so a
 * live issue a person reopens to talk stays open.
 */
export function closeWhenSettled(
  prior: AccessRecord | null,
  record: AccessRecord,
  issueState: string,
): Pick<IssueChange, "state" | "stateReason"> | null {
  if (issueState !== "open" || record.stage !== "live" || prior?.stage !== "live") return null;
  const owes = (r: AccessRecord) => renewalStates(r).length > 0 || devicesNeedingTokens(r).length > 0;
  return owes(prior) && !owes(record) ? { state: "closed", stateReason: "completed" } : null;
}

/**
 * How many comments the issue has after this plan's writes if no one else wrote meanwhile: the
 * ones listed, plus the status comment if it is created, less the duplicates deleted. (Replies
 * are posted after the PATCH whose response is compared with this.) More than that means another
 * writer may have written newer views first: observe and plan again.
 */
export function expectedCommentCount(listed: number, createsStatus: boolean, deleted: number): number {
  return listed + (createsStatus ? 1 : 0) - deleted;
}

/**
 * The ledger write: a new version when the record differs from the head's (compared as signed:
 * the schema's canonical JSON), or when the head is not the prior (a migration, a recovery after
 * tampering, a first record). Never a no-op version: each one is a commit an auditor reads.
 */
function ledgerWrite(o: Observation, record: AccessRecord): Plan["ledger"] {
  if (o.source.atHead && o.prior && significant(o.prior) === significant(record)) return null;
  const before = o.prior?.stage;
  const what = o.source.incident
    ? `${o.source.incident.kind} record`
    : before && before !== record.stage
      ? `${before} → ${record.stage}`
      : `updated (${record.stage})`;
  return { previous: o.source.headSha, message: `onerecord-access: request #${record.issue} ${what}` };
}

/**
 * The record as far as a new version is worth a commit: all of it but the comments without any
 * command line (`no-command`). Those are remembered only so they are not scanned again; a chat
 * comment alone writes no version (the next version that is written remembers it).
 */
function significant(record: AccessRecord): string {
  // `previous` names the version a record replaces: set when it is signed, it changes nothing decided.
  // `commentsRead` says how far the comments were read: bookkeeping, carried by the next version written.
  const { previous: _previous, commentsRead: _read, ...facts } = record;
  return canonicalRecord({ ...facts, ignored: record.ignored.filter((i) => i.reason !== "no-command") });
}

/** A tick or approval written before the form version in effect (see `CommandRecord.beforeForm`). */
function writtenBeforeForm(line: { name: string; at: string }, formWrittenAt: string | null): boolean {
  if (line.name !== "check" && line.name !== "approve-certification") return false;
  // Same second (GitHub's times have one-second resolution): it cannot be known to have seen it.
  return !!formWrittenAt && Date.parse(line.at) <= Date.parse(formWrittenAt);
}

/**
 * While the app cannot keep a signed record (`recordSetupProblem`), nothing advances: no record,
 * labels or replies; the status comment says why. A status comment still holding a v1 record is
 * left as it is, so that record can migrate once the key is configured.
 */
function planWithoutRecord(o: Observation, problem: string): Plan {
  const body = renderSetupNotice(problem);
  const legacy = o.status && holdsRecordBlock(o.status.body);
  const status: Plan["status"] = !o.status
    ? { kind: "create", body }
    : legacy || o.status.body === body
      ? { kind: "keep" }
      : { kind: "update", id: o.status.id, body };
  return {
    record: null,
    ledger: null,
    status,
    deletions: [],
    issue: null,
    replies: [],
    acknowledge: [],
    expectedComments: expectedCommentCount(o.commentCount ?? o.comments.length, status.kind === "create", 0),
    forceLabels: false,
    log: [{ level: "warn", fields: { issue: o.issue.number }, message: `no signed record can be kept: ${problem}` }],
    statusList: null,
    dispatch: null,
  };
}

/** Runs this event found to have completed after a block (each told once). */
function newlyVoided(prior: AccessRecord | null, record: AccessRecord): AccessRecord["voidedRuns"] {
  const known = new Set((prior?.voidedRuns ?? []).map(issuanceEventKey));
  return record.voidedRuns.filter((v) => !known.has(issuanceEventKey(v)));
}

function duplicateStatusComments(o: Observation): number[] {
  return o.comments.filter((c) => c.id !== o.status?.id && isStatusBody(c, o.botLogin)).map((c) => c.id);
}

/** The request in effect before this event: the recorded one, else the current valid form. */
/**
 * In a rebuild (the record could not be used), every comment already there with commands is
 * recorded as `rebuilt` and not replayed: what an old approval or tick approved can no longer be
 * known, so it must not bind to the current form. The comment that triggered this event was
 * written now, and runs.
 */
function rebuiltComments(o: Observation): Observation["unseen"] {
  const lines = o.unseen.lines.filter((l) => l.comment === o.triggerComment);
  const old = new Map<number, string>();
  for (const l of o.unseen.lines) if (l.comment !== o.triggerComment) old.set(l.comment, l.by);
  for (const i of o.unseen.ignored) if (i.reason !== "no-command") old.set(i.comment, i.by);
  const rebuilt = [...old].map(([comment, by]) => ({ comment, by, reason: "rebuilt" as const }));
  const chat = o.unseen.ignored.filter((i) => i.reason === "no-command");
  return { lines, ignored: [...rebuilt, ...chat].sort((a, b) => a.comment - b.comment) };
}

/** `certificatesNow` for an observation. */
function observedCertificates(o: Observation, request: RequestContent | null): ReturnType<typeof certificatesNow> {
  return certificatesNow(o.prior, o.pull, o.merged, request?.devices.length ?? 0, o.rebuilt);
}
