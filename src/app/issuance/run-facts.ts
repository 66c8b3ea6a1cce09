/**
 * The fields of one workflow run attempt
 * (GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}) the app checks.
 */
export interface RunFacts {
  path: string;
  head_branch: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  run_attempt?: number | undefined;
  /** The run's title: the token workflow's `run-name`, `Issue tokens for request #N`. */
  display_title: string;
  head_sha: string;
  repository: { full_name: string };
  /** When the attempt last changed: once completed, when it completed (the issuance's effect time). */
  updated_at: string;
  /**
   * Who started this attempt (`triggering_actor`, else the run's `actor`): the maintainer the
   * audit trail names for the tokens, not the github-actions[bot] account that posts them.
   */
  actor?: string | undefined;
}
