import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { verifyStatusList } from "../../src/tokens/status-list-verify.js";
import { testRecordKey } from "./helpers/record-key.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/**
 * Revocation (issue 19, ../shared/SPEC.md H): `/revoke-tokens DEVICE|all REASON` by a reviewer or
 * the requester, `/revoke-access REASON` by a reviewer; both recorded in the signed record, shown
 * on the status, and final where they must be. On the GitHub stand-in.
 */
let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1", "gw-2"]);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

async function live(): Promise<[Scenario, number]> {
  let n: number;
  [s, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"]);
  await tokenRun(s, n, key, 901, ["gw-1", "gw-2"]);
  expect(s.record(n).stage).toBe("live");
  return [s, n];
}

describe("/revoke-tokens", () => {
  it("lets the requester revoke one device's token: recorded with who, why and which token, shown on the status", async () => {
    const [s, n] = await live();
    const gw1 = s.record(n).issuance.find((t) => t.device === "gw-1")!;
    await s.say(n, "jane", "/revoke-tokens GW-1 the gateway was stolen");
    const record = s.record(n);
    expect(record.revocations).toEqual([
      expect.objectContaining({
        device: "gw-1",
        jti: gw1.jti,
        by: "jane",
        reason: "the gateway was stolen",
        command: "revoke-tokens",
      }),
    ]);
    expect(record.stage).toBe("live");
    const status = s.gh.statusComment(n)!.body;
    expect(status).toMatch(/\*\*1\*\* token\(s\) revoked/);
    expect(status).toMatch(/\*\*1 of 2\*\* device\(s\) hold a live token/);
    // The next step says which device lost its token and how it gets a new one.
    expect(status).toMatch(
      /1 device\(s\) without a live token \(gw\\-1: revoked\): a new token needs a renewed certificate/,
    );
    // Once revoked, there is nothing left to revoke for that device.
    await s.say(n, "rita", "/revoke-tokens gw-1 again");
    expect(s.replies(n).at(-1)).toMatch(/has no token left to revoke/);
    expect(s.record(n).revocations).toHaveLength(1);
  });

  it("lets a reviewer revoke every device's token with all", async () => {
    const [s, n] = await live();
    await s.say(n, "rita", "/revoke-tokens all key rotation");
    expect(
      s
        .record(n)
        .revocations?.map((r) => r.device)
        .sort(),
    ).toEqual(["gw-1", "gw-2"]);
    // No device holds a live token any more: the request is not live, it waits for renewed
    // certificates (a revoked device's next token needs a new key), and the issue says so.
    expect(s.record(n).stage).toBe("certificates");
    expect(s.labels(n)).toEqual(["access: certificates", "needs: certificates"]);
    expect(s.gh.issues.get(n)!.state).toBe("open");
  });

  it.each([
    ["an outsider", "mallory", "/revoke-tokens gw-1 because", /only a reviewer or the person who opened this request/],
    ["an unknown device", "jane", "/revoke-tokens gw-9 stolen", /is not one of this request's devices/],
    ["no reason", "jane", "/revoke-tokens gw-1", /name the device \(or `all`\) and give a reason/],
  ])("refuses %s with a reply, changing nothing", async (_, who, line, says) => {
    const [s, n] = await live();
    const versions = s.gh.ledgerHistory(n).length;
    await s.say(n, who, line);
    expect(s.replies(n).at(-1)).toMatch(says);
    expect(s.record(n).revocations ?? []).toEqual([]);
    expect(s.gh.ledgerHistory(n).length).toBe(versions + 1); // the refused line is recorded, nothing else
  });

  it("refuses before any token was issued", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1"]);
    await s.say(n, "jane", "/revoke-tokens gw-1 lost");
    expect(s.replies(n).at(-1)).toMatch(/has no token left to revoke/);
  });
});

describe("/revoke-access", () => {
  it("revokes every token, ends the access for good and closes the issue as not planned", async () => {
    const [s, n] = await live();
    await s.say(n, "jane", "/revoke-tokens gw-1 stolen");
    await s.say(n, "tom", "/revoke-access the contract ended");
    const record = s.record(n);
    expect(record.stage).toBe("ended");
    expect(record.ended).toMatchObject({ by: "tom", reason: "the contract ended" });
    expect(record.revocations?.map((r) => [r.device, r.command])).toEqual([
      ["gw-1", "revoke-tokens"],
      ["gw-2", "revoke-access"],
    ]);
    expect(s.labels(n)).toContain("access: ended");
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed" });
    expect(s.gh.statusComment(n)!.body).toMatch(/\*\*Access ended\*\*/);
    // Nothing changes any more; a reopened issue is closed again as not planned.
    await s.say(n, "rita", "/reissue-tokens all new keys");
    expect(s.replies(n).at(-1)).toMatch(/access was ended by tom/);
    s.gh.setIssueState(n, "open", "mallory");
    await s.say(n, "mallory", "/status");
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "not_planned" });
  });

  it("is a reviewer's command: the requester cannot end access, and a reason is required", async () => {
    const [s, n] = await live();
    await s.say(n, "jane", "/revoke-access done");
    expect(s.replies(n).at(-1)).toMatch(/only reviewers can run/);
    await s.say(n, "tom", "/revoke-access");
    expect(s.replies(n).at(-1)).toMatch(/give a reason/);
    expect(s.record(n).stage).toBe("live");
  });
});

