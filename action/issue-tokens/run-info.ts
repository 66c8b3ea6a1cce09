import { existsSync, readFileSync } from "node:fs";
import { workflowPathOfRef } from "../../src/record/token-workflow.js";

/**
 * What the runner says about this run, as the issuance comment records it and as the decision
 * checks it (manual dispatch, default branch, the configured workflow file). Missing values stay
 * empty: the decision refuses them rather than guessing.
 */
export interface RunInfo {
  eventName: string;
  /** GITHUB_REF, e.g. refs/heads/main. */
  ref: string;
  /** GITHUB_REF_TYPE: `branch` or `tag` (a tag may be named like the default branch). */
  refType: string;
  /** The repository's default branch, from the event payload. */
  defaultBranch: string;
  sha: string;
  /** The workflow file that runs, e.g. .github/workflows/issue-tokens.yml (from GITHUB_WORKFLOW_REF). */
  workflowPath: string;
  runId: number;
  runAttempt: number;
  runUrl: string;
}

export function readRunInfo(env: NodeJS.ProcessEnv, repository: string): RunInfo {
  const serverUrl = (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "");
  const runId = positive(env.GITHUB_RUN_ID);
  const runAttempt = positive(env.GITHUB_RUN_ATTEMPT) || 1;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? "",
    ref: env.GITHUB_REF ?? "",
    refType: env.GITHUB_REF_TYPE ?? "",
    defaultBranch: defaultBranchOf(env.GITHUB_EVENT_PATH),
    sha: env.GITHUB_SHA ?? "",
    workflowPath: workflowPathOfRef(env.GITHUB_WORKFLOW_REF ?? "", repository),
    runId,
    runAttempt,
    runUrl:
      runId > 0
        ? `${serverUrl}/${repository}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ""}`
        : "",
  };
}

function positive(value: string | undefined): number {
  return value && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : 0;
}

function defaultBranchOf(eventPath: string | undefined): string {
  if (!eventPath || !existsSync(eventPath)) return "";
  try {
    const payload = JSON.parse(readFileSync(eventPath, "utf8")) as { repository?: { default_branch?: unknown } };
    const branch = payload.repository?.default_branch;
    return typeof branch === "string" ? branch : "";
  } catch {
    return "";
  }
}
