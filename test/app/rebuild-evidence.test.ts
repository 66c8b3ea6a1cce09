import { afterEach, describe, expect, it } from "vitest";
import { Scenario } from "./helpers/scenario.js";

/**
 * A rebuild after a lost ledger (the branch deleted or force-pushed by someone the ruleset did
 * not stop, say an administrator) never reopens or revives a request the app had rejected
 * (issue 18). A rejection's comment can be deleted; the issue's timeline, where the app closed
 * the issue as not planned, cannot be by anyone with write access. Where the app cannot know —
 * a closed issue that was live, or ended after it went live — the request waits, on hold,
 * labelled and explained, until a reviewer lifts the hold.
 */
let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function rejected(): Promise<[Scenario, number, number]> {
  s = await Scenario.start();
  const n = await s.open({ devices: ["gw-1"] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  const reject = await s.say(n, "tom", "/reject the DPA was withdrawn");
  expect(s.record(n).stage).toBe("rejected");
  expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
  return [s, n, reject.id];
}

describe("a rebuild after a lost ledger", () => {
  it("keeps a rejected request rejected when the ledger is gone, its /reject deleted and the issue reopened by hand", async () => {
    const [s, n, reject] = await rejected();
    s.gh.wipeLedger();
    s.gh.comments.delete(reject);
    s.gh.setIssueState(n, "open", "mallory");
    await s.say(n, "mallory", "/status");
    const rebuilt = s.record(n);
    expect(rebuilt.integrity.at(-1)).toMatchObject({ kind: "lost" });
    expect(rebuilt.stage).toBe("rejected");
    expect(rebuilt.rejection?.reason).toMatch(/closed this issue as not planned/);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
    // Approving it again changes nothing: rejected is final.
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n).stage).toBe("rejected");
  });

  it("never reopens a closed rejected request", async () => {
    const [s, n] = await rejected();
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    expect(s.record(n).stage).toBe("rejected");
    expect(s.gh.issues.get(n)!.state).toBe("closed");
  });

  it("holds a closed request it cannot judge (live, or ended after it went live): closed, labelled, explained, until a reviewer lifts the hold", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1"] });
    // Closed by the app as completed (live), then by nobody else: the app cannot tell from the
    // timeline whether its access was ended afterwards (ending a closed issue closes nothing).
    s.gh.setIssueState(n, "closed", s.gh.bot, "completed");
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    const held = s.record(n);
    expect(held.hold).toMatchObject({ reason: expect.stringMatching(/record was lost.*\/unhold/) });
    expect(s.gh.issues.get(n)!.state).toBe("closed");
    expect(s.labels(n)).toContain("access: on-hold");
    expect(s.gh.statusComment(n)!.body).toMatch(/record was lost/);
    // The requester cannot lift it; a reviewer can, and the request reopens to wait for its reviewers.
    await s.say(n, "jane", "/unhold");
    expect(s.record(n).hold).not.toBeNull();
    await s.say(n, "tom", "/unhold");
    expect(s.record(n)).toMatchObject({ hold: null, stage: "certification" });
    expect(s.gh.issues.get(n)!.state).toBe("open");
  });

  it("rebuilds an open request the app never closed as before: nothing replayed, reviewers approve again", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1"] });
    await s.tickAll(n);
    s.gh.wipeLedger();
    await s.say(n, "mallory", "/status");
    expect(s.record(n)).toMatchObject({ stage: "certification", hold: null, rejection: null, checklist: [] });
    expect(s.gh.issues.get(n)!.state).toBe("open");
  });
});

describe("recovery restores only what the app committed (attacks found in review)", () => {
  it("never restores a copy of an older genuine version pushed by someone else behind padding", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const beforeReject = s.gh.ledgerText(n)!;
    const reject = await s.say(n, "tom", "/reject the DPA was withdrawn");
    // Someone with push access: 19 junk commits, then a byte-identical copy of the pre-reject version.
    for (let i = 0; i < 19; i++) s.gh.pushLedger(n, `junk ${i}`, "mallory");
    s.gh.pushLedger(n, beforeReject, "mallory");
    s.gh.comments.delete(reject.id);
    await s.say(n, "mallory", "/status");
    expect(s.record(n).stage).toBe("rejected");
    expect(s.record(n).integrity.at(-1)).toMatchObject({ kind: "tampered", code: "not-by-app" });
  });

  it("holds a rejected request whose issue a person closed first and reopened after, when its record is lost", async () => {
    s = await Scenario.start();
    const n = await s.open({ devices: ["gw-1"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    s.gh.setIssueState(n, "closed", "mallory", "completed");
    await s.say(n, "tom", "/reject the DPA was withdrawn");
    expect(s.record(n).stage).toBe("rejected");
    s.gh.setIssueState(n, "open", "mallory");
    s.gh.wipeLedger();
    await s.say(n, "carol", "/status");
    // A rejection of a closed issue closes nothing, so the timeline shows no rejection: held.
    expect(s.record(n).hold).toMatchObject({
      by: "onerecord-access",
      reason: expect.stringMatching(/record was lost/),
    });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n)).toMatchObject({ stage: "certification", certification: null });
  });
});
