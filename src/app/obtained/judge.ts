import type { ObtainedBlock } from "../../record/obtained-comment.js";
import { runPath, tokenWorkflowPath } from "../../record/token-workflow.js";
import { deviceKey } from "../../request/device-id.js";
import type { RunFacts } from "../issuance/judge.js";

/**
 * Whether an obtain workflow report is what it claims (option 2; docs/option-2.md), pure. The
 * proof (signed with the token key, which only the protected environment holds) is checked
 * before; this checks the run it names — the configured obtain workflow, dispatched by hand on
 * the default branch of this repository, for this request, at the commit it says — and that
 * every certificate is for a device of the request, at that device's path. Unlike a token report,
 * it does not wait for the run to succeed: the run fails when some device could not be obtained,
 * and the ones reported were obtained and judged all the same.
 */

export interface ObtainedExpectations {
  repository: string;
  issue: number;
  /** `certificates.onBehalf.workflow` (a file name under .github/workflows). */
  workflowFile: string;
  defaultBranch: string;
  devices: readonly string[];
  pathPattern: string;
}

export type ObtainedJudgement = { verdict: "accepted" } | { verdict: "refused"; reason: string };

/** The obtain workflow's `run-name` (.github/workflows/obtain-certificates.yml). */
export function obtainRunTitle(request: number): string {
  return `Obtain certificates for request #${request}`;
}

export function judgeObtainedReport(
  block: ObtainedBlock,
  run: RunFacts | null,
  expected: ObtainedExpectations,
): ObtainedJudgement {
  const workflow = tokenWorkflowPath(expected.workflowFile);
  const name = `run ${block.runId} (attempt ${block.runAttempt})`;
  if (block.repository.toLowerCase() !== expected.repository.toLowerCase())
    return refuse(`it names repository ${block.repository}`);
  if (block.request !== expected.issue) return refuse(`it is for request #${block.request}`);
  if (block.workflow !== workflow) return refuse(`it names workflow ${block.workflow}, not ${workflow}`);
  if (!run) return refuse(`${name} does not exist in this repository`);
  if (run.repository.full_name.toLowerCase() !== expected.repository.toLowerCase())
    return refuse(`${name} belongs to ${run.repository.full_name}`);
  if (runPath(run.path, expected.repository) !== workflow) return refuse(`${name} is of ${run.path}, not ${workflow}`);
  if (run.head_branch !== expected.defaultBranch || block.ref !== `refs/heads/${expected.defaultBranch}`)
    return refuse(`${name} did not run on the default branch ${expected.defaultBranch}`);
  if (run.event !== "workflow_dispatch") return refuse(`${name} was started by ${run.event}, not workflow_dispatch`);
  if (run.display_title !== obtainRunTitle(expected.issue))
    return refuse(`${name} is not titled "${obtainRunTitle(expected.issue)}"`);
  if (run.head_sha !== block.sha) return refuse(`${name} ran at another commit than the report says`);
  const devices = new Set(expected.devices.map(deviceKey));
  for (const entry of block.obtained) {
    if (!devices.has(deviceKey(entry.device)))
      return refuse(`it reports ${entry.device}, not a device of this request`);
    const path = expected.pathPattern.replace("{request}", String(expected.issue)).replace("{device}", entry.device);
    if (entry.path !== path) return refuse(`it puts ${entry.device}'s certificate at ${entry.path}, not ${path}`);
  }
  return { verdict: "accepted" };
}

function refuse(reason: string): ObtainedJudgement {
  return { verdict: "refused", reason };
}