describe("the token status list (draft-ietf-oauth-status-list), published by the app", () => {
  const LIST = "https://status.onerecord.test/lists/{issue}.jwt";

  async function publishedList(s: Scenario, n: number) {
    const jwt = s.gh.ledgerGit().fileAt(s.gh.ledger.branch, `status/${n}.jwt`)?.content.toString("utf8");
    expect(jwt, "no status list on the ledger branch").toBeDefined();
    const verified = await verifyStatusList(jwt!, {
      jwks: (await testRecordKey()).jwks,
      uri: LIST.replace("{issue}", String(n)),
    });
    if (!verified.ok) throw new Error(`the published list does not verify: ${verified.code}`);
    return verified.list;
  }

  it("allocates an index per device in the record before issuance, records it with each token, and publishes revocations at once", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"], { statusList: { uri: LIST } });
    expect(s.record(n)).toMatchObject({
      statusIndexes: [
        { device: "gw-1", idx: 0 },
        { device: "gw-2", idx: 1 },
      ],
      statusNext: 2,
    });
    expect([(await publishedList(s, n)).statusAt(0), (await publishedList(s, n)).statusAt(1)]).toEqual([0, 0]);

    await tokenRun(s, n, key, 901, ["gw-1", "gw-2"]);
    const live = s.record(n);
    expect(live.stage).toBe("live");
    expect(live.issuance.map((t) => [t.device, t.statusIdx])).toEqual([
      ["gw-1", 0],
      ["gw-2", 1],
    ]);
    expect(live.statusIndexes).toEqual([]);

    await s.say(n, "jane", "/revoke-tokens gw-1 stolen");
    const list = await publishedList(s, n);
    expect([list.statusAt(0), list.statusAt(1), list.statusAt(1000)]).toEqual([1, 0, null]);

    // A reissue for gw-1 gets a new index, never the revoked one.
    await s.say(n, "tom", "/reissue-tokens gw-1 new token after the theft");
    expect(s.record(n).statusIndexes).toEqual([{ device: "gw-1", idx: 2 }]);
  });

  it("keeps one live token per device: a new token supersedes the old one, which the list then marks invalid", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1", "gw-2"], { statusList: { uri: LIST } });
    await tokenRun(s, n, key, 901, ["gw-1", "gw-2"]);
    const old = s.record(n).issuance.find((t) => t.device === "gw-2")!;
    await s.say(n, "tom", "/reissue-tokens gw-2 key rotation");
    await tokenRun(s, n, key, 902, ["gw-2"]);
    const record = s.record(n);
    expect(record.stage).toBe("live");
    // Superseded, not revoked by anyone: nothing in `revocations`, but the list refuses it.
    expect(record.revocations ?? []).toEqual([]);
    expect(old.statusIdx).toBe(1);
    const renewed = record.issuance.find((t) => t.device === "gw-2" && t.jti !== old.jti)!;
    expect(renewed.statusIdx).toBe(2);
    const list = await publishedList(s, n);
    expect([list.statusAt(0), list.statusAt(1), list.statusAt(2)]).toEqual([0, 1, 0]);
  });
});
