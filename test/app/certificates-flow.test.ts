import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "./helpers/payloads.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";

let ca: TestCa;
let leaves: Map<string, Uint8Array>;

beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2", "gw-3", "gw-9"]);
  leaves = ca.leaves;
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function approvedRequest(devices = ["gw-1", "gw-2", "gw-3"]): Promise<[Scenario, number]> {
  s = await startScenario(ca);
  const n = await s.open({ devices });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  expect(s.record(n).stage).toBe("certificates");
  return [s, n];
}

describe("certificate pull requests", () => {
  it("links an opened PR, then records a merged partial set with the app's own verdicts", async () => {
    const [s, n] = await approvedRequest();
    s.gh.pullFiles.set(50, [{ filename: `certificates/${n}/gw-1.pem`, status: "added" }]);
    await s.probot.receive(pullRequestEvent(s.gh, "opened", { number: 50 }));
    expect(s.record(n).pullRequests).toEqual([expect.objectContaining({ number: 50, state: "open", author: "jane" })]);
    expect(s.gh.statusComment(n)!.body).toContain("[#50](https://github.com/acme/access-requests/pull/50) (open)");

    // A push to the PR changes nothing the app records: no write (the last read is the ledger's).
    const mark = s.mark();
    await s.probot.receive(pullRequestEvent(s.gh, "synchronize", { number: 50 }));
    expect(s.callsSince(mark)).toEqual([
      "GET repos/get-content",
      "GET pulls/list-files",
      "GET issues/get",
      "GET repos/get-branch-rules", // the ledger\'s protection
      "GET repos/list-commits",
      "GET issues/list-comments",
    ]);

    await mergePr(s, 50, {
      [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!,
      [`certificates/${n}/gw-2.pem`]: leaves.get("self-signed")!,
    });
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.pullRequests).toEqual([
      expect.objectContaining({ number: 50, state: "merged", mergedBy: "rita", mergedCommit: "50".padEnd(40, "a") }),
    ]);
    expect(record.certificates).toEqual([
      expect.objectContaining({
        device: "gw-1",
        verdict: "valid",
        pr: 50,
        fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      }),
      expect.objectContaining({
        device: "gw-2",
        verdict: "invalid",
        errors: [expect.objectContaining({ code: "self-signed" })],
      }),
    ]);
    expect(s.labels(n)).toEqual(["access: certificates", "needs: certificates"]);
    const status = s.gh.statusComment(n)!.body;
    expect(status).toContain("**1 of 3** device(s) have a valid certificate");
    expect(status).toMatch(/Certificate for `gw-2`: invalid/);
    expect(status).toMatch(/Certificate for `gw-3`: no certificate merged yet/);
  });

  it("moves to tokens when every device has one valid certificate", async () => {
    const [s, n] = await approvedRequest();
    await mergePr(s, 50, {
      [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!,
      [`certificates/${n}/gw-2.pem`]: leaves.get("self-signed")!,
    });
    await mergePr(s, 51, {
      [`certificates/${n}/gw-2.pem`]: leaves.get("gw-2")!,
      [`certificates/${n}/gw-3.pem`]: leaves.get("gw-3")!,
    });
    const record = s.record(n);
    expect(record.stage).toBe("tokens");
    expect(record.transitions.at(-1)).toMatchObject({
      from: "certificates",
      to: "tokens",
      by: "rita",
      url: "https://github.com/acme/access-requests/pull/51",
    });
    expect(s.labels(n)).toEqual(["access: tokens", "needs: tokens"]);
    expect(s.gh.statusComment(n)!.body).toContain("issue-tokens.yml");

    // A later PR removing a certificate sends the request back.
    await mergePr(s, 52, { [`certificates/${n}/gw-3.pem`]: null });
    expect(s.record(n).stage).toBe("certificates");
    expect(s.gh.statusComment(n)!.body).toMatch(/the certificate file was removed in \\#\u200b52/);
  });

  it("records an invalid set (unknown device, duplicate certificate) without advancing", async () => {
    const [s, n] = await approvedRequest(["gw-1", "gw-2"]);
    const same = leaves.get("gw-1")!;
    await mergePr(s, 60, {
      [`certificates/${n}/gw-1.pem`]: same,
      [`certificates/${n}/gw-2.pem`]: same,
      [`certificates/${n}/gw-9.pem`]: leaves.get("gw-9")!,
    });
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.certificates.map((c) => [c.device, c.verdict, c.errors.map((e) => e.code)])).toEqual([
      ["gw-1", "invalid", ["duplicate-device"]],
      ["gw-2", "invalid", ["duplicate-device"]],
    ]);
  });

  it("duplicate-device: a later file for a device differing only in case is not a replacement", async () => {
    const [s, n] = await approvedRequest(["gw-1", "gw-2"]);
    await mergePr(s, 61, {
      [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!,
      [`certificates/${n}/gw-2.pem`]: leaves.get("gw-2")!,
    });
    expect(s.record(n).stage).toBe("tokens");
    // GW-1.pem beside gw-1.pem: both files are on the default branch, as the token workflow sees it.
    await mergePr(s, 62, { [`certificates/${n}/GW-1.pem`]: leaves.get("gw-3")! });
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    const latest = record.certificates.filter((c) => c.pr === 62);
    expect(latest.map((c) => [c.device, c.verdict, c.errors.map((e) => e.code)])).toEqual([
      ["gw-1", "invalid", ["duplicate-device"]],
    ]);
    // A replacement at the same path is still a replacement.
    await mergePr(s, 63, { [`certificates/${n}/GW-1.pem`]: null });
    await mergePr(s, 64, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-3")! });
    expect(
      s
        .record(n)
        .certificates.filter((c) => c.pr === 64)
        .map((c) => c.verdict),
    ).toEqual(["valid"]);
    expect(s.record(n).stage).toBe("tokens");
  });

  it("records certificates merged before approval, and advances straight to tokens at approval", async () => {
    s = await startScenario(ca);
    const n = await s.open({ devices: ["gw-1"] });
    await mergePr(s, 70, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")! });
    expect(s.record(n)).toMatchObject({
      stage: "certification",
      certificates: [expect.objectContaining({ verdict: "valid" })],
    });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n).stage).toBe("tokens");
  });

  it("holds the move to tokens while on hold", async () => {
    const [s, n] = await approvedRequest(["gw-1"]);
    await s.say(n, "rita", "/hold security review of the CA");
    await mergePr(s, 80, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")! });
    expect(s.record(n).stage).toBe("certificates");
    await s.say(n, "tom", "/unhold");
    expect(s.record(n).stage).toBe("tokens");
  });

  it("ignores PRs into other branches, PRs without certificates, and closed unmerged PRs only mark the link", async () => {
    const [s, n] = await approvedRequest(["gw-1"]);
    const mark = s.mark();
    await s.probot.receive(pullRequestEvent(s.gh, "opened", { number: 90, base: "release" }));
    expect(s.gh.requests.length).toBe(mark);
    s.gh.pullFiles.set(91, [{ filename: "README.md", status: "modified" }]);
    await s.probot.receive(pullRequestEvent(s.gh, "opened", { number: 91 }));
    expect(s.callsSince(mark)).toEqual(["GET repos/get-content", "GET pulls/list-files"]);

    s.gh.pullFiles.set(92, [{ filename: `certificates/${n}/gw-1.pem`, status: "added" }]);
    await s.probot.receive(pullRequestEvent(s.gh, "opened", { number: 92 }));
    await s.probot.receive(pullRequestEvent(s.gh, "closed", { number: 92, merged: false }));
    expect(s.record(n).pullRequests).toEqual([expect.objectContaining({ number: 92, state: "closed" })]);
    expect(s.record(n).certificates).toEqual([]);
  });
});
