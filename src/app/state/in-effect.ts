import type { AccessConfig } from "../../config/schema.js";
import type { AccessRecord, CertificateRecord, PullRequestRecord, RequestContent } from "../../record/schema.js";
import type { FormResult } from "../intake/parse.js";
import type { IssuanceExpectations } from "../issuance/judge.js";
import { replaceCertificates, upsertPullRequest } from "./assemble.js";

/**
 * What is in effect for a request, as both the observation (to know what to read) and the plan (to
 * decide) need it: the request, its certificates after this event's pull request, what an issuance
 * report must match. Pure; below both, so neither imports the other.
 */

export function requestInEffect(prior: AccessRecord | null, form: FormResult): RequestContent | null {
  return prior?.request ?? (form.recognized && form.valid ? form.request : null);
}

/**
 * The pull requests and certificates after this event's PR (if any) is taken in: over the prior
 * record's, or in a rebuild over the merges observed again (`Observation.rebuilt`), which `reduce`
 * then replays as merges like any other.
 */
export function certificatesNow(
  prior: AccessRecord | null,
  pull: PullRequestRecord | null,
  merged: readonly CertificateRecord[] | null,
  deviceCount: number,
  rebuilt: Pick<AccessRecord, "pullRequests" | "certificates"> | null = null,
): { pullRequests: PullRequestRecord[]; certificates: CertificateRecord[] } {
  // A rebuild's merges stand in for a prior that has none (`rejudgeNeeded`).
  const base = rebuilt ?? prior;
  let pullRequests = base?.pullRequests ?? [];
  let certificates = base?.certificates ?? [];
  if (pull) {
    pullRequests = upsertPullRequest(pullRequests, pull);
    if (merged) certificates = replaceCertificates(certificates, pull.number, merged, deviceCount);
  }
  return { pullRequests, certificates };
}

export function issuanceExpectations(
  config: AccessConfig,
  repository: string,
  issue: number,
  defaultBranch: string,
): IssuanceExpectations {
  return { repository, issue, workflowFile: config.tokens.workflow, defaultBranch };
}
