import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { verifyStatusList } from "../../src/tokens/status-list-verify.js";
import type { Scenario } from "./helpers/scenario.js";
import { testRecordKey } from "./helpers/record-key.js";
import { workflowRunEvent } from "./helpers/payloads.js";
import { SWEEP_RUN_TITLE } from "../../src/app/handlers/sweep.js";
import { makeTestCa, SCENARIO_START, type TestCa } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/**
 * The periodic access review (issue 19 item 4; SOC 2 CC6.2–CC6.3): due `access.reviewEvery`
 * days after the request went live or was last recertified; past `access.reviewGrace` its tokens
 * are suspended in the status list until a reviewer who is not the requester runs `/recertify`.
 * The app's clock is moved with vitest's fake Date (timers stay real).
 */
const LIST = "https://status.onerecord.test/lists/{issue}.jwt";
const DAY = 86_400_000;
let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  ca = await makeTestCa(["gw-1"]);
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  vi.useRealTimers();
  s?.stop();
  s = undefined;
});

async function statusOf(s: Scenario, n: number, idx: number): Promise<number | null> {
  const jwt = s.gh.ledgerGit().fileAt(s.gh.ledger.branch, `status/${n}.jwt`)!.content.toString("utf8");
  const verified = await verifyStatusList(jwt, {
    jwks: (await testRecordKey()).jwks,
    uri: LIST.replace("{issue}", String(n)),
    now: new Date(),
  });
  if (!verified.ok) throw new Error(verified.code);
  return verified.list.statusAt(idx);
}

describe("the periodic access review", () => {
  it("reminds the reviewers once when due, suspends the tokens past the grace, and /recertify makes them valid again", async () => {
    let n: number;
    [s, n] = await requestInTokens(ca, key, ["gw-1"], { statusList: { uri: LIST } });
    await tokenRun(s, n, key, 901, ["gw-1"]);
    const wentLive = Date.parse(s.record(n).transitions.find((t) => t.to === "live")!.at);
    vi.useFakeTimers({ toFake: ["Date"] });
    // One clock for the app and the stand-in (comment times, as GitHub stamps them).
    const at = (ms: number) => {
      vi.setSystemTime(ms);
      s!.gh.setClock(new Date(ms).toISOString());
    };

    // Not due yet: nothing but the date.
    at(wentLive + 100 * DAY);
    await s.say(n, "carol", "/status");
    expect(s.record(n).review).toMatchObject({ state: "current" });
    expect(s.labels(n)).not.toContain("needs: access-review");

    // Due: one reminder mentioning the reviewers, the label, the status; a second event: no second reminder.
    at(wentLive + 366 * DAY);
    const before = s.replies(n).length;
    await s.say(n, "carol", "/status");
    await s.say(n, "carol", "/status");
    const reminders = s
      .replies(n)
      .slice(before)
      .filter((r) => r.includes("periodic access review"));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatch(/@acme\/onerecord-reviewers @rita/);
    expect(s.labels(n)).toContain("needs: access-review");
    expect(s.record(n).review).toMatchObject({ state: "due" });
    expect(await statusOf(s, n, 0)).toBe(0);

    // Past the grace: the token is suspended in the status list.
    at(wentLive + 396 * DAY);
    await s.say(n, "carol", "/status");
    expect(s.record(n).review).toMatchObject({ state: "suspended" });
    expect(await statusOf(s, n, 0)).toBe(2);
    expect(s.gh.statusComment(n)!.body).toMatch(/\*\*suspended\*\*/);

    // The requester cannot recertify their own request; a reviewer can, and the token is valid again.
    await s.say(n, "jane", "/recertify all good");
    expect(s.record(n).review).toMatchObject({ state: "suspended" });
    await s.say(n, "tom", "/recertify still needed: contract renewed");
    expect(s.record(n).review).toMatchObject({ state: "current" });
    expect(s.record(n).reviews).toEqual([
      expect.objectContaining({ by: "tom", note: "still needed: contract renewed" }),
    ]);
    expect(await statusOf(s, n, 0)).toBe(0);
    expect(s.labels(n)).not.toContain("needs: access-review");
  });

  it("is reached by the daily sweep: the due-date index holds the review's next step", async () => {
    let n: number;
    // Reviewed every 100 days, 10 days' grace: long before any renewal reminder of the device.
    const access = { access: { reviewEvery: 100, reviewGrace: 10 } };
    // The app's clock is the stand-in's from the start: going live is when the review period starts.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(SCENARIO_START));
    [s, n] = await requestInTokens(ca, key, ["gw-1"], { statusList: { uri: LIST } }, access);
    await tokenRun(s, n, key, 901, ["gw-1"]);
    const wentLive = Date.parse(s.record(n).transitions.find((t) => t.to === "live")!.at);
    expect(s.record(n).review).toMatchObject({ state: "current" });
    const at = (ms: number) => {
      vi.setSystemTime(ms);
      s!.gh.setClock(new Date(ms).toISOString());
    };
    at(wentLive + 111 * DAY);
    const before = s.replies(n).length;
    await s.probot.receive(
      workflowRunEvent(s.gh, {
        id: 7777,
        title: SWEEP_RUN_TITLE,
        path: ".github/workflows/access-sweep.yml",
        event: "schedule",
      }),
    );
    expect(
      s
        .replies(n)
        .slice(before)
        .filter((r) => r.includes("periodic access review")),
    ).toHaveLength(1);
    expect(s.record(n).review).toMatchObject({ state: "suspended" });
    expect(await statusOf(s, n, 0)).toBe(2);
  });
});
