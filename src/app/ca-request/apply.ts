import { caRequestPath, signCaRequest } from "../../record/ca-request.js";
import type { SyncDeps } from "../deps.js";
import type { CaObservation, CaPlan, CaPullPlan } from "./types.js";

/**
 * The I/O of a CA request's plan. The pull request comes first (its number is recorded), then the
 * record (compare-and-swap: another writer first means the event observes again, before any
 * comment is posted), then the status comment, the replies and closing the issue.
 */

/**
 * Opens the plan's pull request, or finds the one the app opened on an earlier attempt (its
 * branch exists already). A branch of that name holding someone else's pull request is not taken
 * for the app's: null, and the status says the pull request waits.
 */
export async function openCaPull(deps: SyncDeps, pull: CaPullPlan): Promise<{ number: number; commit: string } | null> {
  const opened = await deps.io.openPull({ ...pull, base: deps.defaultBranch });
  if (opened !== null) return opened;
  const found = await deps.io.findPullByBranch(pull.branch);
  if (found && found.author === deps.botLogin) return { number: found.number, commit: found.head };
  deps.log.warn({ branch: pull.branch }, "the branch for the CA pull request exists and is not the app's");
  return null;
}

export async function applyCaPlan(deps: SyncDeps, o: CaObservation, plan: CaPlan): Promise<{ raced: boolean }> {
  const issue = o.issue.number;
  if (plan.record) {
    if (!deps.recordKey.ok) return { raced: false };
    const text = await signCaRequest(plan.record, deps.recordKey.key);
    const written = await deps.ledger.writeFile(
      caRequestPath(issue),
      text,
      o.previousSha,
      `CA request #${issue}: ${plan.record.stage}`,
    );
    if (!written.ok) return { raced: true };
  }
  if (!o.status) await deps.io.createComment(issue, plan.status);
  else if (o.status.body !== plan.status) await deps.io.updateComment(o.status.id, plan.status);
  for (const reply of plan.replies) await deps.io.createComment(issue, reply);
  if (plan.closePull !== null) await deps.io.closePull(plan.closePull);
  if (plan.close)
    await deps.io.updateIssue(issue, { labels: o.issue.labels, state: "closed", stateReason: plan.close });
  return { raced: false };
}
