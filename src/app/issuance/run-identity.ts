import { runPath } from "../../record/token-workflow.js";
import type { RunFacts } from "./run-facts.js";

/**
 * Whether the run a workflow's report names is that report's (pure): the attempt it names, of the
 * configured workflow file, dispatched by hand on the default branch of this repository, titled
 * for this request, at the commit the report says. Any workflow of the repository can post as
 * github-actions[bot]: the run is checked through the API, and without the title and commit a
 * report could borrow a genuine run of another request. Shared by the token workflow's issuance
 * reports and option 2's obtain reports.
 */

export interface RunClaim {
  repository: string;
  request: number;
  workflow: string;
  runId: number;
  runAttempt: number;
  ref: string;
  sha: string;
}

export interface RunExpectation {
  repository: string;
  issue: number;
  /** The workflow's path (`.github/workflows/<file>`). */
  workflow: string;
  /** What messages call it ("the token workflow"). */
  what: string;
  defaultBranch: string;
  /** The run's expected `display_title` (the workflow's `run-name` for this request). */
  title: string;
}

/** Why the run is not the report's, or null. */
export function runIdentityProblem(claim: RunClaim, run: RunFacts | null, expected: RunExpectation): string | null {
  const { workflow } = expected;
  const name = `run ${claim.runId} (attempt ${claim.runAttempt})`;
  if (claim.repository.toLowerCase() !== expected.repository.toLowerCase())
    return `it names repository ${claim.repository}`;
  if (claim.request !== expected.issue) return `it is for request #${claim.request}`;
  if (claim.workflow !== workflow) return `it names workflow ${claim.workflow}, not ${workflow}`;
  if (!run) return `${name} does not exist in this repository`;
  if (run.repository.full_name.toLowerCase() !== expected.repository.toLowerCase())
    return `${name} belongs to ${run.repository.full_name}`;
  if (runPath(run.path, expected.repository) !== workflow)
    return `${name} is of ${run.path}, not ${expected.what} ${workflow}`;
  if (run.head_branch !== expected.defaultBranch || claim.ref !== `refs/heads/${expected.defaultBranch}`)
    return `${name} did not run on the default branch ${expected.defaultBranch}`;
  if (run.event !== "workflow_dispatch") return `${name} was started by ${run.event}, not workflow_dispatch`;
  if (run.run_attempt !== undefined && run.run_attempt !== claim.runAttempt)
    return `GitHub reports attempt ${run.run_attempt} for ${name}`;
  if (run.display_title !== expected.title)
    return `${name} is titled "${run.display_title.slice(0, 80)}", not "${expected.title}"`;
  if (run.head_sha !== claim.sha)
    return `${name} ran at commit ${run.head_sha.slice(0, 12)}, not ${claim.sha.slice(0, 12)} as the report says`;
  return null;
}
