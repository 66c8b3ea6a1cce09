import type { IssuanceBlock } from "../../record/issuance-comment.js";
import type { CertificateRecord } from "../../record/schema.js";
import { thumbprintFromFingerprint } from "../../record/tokens.js";
import { deviceKey } from "../../request/device-id.js";
import { tokenRunTitle, tokenWorkflowPath } from "../../record/token-workflow.js";
import type { RunFacts } from "./run-facts.js";
import { runIdentityProblem } from "./run-identity.js";

export type { RunFacts } from "./run-facts.js";

export interface IssuanceExpectations {
  repository: string;
  issue: number;
  /** `tokens.workflow` from the config (a file name under .github/workflows). */
  workflowFile: string;
  defaultBranch: string;
}

/**
 * `pending`: everything checks out but the run has not completed, so it has not succeeded yet —
 * judged again on a later event (the run's `workflow_run.completed` above all). `accepted` and
 * `refused` are final: a completed attempt never changes, and neither does which workflow, branch
 * and event a run belongs to.
 */
export type Judgement =
  { verdict: "accepted" } | { verdict: "pending"; reason: string } | { verdict: "refused"; reason: string };

/**
 * Whether an issuance comment posted as `TOKEN_WORKFLOW_BOT` is what it claims: the attempt it
 * names, of the configured token workflow, dispatched on the default branch of this repository,
 * for this request, completed with success (docs/token-workflow.md, "How the app accepts it"). Any workflow of the repository can post as
 * that account, so the run is checked through the API. The workflow posts the comment from inside
 * the run, so a fresh comment normally names a run still in progress: pending, not accepted.
 */
export function judgeIssuanceRun(
  block: IssuanceBlock,
  run: RunFacts | null,
  expected: IssuanceExpectations,
): Judgement {
  const name = `run ${block.runId} (attempt ${block.runAttempt})`;
  const problem = runIdentityProblem({ ...block }, run, {
    repository: expected.repository,
    issue: expected.issue,
    workflow: tokenWorkflowPath(expected.workflowFile),
    what: "the token workflow",
    defaultBranch: expected.defaultBranch,
    title: tokenRunTitle(expected.issue),
  });
  if (problem || !run) return refuse(problem ?? `${name} does not exist in this repository`);
  if (run.status !== "completed")
    return {
      verdict: "pending",
      reason: `${name} is ${run.status ?? "not completed"}: its tokens count once it has completed successfully`,
    };
  if (run.conclusion !== "success") return refuse(`${name} ended with ${run.conclusion ?? "no conclusion"}`);
  return { verdict: "accepted" };
}

/**
 * Whether every token a block reports is for a device of the approved request and bound to a
 * certificate the app recorded as valid for that device. The token workflow issues only from
 * those, so anything else means the block was not written by it (or by a broken one). Any valid
 * certificate the device ever had counts, not only the current one: a certificate merged while the
 * run was in progress makes its tokens stale, not forged — they simply do not count as current
 * (`hasCurrentToken`). Pure; a refusal is final like the run checks.
 */
export function judgeIssuedEntries(
  block: IssuanceBlock,
  devices: readonly string[],
  certificates: readonly CertificateRecord[],
): Judgement {
  const requested = new Set(devices.map(deviceKey));
  const thumbprints = new Map<string, Set<string>>();
  for (const c of certificates) {
    if (c.verdict !== "valid" || !c.fingerprintSha256) continue;
    const key = deviceKey(c.device);
    thumbprints.set(key, (thumbprints.get(key) ?? new Set()).add(thumbprintFromFingerprint(c.fingerprintSha256)));
  }
  for (const t of block.issued) {
    const key = deviceKey(t.device);
    if (!requested.has(key)) return refuse(`it reports a token for ${t.device}, which is not a device of this request`);
    if (!thumbprints.get(key)?.has(t.x5tS256))
      return refuse(
        `it reports a token for ${t.device} bound to a certificate the app never recorded as valid for that device`,
      );
  }
  return { verdict: "accepted" };
}

function refuse(reason: string): Judgement {
  return { verdict: "refused", reason };
}
