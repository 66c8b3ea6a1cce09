import type { SyncDeps } from "./deps.js";
import type { GitHubIO, IssueData } from "./github/rest.js";
import { labelsToFix, managedLabels } from "./labels/view.js";
import type { IssueChange, Plan } from "./plan.js";

/**
 * Step 3 of a sync: the plan written to GitHub — the status comment, duplicate deletions, the
 * labels and open/closed state in one PATCH, the managed labels' colours, the replies. I/O only.
 *
 * Several app instances may sync one issue at once. GitHub's writes are not conditional, so a
 * concurrent writer is detected after the fact: the comment count the PATCH returns tells
 * whether a comment appeared since the listing (`Plan.expectedComments`); then the caller
 * observes and plans again. Whoever writes last has read everything older than its write.
 */
export interface Applied {
  raced: boolean;
  wroteComment: boolean;
  wroteIssue: boolean;
  replies: number;
  /** The issue as the PATCH returned it, when there was one. */
  issue: IssueData | null;
}

export async function apply(deps: SyncDeps, issue: IssueData, plan: Plan): Promise<Applied> {
  const { io } = deps;
  for (const entry of plan.log) deps.log.warn(entry.fields, entry.message);
  if (plan.status.kind === "create") await io.createComment(issue.number, plan.status.body);
  else if (plan.status.kind === "update") await io.updateComment(plan.status.id, plan.status.body);
  for (const id of plan.deletions) await io.deleteComment(id);
  let updated: IssueData | null = null;
  if (plan.issue) {
    updated = await writeIssue(deps, issue.number, plan.issue);
    for (const fix of labelsToFix(updated.labels, deps.config)) await upsertLabel(io, fix);
  }
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
