import { ledgerFileText } from "../record/ledger-file.js";
import { signRecord } from "../record/signature.js";
import type { RecordSigningKey } from "../record/record-signing-key.js";
import { signStatusList } from "../tokens/status-list-sign.js";
import type { SyncDeps } from "./deps.js";
import type { GitHubIO, IssueData } from "./github/rest.js";
import { labelsToFix, managedLabels } from "./labels/view.js";
import { writeDueEntries } from "./renewal/index-io.js";
import type { PullToOpen } from "./obtained/reports.js";
import type { IssueChange, Plan } from "./plan.js";

/**
 * Step 3 of a sync: the plan written to GitHub — first the record, signed, to the ledger; then
 * its views: the status comment, duplicate deletions, the labels and open/closed state in one
 * PATCH, the managed labels' colours, the replies, the reactions. I/O (and the signature) only.
 *
 * Several app instances may sync one issue at once. The ledger write is a compare-and-swap on
 * the version observed: when another instance wrote first, nothing else is written and the
 * caller observes and plans again (`raced`), so no update is lost and no view shows a record
 * that was not kept. The views have no conditional writes on GitHub; as before the ledger, the
 * comment count the PATCH returns tells whether a comment (another event, so possibly another
 * instance's newer views) appeared since the listing (`Plan.expectedComments`): then the caller
 * observes and plans again too. A view written from an older record otherwise is repaired by
 * the next event.
 */
export interface Applied {
  raced: boolean;
  wroteComment: boolean;
  wroteIssue: boolean;
  replies: number;
  /** The issue as the PATCH returned it, when there was one. */
  issue: IssueData | null;
}

/** Signs the request's token status list with the record key and writes it to the ledger branch. */
async function publishStatusList(
  deps: SyncDeps,
  issue: number,
  list: NonNullable<Plan["statusList"]>,
  key: RecordSigningKey,
): Promise<void> {
  const settings = deps.config.tokens.statusList!;
  const jwt = await signStatusList(
    {
      uri: list.uri,
      statuses: list.statuses,
      ttlSeconds: settings.ttlSeconds,
      lifetimeSeconds: settings.lifetimeDays * 86_400,
    },
    key,
  );
  await deps.ledger.publishStatusList(issue, jwt);
}

/**
 * The token workflow, dispatched after the record that notes it was written (only the instance
 * whose compare-and-swap won gets here). A refusal (the permission not granted yet, the workflow
 * file missing) is logged, not retried: a maintainer can still dispatch the run by hand.
 */
export async function dispatchTokenRun(
  deps: SyncDeps,
  issue: number,
  dispatch: NonNullable<Plan["dispatch"]>,
): Promise<void> {
  try {
    await deps.io.dispatchTokenWorkflow(dispatch.workflow, dispatch.ref, issue);
    deps.log.info({ issue, workflow: dispatch.workflow }, "token workflow dispatched for a renewal");
  } catch (error) {
    deps.log.warn(
      { issue, workflow: dispatch.workflow, status: (error as { status?: number }).status },
      "could not dispatch the token workflow",
    );
  }
}

export async function apply(deps: SyncDeps, issue: IssueData, plan: Plan): Promise<Applied> {
  if (!(await applyLedger(deps, issue, plan)))
    return { raced: true, wroteComment: false, wroteIssue: false, replies: 0, issue: null };
  return applyViews(deps, issue, plan);
}

/**
 * The plan's ledger part: the due-date index when it moves earlier, the token status list, the
 * signed record (compare-and-swap), the index when it moves later. False: another writer won the
 * record's compare-and-swap, and nothing of the views may be written.
 */
export async function applyLedger(deps: SyncDeps, issue: IssueData, plan: Plan): Promise<boolean> {
  for (const entry of plan.log) deps.log.warn(entry.fields, entry.message);
  // The due-date index, when the request's entry moves earlier: before its record (src/app/renewal/plan.ts).
  if (plan.dueIndex?.order === "before") await writeDueIndex(deps, issue.number, plan.dueIndex.next);
  if (plan.ledger && plan.record) {
    if (!deps.recordKey.ok) throw new Error("a ledger write was planned without a record key");
    // The status list first: a revocation is public before the record that says it is (a failed
    // publication fails the event before anything is recorded, so the next event tries again).
    if (plan.statusList) await publishStatusList(deps, issue.number, plan.statusList, deps.recordKey.key);
    // The version names the one it replaces (the blob the compare-and-swap expects): the chain.
    const chained = { ...plan.record, previous: plan.ledger.previous };
    const text = ledgerFileText(await signRecord(chained, deps.recordKey.key));
    const written = await deps.ledger.write(issue.number, text, plan.ledger.previous, plan.ledger.message);
    if (!written.ok) {
      deps.heads.forget({ at: deps.ledger.at, issue: issue.number });
      return false;
    }
    deps.heads.remember({ at: deps.ledger.at, issue: issue.number }, written.commit, { text, sha: written.sha });
  }
  if (plan.dueIndex?.order === "after") await writeDueIndex(deps, issue.number, plan.dueIndex.next);
  return true;
}

