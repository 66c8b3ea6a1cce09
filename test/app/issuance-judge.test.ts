import { describe, expect, it } from "vitest";
import { requestOfTokenRun } from "../../src/app/handlers/workflow-runs.js";
import { judgeIssuanceRun, judgeIssuedEntries, type RunFacts } from "../../src/app/issuance/judge.js";
import { hasIncompleteRun } from "../../src/app/issuance/reports.js";
import type { CertificateRecord } from "../../src/record/schema.js";
import { thumbprintFromFingerprint } from "../../src/record/tokens.js";
import type { IssuanceBlock } from "../../src/record/issuance-comment.js";

const expected = {
  repository: "acme/access-requests",
  issue: 7,
  workflowFile: "issue-tokens.yml",
  defaultBranch: "main",
};
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
const run = (over: Partial<RunFacts> = {}): RunFacts => ({
  path: ".github/workflows/issue-tokens.yml",
  head_branch: "main",
  event: "workflow_dispatch",
  status: "completed",
  conclusion: "success",
  run_attempt: 2,
  display_title: "Issue tokens for request #7",
  head_sha: "b".repeat(40),
  repository: { full_name: "acme/access-requests" },
  updated_at: "2026-06-01T10:00:00Z",
  ...over,
});

describe("judging the run an issuance comment names", () => {
  it("accepts only a completed, successful attempt of the token workflow; a running one is pending", () => {
    expect(judgeIssuanceRun(block, run(), expected)).toEqual({ verdict: "accepted" });
    expect(
      judgeIssuanceRun(
        block,
        run({ path: "acme/access-requests/.github/workflows/issue-tokens.yml@refs/heads/main" }),
        expected,
      ),
    ).toEqual({ verdict: "accepted" });
    for (const status of ["queued", "in_progress", "waiting", "requested", null]) {
      expect(judgeIssuanceRun(block, run({ status, conclusion: null }), expected)).toMatchObject({
        verdict: "pending",
      });
    }
    for (const conclusion of ["failure", "cancelled", "timed_out", "skipped", "action_required", null]) {
      expect(judgeIssuanceRun(block, run({ conclusion }), expected)).toEqual({
        verdict: "refused",
        reason: `run 41 (attempt 2) ended with ${conclusion ?? "no conclusion"}`,
      });
    }
  });

  it("refuses at once, even while the run is in progress, what no completion can fix", () => {
    const running = { status: "in_progress", conclusion: null };
    expect(judgeIssuanceRun(block, run({ ...running, path: ".github/workflows/ci.yml" }), expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/not the token workflow/),
    });
    expect(judgeIssuanceRun(block, run({ ...running, head_branch: "release" }), expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/default branch main/),
    });
    expect(judgeIssuanceRun(block, run({ ...running, event: "push" }), expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/started by push/),
    });
    expect(judgeIssuanceRun(block, run({ ...running, run_attempt: 3 }), expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/attempt 3/),
    });
    expect(
      judgeIssuanceRun(block, run({ ...running, repository: { full_name: "evil/fork" } }), expected),
    ).toMatchObject({ verdict: "refused" });
    expect(judgeIssuanceRun(block, null, expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/does not exist/),
    });
    expect(judgeIssuanceRun({ ...block, request: 8 }, run(running), expected)).toMatchObject({ verdict: "refused" });
    expect(
      judgeIssuanceRun(block, run({ ...running, display_title: "Issue tokens for request #8" }), expected),
    ).toMatchObject({ verdict: "refused", reason: expect.stringMatching(/titled "Issue tokens for request #8"/) });
    expect(judgeIssuanceRun(block, run({ ...running, head_sha: "c".repeat(40) }), expected)).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/ran at commit cccccccccccc/),
    });
  });
});

