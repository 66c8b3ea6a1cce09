import { afterEach, describe, expect, it } from "vitest";
import { Scenario } from "./helpers/scenario.js";

/**
 * When no version of the request's ledger file can be trusted — the branch's history is gone and
 * what is left does not verify, or names another request — the app rebuilds from what it can
 * observe again, and it never replays an old approval or tick into a request that nobody
 * approved (../shared/SPEC.md, threat model). Tampering that leaves a valid version behind is
 * recovered from instead: test/app/ledger-flow.test.ts.
 */
let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function approved(): Promise<[Scenario, number]> {
  s = await Scenario.start();
  const n = await s.open({ devices: ["gw-1"] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  expect(s.record(n).stage).toBe("certificates");
  return [s, n];
}

/** The ledger branch's history is gone (a force push), and `text` is all its file holds now. */
function replaceLedger(s: Scenario, n: number, text: string): void {
  s.gh.wipeLedger();
  s.gh.pushLedger(n, text, "mallory");
}

describe("a record the app does not trust", () => {
  it("does not adopt a record naming another repository's request (a transferred issue), and replays no old approval", async () => {
    const [s, n] = await approved();
    const other = await s.open({ devices: ["gw-7"] });
    replaceLedger(s, n, s.gh.ledgerText(other)!);
    const replies = s.replies(n).length;
    await s.say(n, "mallory", "/status");
    const record = s.record(n);
    expect(record).toMatchObject({ repository: "acme/access-requests", issue: n, stage: "certification" });
    expect(record.certification).toBeNull();
    expect(record.checklist).toEqual([]);
    expect(record.commands.filter((c) => c.name === "approve-certification")).toEqual([]);
    expect(record.ignored.filter((i) => i.reason === "rebuilt").length).toBeGreaterThanOrEqual(2);
    expect(s.replies(n)).toHaveLength(replies);
    expect(s.gh.statusComment(n)!.body).toMatch(/give their ticks and approvals again/);
  });

  it("does not replay an old approval into the current form when the record is unreadable", async () => {
    const [s, n] = await approved();
    await s.editForm(n, { devices: ["gw-1", "gw-9"], networkPaths: ["1.1.1.0/24"] });
    replaceLedger(s, n, '{"protected":"x","payload":"broken","signature":"x"}');
    await s.say(n, "mallory", "/status");
    const record = s.record(n);
    expect(record.stage).toBe("certification");
    expect(record.certification).toBeNull();
    expect(record.request?.devices).toEqual(["gw-1", "gw-9"]);
  });

  it("runs a command written after the loss: a reviewer can approve again", async () => {
    const [s, n] = await approved();
    replaceLedger(s, n, '{"protected":"x","payload":"broken","signature":"x"}');
    await s.say(n, "mallory", "/status");
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n).stage).toBe("certificates");
  });
});
