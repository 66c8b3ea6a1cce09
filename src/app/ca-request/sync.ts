import type { SyncDeps, Trigger } from "../deps.js";
import type { IssueData } from "../github/rest.js";
import { applyCaPlan, openCaPull } from "./apply.js";
import { observeCaRequest } from "./observe.js";
import { planCaRequest } from "./plan.js";

/** Rounds when another writer changed the record first (as for production-access requests). */
const MAX_ROUNDS = 5;

/**
 * One CA request brought up to date: observe once, plan (pure), open the pull request when the
 * plan says so and plan again knowing its number, apply. Another writer first: observe again.
 */
export async function syncCaRequest(
  deps: SyncDeps,
  issue: IssueData,
  trigger: Trigger,
  pullHead?: string,
): Promise<boolean> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const observed = await observeCaRequest(deps, issue, trigger, pullHead);
    if (!observed) return false;
    let plan = planCaRequest(observed);
    if (plan.pull) {
      const opened = await openCaPull(deps, plan.pull);
      const branch = plan.pull.branch;
      plan = planCaRequest(
        opened !== null
          ? { ...observed, opened: { ...opened, branch } }
          : {
              ...observed,
              pullProblem: `the branch ${branch} exists and holds no pull request the app opened: a maintainer deletes it, then anyone runs /status`,
            },
      );
    }
    const applied = await applyCaPlan(deps, observed, plan);
    if (!applied.raced) return true;
    deps.log.info({ issue: issue.number, round }, "another writer changed the CA request record: recomputing");
  }
  return true;
}
