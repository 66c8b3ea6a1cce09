import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/**
 * A request whose ledger is lost entirely (no version left to verify) is rebuilt from what can be
 * observed again (issue 9): the certificate files on the default branch are judged again as the
 * merges of the pull requests that put them there, and the issuance reports are judged against
 * them; approvals and ticks must be given again (test/app/integrity.test.ts). A file no merged
 * pull request put on the default branch is no certificate of the request.
 */
let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2", "gw-3"]);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** The requests a rebuild adds, as "GET operation?query" for the default branch's files and their history. */
function rebuildCalls(s: Scenario, mark: number, n: number): string[] {
  return s.gh
    .apiCallsSince(mark)
    .filter(
      (r) =>
        decodeURIComponent(r.path).includes(`/contents/certificates/${n}/`) ||
        (r.operationId === "repos/list-commits" && r.query.includes("sha=main")) ||
        r.operationId === "repos/list-pull-requests-associated-with-commit",
    )
    .map((r) => `${r.method} ${r.operationId}`);
}

describe("a lost record: the merged certificates are judged again", () => {
  it("brings back each device's certificate with its verdict and PR; approved again, the request waits for new tokens", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
    const [report] = await tokenRun(s, n, key, 901, ["gw-1", "gw-2"]);
    const before = s.record(n);
    expect(before.stage).toBe("live");

    s.gh.wipeLedger();
    const mark = s.mark();
    await s.say(n, "mallory", "/status");
    const rebuilt = s.record(n);
    expect(rebuilt.integrity.at(-1)).toMatchObject({ kind: "lost" });
    // The same verdicts, PR, merge commit and merge time as when PR 50's merge was judged.
    expect(rebuilt.certificates).toEqual(before.certificates);
    const { mergedBy: _who, ...merged } = before.pullRequests[0]!;
    expect(rebuilt.pullRequests).toEqual([{ ...merged, at: merged.mergedAt }]);
    // Approvals and ticks are not replayed: the certificates alone advance nothing.
    expect(rebuilt).toMatchObject({ stage: "certification", certification: null, checklist: [] });
    // The issue, closed when it went live, stays closed and on hold: the app cannot tell whether
    // its access was ended after it went live (rebuild-evidence.test.ts). A reviewer lifts the hold,
    // and it reopens to wait for its reviewers again.
    expect(s.gh.issues.get(n)!.state).toBe("closed");
    expect(rebuilt.hold).toMatchObject({ reason: expect.stringMatching(/record was lost/) });
    // The genuine report is accepted again (not refused for want of a certificate), its tokens recorded.
    expect(rebuilt.issuanceComments).toEqual([expect.objectContaining({ comment: report!.id, accepted: true })]);
    expect(rebuilt.issuance.map((t) => t.jti).sort()).toEqual(before.issuance.map((t) => t.jti).sort());
    // Two files, one commit: its PR is asked once.
    expect(rebuildCalls(s, mark, n)).toEqual([
      "GET repos/get-content",
      "GET repos/get-content",
      "GET repos/list-commits",
      "GET repos/list-commits",
      "GET repos/list-pull-requests-associated-with-commit",
    ]);

    await s.say(n, "tom", "/unhold");
    expect(s.gh.issues.get(n)!.state).toBe("open");
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const approved = s.record(n);
    // The run completed before the approval now in effect: its tokens never count (the approval
    // they were issued under cannot be shown any more; the rebuilt record starts on hold), so the
    // request waits for a new run.
    expect(approved.stage).toBe("tokens");
    expect(approved.voidedRuns).toEqual([
      expect.objectContaining({
        runUrl: "https://github.com/acme/access-requests/actions/runs/901",
        blockedBy: expect.objectContaining({ kind: "hold", by: "onerecord-access" }) as unknown,
      }),
    ]);
    expect(approved.issuanceComments).toEqual([expect.objectContaining({ comment: report!.id, accepted: true })]);

    await tokenRun(s, n, key, 902, ["gw-1", "gw-2"]);
    expect(s.record(n).stage).toBe("live");
  });

  it("keeps the reports waiting while the rebuilt request has no valid form, and judges the files once it has one", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1"]);
    const [report] = await tokenRun(s, n, key, 901, ["gw-1"]);
    await s.editForm(n, { devices: ["gw-1"], networkPaths: ["not a network"] });
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    const rebuilt = s.record(n);
    expect(rebuilt).toMatchObject({ stage: "requested", request: null, certificates: [] });
    // Not refused for good: no devices are known to judge its tokens against.
    expect(rebuilt.issuanceComments).toEqual([expect.objectContaining({ comment: report!.id, pending: true })]);

    const mark = s.mark();
    await s.editForm(n, { devices: ["gw-1"] });
    const fixed = s.record(n);
    expect(fixed.certificates.map((c) => [c.device, c.pr, c.verdict])).toEqual([["gw-1", 50, "valid"]]);
    expect(fixed.issuanceComments).toEqual([expect.objectContaining({ comment: report!.id, accepted: true })]);
    expect(rebuildCalls(s, mark, n)).toHaveLength(3);
    // Judged once: the next events ask the default branch nothing. (The issue was closed when it
    // went live: the rebuild holds it until a reviewer lifts the hold.)
    const again = s.mark();
    await s.say(n, "tom", "/unhold");
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(rebuildCalls(s, again, n)).toEqual([]);
    expect(s.record(n).stage).toBe("tokens");
  });

  it("counts only files a merged PR into the default branch put there, judged as that merge", async () => {
    s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
    const n = await s.open({ devices: ["gw-1", "gw-2", "gw-3"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")! });
    await mergePr(s, 51, { [`certificates/${n}/gw-2.pem`]: ca.leaves.get("self-signed")! });
    // Pushed straight to the default branch: no PR, no review.
    s.gh.pushToDefaultBranch(`certificates/${n}/gw-3.pem`, ca.leaves.get("gw-3")!);
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    const record = s.record(n);
    expect(record.certificates.map((c) => [c.device, c.pr, c.verdict])).toEqual([
      ["gw-1", 50, "valid"],
      ["gw-2", 51, "invalid"],
    ]);
    expect(record.certificates[1]!.errors.map((e) => e.code)).toContain("self-signed");
    expect(record.pullRequests.map((p) => p.number)).toEqual([50, 51]);
  });

  it("does not count a merged file overwritten by a direct push, nor a commit merged into another branch", async () => {
    s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
    const n = await s.open({ devices: ["gw-1", "gw-2", "gw-3"] });
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")! });
    await mergePr(s, 52, { [`certificates/${n}/gw-3.pem`]: ca.leaves.get("gw-3")! });
    s.gh.pushToDefaultBranch(`certificates/${n}/gw-1.pem`, ca.leaves.get("gw-1")!);
    // Reviewed into a release branch, then pushed to the default branch by hand.
    const sha = "7".repeat(40);
    s.gh.mergeToBranch(60, sha, { [`certificates/${n}/gw-2.pem`]: ca.leaves.get("gw-2")! }, { base: "release" });
    s.gh.pushToDefaultBranch(`certificates/${n}/gw-2.pem`, ca.leaves.get("gw-2")!, "mallory", sha);
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    expect(s.record(n).certificates.map((c) => [c.device, c.pr])).toEqual([["gw-3", 52]]);
    expect(s.record(n).pullRequests.map((p) => p.number)).toEqual([52]);
  });

  it("asks nothing of the default branch when the record is there", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1"]);
    const mark = s.mark();
    await s.say(n, "mallory", "/status");
    expect(rebuildCalls(s, mark, n)).toEqual([]);
  });
});
