import type { IssuanceBlock } from "../../record/issuance-comment.js";

/** The fields of a workflow run (GET /repos/{owner}/{repo}/actions/runs/{run_id}) the app checks. */
export interface RunFacts {
  path: string;
  head_branch: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  run_attempt?: number | undefined;
  repository: { full_name: string };
}

export interface IssuanceExpectations {
  repository: string;
  issue: number;
  /** `tokens.workflow` from the config (a file name under .github/workflows). */
  workflowFile: string;
  defaultBranch: string;
}

export type Judgement = { ok: true } | { ok: false; reason: string };

/**
 * Whether an issuance comment posted as `github-actions[bot]` is what it claims: a run of the
 * configured token workflow, dispatched on the default branch of this repository, for this
 * request, that has not failed. Any workflow of the repository can post as that account, so the
 * run it names is checked through the API. A run still in progress is accepted: the workflow
 * posts the comment from inside the run, before the run can report success.
 */
export function judgeIssuanceRun(block: IssuanceBlock, run: RunFacts | null, expected: IssuanceExpectations): Judgement {
  const workflow = `.github/workflows/${expected.workflowFile}`;
  if (block.repository.toLowerCase() !== expected.repository.toLowerCase()) return refuse(`it names repository ${block.repository}`);
  if (block.request !== expected.issue) return refuse(`it is for request #${block.request}`);
  if (block.workflow !== workflow) return refuse(`it names workflow ${block.workflow}, not ${workflow}`);
  if (!run) return refuse(`workflow run ${block.runId} does not exist in this repository`);
  if (run.repository.full_name.toLowerCase() !== expected.repository.toLowerCase()) return refuse(`run ${block.runId} belongs to ${run.repository.full_name}`);
  if (runPath(run.path, expected.repository) !== workflow) return refuse(`run ${block.runId} is of ${run.path}, not the token workflow ${workflow}`);
  if (run.head_branch !== expected.defaultBranch || block.ref !== `refs/heads/${expected.defaultBranch}`) return refuse(`run ${block.runId} did not run on the default branch ${expected.defaultBranch}`);
  if (run.event !== "workflow_dispatch") return refuse(`run ${block.runId} was started by ${run.event}, not workflow_dispatch`);
  if (run.run_attempt !== undefined && run.run_attempt !== block.runAttempt) return refuse(`run ${block.runId} is at attempt ${run.run_attempt}, the comment names attempt ${block.runAttempt}`);
  if (run.status === "completed" && run.conclusion !== "success") return refuse(`run ${block.runId} ended with ${run.conclusion ?? "no conclusion"}`);
  return { ok: true };
}

/** `.github/workflows/x.yml`, also from the `owner/repo/.github/workflows/x.yml@ref` spelling. */
function runPath(path: string, repository: string): string {
  const withoutRef = path.replace(/@[^@]*$/, "");
  const prefix = `${repository}/`;
  return withoutRef.toLowerCase().startsWith(prefix.toLowerCase()) ? withoutRef.slice(prefix.length) : withoutRef;
}

function refuse(reason: string): Judgement {
  return { ok: false, reason };
}
