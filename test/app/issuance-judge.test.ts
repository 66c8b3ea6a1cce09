import { describe, expect, it } from "vitest";
import { requestOfTokenRun } from "../../src/app/handlers/workflow-runs.js";
import { judgeIssuanceRun, type RunFacts } from "../../src/app/issuance/judge.js";
import type { IssuanceBlock } from "../../src/record/issuance-comment.js";

const expected = { repository: "acme/access-requests", issue: 7, workflowFile: "issue-tokens.yml", defaultBranch: "main" };
const block = {
  version: 1,
  repository: "acme/access-requests",
  request: 7,
  runId: 41,
  runAttempt: 2,
  runUrl: "https://github.com/acme/access-requests/actions/runs/41/attempts/2",
  workflow: ".github/workflows/issue-tokens.yml",
  ref: "refs/heads/main",
  sha: "b".repeat(40),
  issuedAt: "2026-06-01T00:00:00Z",
  part: 1,
  parts: 1,
  issued: [],
} as unknown as IssuanceBlock;
const run = (over: Partial<RunFacts> = {}): RunFacts => ({ path: ".github/workflows/issue-tokens.yml", head_branch: "main", event: "workflow_dispatch", status: "completed", conclusion: "success", run_attempt: 2, repository: { full_name: "acme/access-requests" }, ...over });

describe("judging the run an issuance comment names", () => {
  it("accepts only a completed, successful attempt of the token workflow; a running one is pending", () => {
    expect(judgeIssuanceRun(block, run(), expected)).toEqual({ verdict: "accepted" });
    expect(judgeIssuanceRun(block, run({ path: "acme/access-requests/.github/workflows/issue-tokens.yml@refs/heads/main" }), expected)).toEqual({ verdict: "accepted" });
    for (const status of ["queued", "in_progress", "waiting", "requested", null]) {
      expect(judgeIssuanceRun(block, run({ status, conclusion: null }), expected)).toMatchObject({ verdict: "pending" });
    }
    for (const conclusion of ["failure", "cancelled", "timed_out", "skipped", "action_required", null]) {
      expect(judgeIssuanceRun(block, run({ conclusion }), expected)).toEqual({ verdict: "refused", reason: `run 41 (attempt 2) ended with ${conclusion ?? "no conclusion"}` });
    }
  });

  it("refuses at once, even while the run is in progress, what no completion can fix", () => {
    const running = { status: "in_progress", conclusion: null };
    expect(judgeIssuanceRun(block, run({ ...running, path: ".github/workflows/ci.yml" }), expected)).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/not the token workflow/) });
    expect(judgeIssuanceRun(block, run({ ...running, head_branch: "release" }), expected)).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/default branch main/) });
    expect(judgeIssuanceRun(block, run({ ...running, event: "push" }), expected)).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/started by push/) });
    expect(judgeIssuanceRun(block, run({ ...running, run_attempt: 3 }), expected)).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/attempt 3/) });
    expect(judgeIssuanceRun(block, run({ ...running, repository: { full_name: "evil/fork" } }), expected)).toMatchObject({ verdict: "refused" });
    expect(judgeIssuanceRun(block, null, expected)).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/does not exist/) });
    expect(judgeIssuanceRun({ ...block, request: 8 }, run(running), expected)).toMatchObject({ verdict: "refused" });
  });
});

describe("which completed runs concern a request", () => {
  const repository = { full_name: "acme/access-requests", default_branch: "main" };
  const tokenRun = (over: Record<string, unknown> = {}) => ({ display_title: "Issue tokens for request #12", event: "workflow_dispatch", head_branch: "main", repository: { full_name: "acme/access-requests" }, ...over });

  it("reads the request number from the token workflow's run-name, strictly", () => {
    expect(requestOfTokenRun(tokenRun(), repository)).toBe(12);
    for (const display_title of ["Issue tokens for request #12 ", "Issue tokens for request #12\n", "issue tokens for request #12", "Issue tokens for request 12", "Issue tokens for request #012", "Issue tokens for request #0", "Issue tokens for request #1234567890", "Issue tokens for request #12; rm -rf", "", null]) {
      expect(requestOfTokenRun(tokenRun({ display_title }), repository)).toBeNull();
    }
  });

  it("ignores other events, branches and repositories", () => {
    expect(requestOfTokenRun(tokenRun({ event: "push" }), repository)).toBeNull();
    expect(requestOfTokenRun(tokenRun({ event: "workflow_run" }), repository)).toBeNull();
    expect(requestOfTokenRun(tokenRun({ head_branch: "release" }), repository)).toBeNull();
    expect(requestOfTokenRun(tokenRun({ head_branch: null }), repository)).toBeNull();
    expect(requestOfTokenRun(tokenRun({ repository: { full_name: "someone/fork" } }), repository)).toBeNull();
    expect(requestOfTokenRun(tokenRun(), { full_name: "acme/access-requests" })).toBeNull();
  });
});