/** The plan's views, once its record is kept: the status comment, the issue, the dispatch, the replies. */
export async function applyViews(deps: SyncDeps, issue: IssueData, plan: Plan): Promise<Applied> {
  const { io } = deps;
  if (plan.status.kind === "create") await io.createComment(issue.number, plan.status.body);
  else if (plan.status.kind === "update") await io.updateComment(plan.status.id, plan.status.body);
  for (const id of plan.deletions) await io.deleteComment(id);
  const updated = plan.issue ? await applyIssueChange(deps, issue.number, plan.issue) : null;
  if (plan.dispatch) await dispatchTokenRun(deps, issue.number, plan.dispatch);
  for (const pull of plan.pulls ?? []) await openObtainedPull(deps, issue.number, pull);
  for (const text of plan.replies) await io.createComment(issue.number, text);
  for (const comment of plan.acknowledge) await io.reactToComment(comment, "+1");
  return {
    raced: !!updated && updated.comments > plan.expectedComments,
    wroteComment: plan.status.kind !== "keep",
    wroteIssue: !!updated,
    replies: plan.replies.length,
    issue: updated,
  };
}

/** One request's entry in the due-date index, written by compare-and-swap (src/app/renewal/index-io.ts). */
async function writeDueIndex(deps: SyncDeps, issue: number, next: string | null): Promise<void> {
  if (!deps.recordKey.ok) return;
  const repository = `${deps.io.repo.owner}/${deps.io.repo.repo}`;
  const index = { ledger: deps.ledger, jwks: deps.config.records.jwks, repository, log: deps.log };
  await writeDueEntries(index, deps.recordKey.key, new Map([[issue, next]]));
}

/**
 * Option 2: the pull request committing certificates OneRecord obtained, opened after the record
 * that accepted their report was written. A failure is logged: the record holds the report, and
 * a maintainer can open the pull request from the report's chains by hand (docs/option-2.md).
 */
async function openObtainedPull(deps: SyncDeps, issue: number, pull: PullToOpen): Promise<void> {
  try {
    const opened = await deps.io.openPull({ ...pull, base: deps.defaultBranch });
    deps.log.info(
      { issue, pull: opened?.number ?? null, branch: pull.branch },
      opened
        ? "opened the obtained certificates' pull request"
        : "the obtained certificates' pull request exists already",
    );
  } catch (error) {
    deps.log.error(
      { issue, branch: pull.branch, status: (error as { status?: number }).status },
      "could not open the obtained certificates' pull request",
    );
  }
}

/** The issue's labels and state in one PATCH, then the managed labels' colours; the issue as GitHub answers it. */
export async function applyIssueChange(deps: SyncDeps, issue: number, change: IssueChange): Promise<IssueData> {
  const updated = await writeIssue(deps, issue, change);
  for (const fix of labelsToFix(updated.labels, deps.config)) await upsertLabel(deps.io, fix);
  return updated;
}

async function writeIssue(deps: SyncDeps, issue: number, change: IssueChange): Promise<IssueData> {
  try {
    return await deps.io.updateIssue(issue, change);
  } catch (error) {
    // GitHub creates unknown labels when they are applied; should it refuse instead, create the
    // managed ones first and try once more.
    if ((error as { status?: number }).status !== 422) throw error;
    const wanted = new Set(change.labels.map((l) => l.toLowerCase()));
    for (const spec of managedLabels(deps.config))
      if (wanted.has(spec.name.toLowerCase())) await createLabelIfMissing(deps.io, spec);
    return deps.io.updateIssue(issue, change);
  }
}

type LabelWrite = { name: string; color: string; description?: string | undefined };

async function upsertLabel(io: GitHubIO, spec: LabelWrite): Promise<void> {
  try {
    await io.updateLabel(spec);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    await createLabelIfMissing(io, spec);
  }
}

async function createLabelIfMissing(io: GitHubIO, spec: LabelWrite): Promise<void> {
  try {
    await io.createLabel(spec);
  } catch (error) {
    if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
  }
}
