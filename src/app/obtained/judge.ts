import type { ObtainedBlock } from "../../record/obtained-comment.js";
import { tokenWorkflowPath } from "../../record/token-workflow.js";
import { runIdentityProblem } from "../issuance/run-identity.js";
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
  const problem = runIdentityProblem({ ...block }, run, {
    repository: expected.repository,
    issue: expected.issue,
    workflow: tokenWorkflowPath(expected.workflowFile),
    what: "the obtain workflow",
    defaultBranch: expected.defaultBranch,
    title: obtainRunTitle(expected.issue),
  });
  if (problem) return refuse(problem);
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
