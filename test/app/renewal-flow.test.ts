import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { pullRequestEvent } from "./helpers/payloads.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/**
 * Renewal (issue 19 item 2): a certificate pull request for a device of a live request is its
 * renewal; once merged, the app dispatches the token workflow for that request
 * (`tokens.autoDispatch`), once per pull request; the new token supersedes the old.
 */
let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2", "gw-1-renewed"]);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

describe("a renewed certificate of a live request", () => {
  it("after every token was revoked, brings the request back: the workflow dispatched, live again once issued", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1"]);
    await tokenRun(s, n, key, 901, ["gw-1"]);
    await s.say(n, "jane", "/revoke-tokens all the key leaked");
    expect(s.record(n).stage).toBe("certificates");

    await mergePr(s, 52, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1-renewed")! }, "52".padEnd(40, "c"));
    expect(s.record(n)).toMatchObject({ stage: "tokens", dispatches: [{ pr: 52 }] });
    expect(s.gh.dispatches).toHaveLength(1);
    await tokenRun(s, n, key, 902, ["gw-1"]);
    expect(s.record(n).stage).toBe("live");
    expect(s.labels(n)).toEqual(["access: live"]);
  });

  it("is re-validated on merge, the token workflow dispatched once, and the new token supersedes the old", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
    await tokenRun(s, n, key, 901, ["gw-1", "gw-2"]);
    expect(s.record(n).stage).toBe("live");
    expect(s.gh.dispatches).toEqual([]);

    await mergePr(s, 51, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1-renewed")! }, "51".padEnd(40, "b"));
    // Still live (gw-2's token and gw-1's old one still work); gw-1 is owed a token.
    expect(s.record(n)).toMatchObject({ stage: "live", dispatches: [{ pr: 51 }] });
    expect(s.labels(n)).toContain("needs: tokens");
    expect(s.gh.dispatches).toEqual([{ workflow: "issue-tokens.yml", ref: "main", inputs: { request: String(n) } }]);

    // A redelivered merge event dispatches nothing more.
    await s.probot.receive(
      pullRequestEvent(s.gh, "closed", {
        number: 51,
        merged: true,
        mergeCommit: "51".padEnd(40, "b"),
        mergedBy: "rita",
      }),
    );
    expect(s.gh.dispatches).toHaveLength(1);

    // The dispatched run issues gw-1 a token for its new certificate: live again.
    await tokenRun(s, n, key, 902, ["gw-1"]);
    expect(s.record(n).stage).toBe("live");
  });

  it("dispatches nothing when tokens.autoDispatch is off, nor for a first issuance", async () => {
    s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks, autoDispatch: false } }));
    const n = await s.open({ devices: ["gw-1"] });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    await mergePr(s, 50, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1")! });
    expect(s.record(n).stage).toBe("tokens");
    await tokenRun(s, n, key, 901, ["gw-1"]);
    await mergePr(s, 51, { [`certificates/${n}/gw-1.pem`]: ca.leaves.get("gw-1-renewed")! }, "51".padEnd(40, "b"));
    expect(s.record(n).stage).toBe("live");
    expect(s.labels(n)).toContain("needs: tokens");
    expect(s.gh.dispatches).toEqual([]);
  });
});
