import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";

/**
 * What the merge of a large certificate pull request costs (issue 22, part 1: "merge
 * re-validation of N files: at most 10 + ⌈N/100⌉ requests"). The files are read at the merge
 * commit 250 to a GraphQL query (GitHubIO.getFiles), not one GET each: 150 devices, counted on the
 * stand-in (was 150 GETs of contents, one after another, in one webhook).
 */
const DEVICES = Array.from({ length: 150 }, (_, i) => `gw-${String(i).padStart(3, "0")}`);
let ca: TestCa;
let s: Scenario | undefined;
beforeAll(async () => {
  ca = await makeTestCa(DEVICES);
}, 60_000);
afterEach(() => {
  s?.stop();
  s = undefined;
});

describe("merging a 150-certificate pull request", () => {
  it("reads the files in ⌈150/250⌉ query and records every device", async () => {
    s = await startScenario(ca);
    const n = await s.open({ devices: DEVICES });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const mark = s.mark();
    await mergePr(s, 50, Object.fromEntries(DEVICES.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!])));
    const calls = s.callsSince(mark);
    expect(s.record(n).certificates.filter((c) => c.verdict === "valid")).toHaveLength(DEVICES.length);
    expect(calls.filter((c) => c === "GET repos/get-content").length).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c === "POST graphql")).toHaveLength(Math.ceil(DEVICES.length / 250));
    expect(s.rateLimitedSince(mark)).toBeLessThanOrEqual(10 + Math.ceil(DEVICES.length / 100));
  }, 60_000);
});
