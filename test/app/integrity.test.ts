import { afterEach, describe, expect, it } from "vitest";
import { readRecord, writeRecord } from "../../src/record/codec.js";
import { Scenario } from "./helpers/scenario.js";

/**
 * The record in the status comment is the app's own, but anyone with write access can edit that
 * comment, and a transferred issue brings another repository's. What the app does not trust it
 * rebuilds from what it can observe again, and it never replays an old approval or tick into a
 * request that nobody approved (../shared/SPEC.md, threat model).
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

/** Replaces the record block of the status comment, as a person with write access could. */
function rewriteRecord(s: Scenario, n: number, edit: (body: string) => string): void {
  const status = s.gh.statusComment(n)!;
  s.gh.editComment(status.id, edit(status.body));
}

describe("a record the app does not trust", () => {
  it("does not adopt a record naming another repository's request (a transferred issue), and replays no old approval", async () => {
    const [s, n] = await approved();
    rewriteRecord(s, n, (body) => {
      const record = readRecord(body)!;
      const foreign = writeRecord({ ...record, repository: "acme/other-requests", issue: 99 });
      return body.replace(/<!-- onerecord-access:record v1 [\s\S]*? -->/, foreign);
    });
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
    rewriteRecord(s, n, (body) => body.replace(/json:\{/, "json:{broken"));
    await s.say(n, "mallory", "/status");
    const record = s.record(n);
    expect(record.stage).toBe("certification");
    expect(record.certification).toBeNull();
    expect(record.request?.devices).toEqual(["gw-1", "gw-9"]);
  });

  it("runs a command written after the loss: a reviewer can approve again", async () => {
    const [s, n] = await approved();
    rewriteRecord(s, n, (body) => body.replace(/json:\{/, "json:{broken"));
    await s.say(n, "mallory", "/status");
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    expect(s.record(n).stage).toBe("certificates");
  });
});