describe("judging the tokens an issuance comment reports", () => {
  const fp = (byte: string) => Array(32).fill(byte).join(":");
  const cert = (device: string, byte: string, verdict: "valid" | "invalid", pr: number): CertificateRecord => ({
    device,
    path: `certificates/7/${device}.pem`,
    fingerprintSha256: fp(byte),
    pr,
    mergedCommit: "c".repeat(40),
    mergedAt: `2026-05-0${pr}T00:00:00Z`,
    verdict,
    errors: [],
  });
  const certificates = [
    cert("pump-01", "AA", "valid", 1),
    cert("pump-01", "BB", "valid", 2),
    cert("pump-02", "CC", "invalid", 3),
  ];
  const entry = (device: string, byte: string) => ({
    device,
    jti: `j-${device}-${byte}`,
    x5tS256: thumbprintFromFingerprint(fp(byte)),
    iat: 1,
    exp: 2,
    jwe: "a.b.c.d.e",
  });
  const judge = (...issued: ReturnType<typeof entry>[]) =>
    judgeIssuedEntries({ ...block, issued }, ["pump-01", "pump-02"], certificates);

  it("accepts tokens bound to any certificate recorded valid for a device of the request (any case of its id)", () => {
    expect(judge(entry("pump-01", "BB"))).toEqual({ verdict: "accepted" });
    expect(judge(entry("PUMP-01", "AA"))).toEqual({ verdict: "accepted" }); // replaced since: stale, not forged
  });

  it("refuses devices outside the request and certificates never recorded, or recorded invalid", () => {
    expect(judge(entry("pump-01", "AA"), entry("pump-03", "AA"))).toEqual({
      verdict: "refused",
      reason: "it reports a token for pump-03, which is not a device of this request",
    });
    expect(judge(entry("pump-01", "DD"))).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/pump-01 bound to a certificate the app never recorded as valid/),
    });
    expect(judge(entry("pump-02", "CC"))).toMatchObject({
      verdict: "refused",
      reason: expect.stringMatching(/pump-02 bound to a certificate/),
    });
    expect(judge(entry("pump-02", "AA"))).toMatchObject({ verdict: "refused" }); // another device's certificate
  });
});

describe("which completed runs concern a request", () => {
  const repository = { full_name: "acme/access-requests", default_branch: "main" };
  const tokenRun = (over: Record<string, unknown> = {}) => ({
    display_title: "Issue tokens for request #12",
    event: "workflow_dispatch",
    head_branch: "main",
    repository: { full_name: "acme/access-requests" },
    ...over,
  });

  it("reads the request number from the token workflow's run-name, strictly", () => {
    expect(requestOfTokenRun(tokenRun(), repository)).toBe(12);
    for (const display_title of [
      "Issue tokens for request #12 ",
      "Issue tokens for request #12\n",
      "issue tokens for request #12",
      "Issue tokens for request 12",
      "Issue tokens for request #012",
      "Issue tokens for request #0",
      "Issue tokens for request #1234567890",
      "Issue tokens for request #12; rm -rf",
      "",
      null,
    ]) {
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

describe("a run with a part not yet read (hasIncompleteRun, issue 22's review)", () => {
  const part = (n: number, verdict: "accepted" | "pending" | "refused", parts = 3, runAttempt = 1) => ({
    comment: 100 + n,
    runId: 7,
    part: n,
    parts,
    runAttempt,
    accepted: verdict === "accepted",
    ...(verdict === "pending" ? { pending: true } : {}),
  });

  it("is incomplete while a proven report's part has no judgement", () => {
    expect(hasIncompleteRun([part(1, "pending"), part(3, "pending")])).toBe(true);
    expect(hasIncompleteRun([part(1, "accepted"), part(2, "accepted"), part(3, "accepted")])).toBe(false);
  });

  it("counts a part refused for good as read, so it does not keep the run incomplete", () => {
    expect(hasIncompleteRun([part(1, "accepted"), part(2, "refused"), part(3, "accepted")])).toBe(false);
  });

  it("takes the number of parts only from a proven report: a refused one cannot ask for the thread", () => {
    expect(hasIncompleteRun([part(1, "refused", 1000)])).toBe(false);
    expect(hasIncompleteRun([part(1, "accepted", 1), part(2, "refused", 1000)])).toBe(false);
  });

  it("judges each attempt of a run on its own", () => {
    expect(hasIncompleteRun([part(1, "accepted", 2, 1), part(2, "accepted", 2, 1), part(1, "pending", 2, 2)])).toBe(
      true,
    );
  });
});
