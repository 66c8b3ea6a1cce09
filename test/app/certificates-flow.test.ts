import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { trustAnchorFromPem } from "../../src/certificates/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, makeSelfSignedLeaf, pemFile, type Issued } from "../helpers/pki.js";
import { writeIssuanceBlock } from "../../src/record/issuance-comment.js";
import { thumbprintFromFingerprint } from "../../src/record/tokens.js";
import { commentEvent, pullRequestEvent } from "./helpers/payloads.js";
import { CONFIG, Scenario } from "./helpers/scenario.js";

/** The app validates merged certificates at the merge time: scenarios run while the test PKI's certificates are valid. */
const SCENARIO_START = new Date(AT.getTime() - 10 * 86_400_000).toISOString();

async function startScenario(): Promise<Scenario> {
  const started = await Scenario.start(config);
  started.gh.setClock(SCENARIO_START);
  return started;
}

let root: Issued;
let intermediate: Issued;
let config: string;
const leaves = new Map<string, Uint8Array>();

beforeAll(async () => {
  root = await makeRoot({ cn: "App Test Root" });
  intermediate = await makeIntermediate(root, { cn: "App Test Intermediate" });
  for (const device of ["gw-1", "gw-2", "gw-3", "gw-9"]) leaves.set(device, pemFile(await makeLeaf(intermediate, { cn: device }), intermediate));
  leaves.set("self-signed", pemFile(await makeSelfSignedLeaf({ cn: "gw-2" })));
  const anchor = trustAnchorFromPem(root.pem, "Test CA");
  // The test root enters as a configured extra CA (the "ask support to add a CA" path).
  config = `${CONFIG}certificates:\n  extraCAs:\n    - brand: Test CA\n      fingerprintSha256: "${anchor.fingerprintSha256}"\n      pem: |\n${root.pem.trim().split("\n").map((l) => `        ${l}`).join("\n")}\n`;
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function approvedRequest(devices = ["gw-1", "gw-2", "gw-3"]): Promise<[Scenario, number]> {
  s = await startScenario();
  const n = await s.open({ devices });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  expect(s.record(n).stage).toBe("certificates");
  return [s, n];
}

/** A PR with these files; merged ones get their content at the merge commit. */
async function mergePr(s: Scenario, number: number, files: Record<string, Uint8Array | null>, commit = `${number}`.padEnd(40, "a")): Promise<void> {
  s.gh.pullFiles.set(number, Object.entries(files).map(([filename, bytes]) => ({ filename, status: bytes === null ? "removed" : "added" })));
  for (const [path, bytes] of Object.entries(files)) if (bytes) s.gh.setFile(path, bytes, commit);
  s.gh.tick();
  await s.probot.receive(pullRequestEvent(s.gh, "closed", { number, merged: true, mergeCommit: commit, mergedBy: "rita" }));
}

describe("certificate pull requests", () => {
  it("links an opened PR, then records a merged partial set with the app's own verdicts", async () => {
    const [s, n] = await approvedRequest();
    s.gh.pullFiles.set(50, [{ filename: `certificates/${n}/gw-1.pem`, status: "added" }]);
    await s.probot.receive(pullRequestEvent(s.gh, "opened", { number: 50 }));
    expect(s.record(n).pullRequests).toEqual([expect.objectContaining({ number: 50, state: "open", author: "jane" })]);
    expect(s.gh.statusComment(n)!.body).toContain("[#50](https://github.com/acme/access-requests/pull/50) (open)");

    // A push to the PR changes nothing the app records: no write.
    const mark = s.mark();
    await s.probot.receive(pullRequestEvent(s.gh, "synchronize", { number: 50 }));
    expect(s.callsSince(mark)).toEqual(["GET repos/get-content", "GET pulls/list-files", "GET issues/get", "GET issues/list-comments"]);

    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!, [`certificates/${n}/gw-2.pem`]: leaves.get("self-signed")! });
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.pullRequests).toEqual([expect.objectContaining({ number: 50, state: "merged", mergedBy: "rita", mergedCommit: "50".padEnd(40, "a") })]);
    expect(record.certificates).toEqual([
      expect.objectContaining({ device: "gw-1", verdict: "valid", pr: 50, fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) }),
      expect.objectContaining({ device: "gw-2", verdict: "invalid", errors: [expect.objectContaining({ code: "self-signed" })] }),
    ]);
    expect(s.labels(n)).toEqual(["access: certificates", "needs: certificates"]);
    const status = s.gh.statusComment(n)!.body;
    expect(status).toContain("**1 of 3** device(s) have a valid certificate");
    expect(status).toMatch(/Certificate for `gw-2`: invalid/);
    expect(status).toMatch(/Certificate for `gw-3`: no certificate merged yet/);
  });

  it("moves to tokens when every device has one valid certificate", async () => {
    const [s, n] = await approvedRequest();
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!, [`certificates/${n}/gw-2.pem`]: leaves.get("self-signed")! });
    await mergePr(s, 51, { [`certificates/${n}/gw-2.pem`]: leaves.get("gw-2")!, [`certificates/${n}/gw-3.pem`]: leaves.get("gw-3")! });
    const record = s.record(n);
    expect(record.stage).toBe("tokens");
    expect(record.transitions.at(-1)).toMatchObject({ from: "certificates", to: "tokens", by: "rita", url: "https://github.com/acme/access-requests/pull/51" });
    expect(s.labels(n)).toEqual(["access: tokens", "needs: tokens"]);
    expect(s.gh.statusComment(n)!.body).toContain("issue-tokens.yml");

    // A later PR removing a certificate sends the request back.
    await mergePr(s, 52, { [`certificates/${n}/gw-3.pem`]: null });
    expect(s.record(n).stage).toBe("certificates");
    expect(s.gh.statusComment(n)!.body).toMatch(/the certificate file was removed in \\#52/);
  });

  it("records an invalid set (unknown device, duplicate certificate) without advancing", async () => {
    const [s, n] = await approvedRequest(["gw-1", "gw-2"]);
    const same = leaves.get("gw-1")!;
    await mergePr(s, 60, { [`certificates/${n}/gw-1.pem`]: same, [`certificates/${n}/gw-2.pem`]: same, [`certificates/${n}/gw-9.pem`]: leaves.get("gw-9")! });
    const record = s.record(n);
    expect(record.stage).toBe("certificates");
    expect(record.certificates.map((c) => [c.device, c.verdict, c.errors.map((e) => e.code)])).toEqual([
      ["gw-1", "invalid", ["duplicate-device"]],
      ["gw-2", "invalid", ["duplicate-device"]],
    ]);
  });

  it("records certificates merged before approval, and advances straight to tokens at approval", async () => {
    s = await startScenario();
    const n = await s.open({ devices: ["gw-1"] });
    await mergePr(s, 70, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")! });
    expect(s.record(n)).toMatchObject({ stage: "certification", certificates: [expect.objectContaining({ verdict: "valid" })] });
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

describe("token issuance reported by the token workflow", () => {
  /** The comment the token workflow posts (src/record/issuance-comment.ts), as github-actions[bot]. */
  async function postIssuance(s: Scenario, n: number, runId: number, devices: string[], workflow = ".github/workflows/issue-tokens.yml"): Promise<void> {
    const current = new Map(s.record(n).certificates.map((c) => [c.device, c.fingerprintSha256!]));
    const iat = Math.floor(Date.parse(s.gh.tick()) / 1000);
    const block = writeIssuanceBlock({
      version: 1,
      repository: "acme/access-requests",
      request: n,
      runId,
      runAttempt: 1,
      runUrl: `https://github.com/acme/access-requests/actions/runs/${runId}`,
      workflow,
      ref: "refs/heads/main",
      sha: "b".repeat(40),
      issuedAt: new Date(iat * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      part: 1,
      parts: 1,
      issued: devices.map((device, i) => ({ device, jti: `00000000-0000-4000-8000-00000000000${i}`, x5tS256: thumbprintFromFingerprint(current.get(device)!), iat, exp: iat + 86_400 * 365, jwe: "eyJhbGciOiJFQ0RILUVTIn0.a.b.c.d" })),
    });
    const comment = s.gh.addComment(n, `${block}\n### Device tokens`, { login: "github-actions[bot]", type: "Bot" });
    await s.probot.receive(commentEvent(s.gh, "created", comment));
  }

  it("checks the run, records the tokens, goes live and closes; /reissue reopens", async () => {
    const [s, n] = await approvedRequest(["gw-1", "gw-2"]);
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")!, [`certificates/${n}/gw-2.pem`]: leaves.get("gw-2")! });
    expect(s.record(n).stage).toBe("tokens");

    // Another workflow posting as github-actions[bot] and naming its own run: refused.
    s.gh.runs.set(666, { path: ".github/workflows/ci.yml", head_branch: "main", event: "push", status: "in_progress", conclusion: null, run_attempt: 1 });
    await postIssuance(s, n, 666, ["gw-1", "gw-2"]);
    expect(s.record(n)).toMatchObject({ stage: "tokens", issuance: [], issuanceComments: [expect.objectContaining({ runId: 666, accepted: false, reason: expect.stringMatching(/not the token workflow/) })] });

    s.gh.runs.set(777, { path: ".github/workflows/issue-tokens.yml", head_branch: "main", event: "workflow_dispatch", status: "in_progress", conclusion: null, run_attempt: 1 });
    await postIssuance(s, n, 777, ["gw-1", "gw-2"]);
    const record = s.record(n);
    expect(record.stage).toBe("live");
    expect(record.issuance).toHaveLength(2);
    expect(record.transitions.at(-1)).toMatchObject({ from: "tokens", to: "live", url: "https://github.com/acme/access-requests/actions/runs/777" });
    expect(s.labels(n)).toEqual(["access: live"]);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(s.gh.statusComment(n)!.body).toContain("**2 of 2** device(s) hold a live token");

    await s.say(n, "rita", "/reissue gw-2 device replaced");
    expect(s.record(n)).toMatchObject({ stage: "tokens", reissueRequested: [expect.objectContaining({ device: "gw-2", reason: "device replaced" })] });
    expect(s.gh.issues.get(n)!.state).toBe("open");
    await s.say(n, "rita", "/reissue gw-1,gw-2 again");
    expect(s.record(n).reissueRequested.map((r) => r.device)).toEqual(["gw-2", "gw-1"]);
  });

  it("refuses a completed failed run and a comment not from github-actions[bot]", async () => {
    const [s, n] = await approvedRequest(["gw-1"]);
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: leaves.get("gw-1")! });
    s.gh.runs.set(778, { path: ".github/workflows/issue-tokens.yml", head_branch: "main", event: "workflow_dispatch", status: "completed", conclusion: "failure", run_attempt: 1 });
    await postIssuance(s, n, 778, ["gw-1"]);
    expect(s.record(n)).toMatchObject({ stage: "tokens", issuanceComments: [expect.objectContaining({ accepted: false, reason: expect.stringMatching(/ended with failure/) })] });
    const mark = s.mark();
    const forged = s.gh.addComment(n, s.gh.commentsOn(n).at(-1)!.body, "mallory");
    await s.probot.receive(commentEvent(s.gh, "created", forged));
    expect(s.gh.requests.length).toBe(mark);
  });
});
