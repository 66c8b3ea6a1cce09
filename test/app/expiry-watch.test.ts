import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_RUN_TITLE } from "../../src/app/handlers/sweep.js";
import { verifyDueIndex } from "../../src/record/due-index.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile } from "../helpers/pki.js";
import { workflowRunEvent, type RunSpec } from "./helpers/payloads.js";
import { testRecordKey } from "./helpers/record-key.js";
import type { Scenario } from "./helpers/scenario.js";
import { mergePr, type TestCa, extraCaConfig } from "./helpers/test-ca.js";
import { makeTokenKey, requestInTokens, tokenRun } from "./helpers/token-run.js";

/**
 * The expiry watch (issue 19 item 1, ../shared/SPEC.md H): a successful run of the no-op sweep
 * workflow on the default branch makes the app read its due-date index and remind the requests
 * whose devices cross a threshold — once per threshold, whatever the sweeps, instances and
 * redeliveries. On the GitHub stand-in, its clock moved by the test.
 *
 * gw-1: certificate until AT + 365 d, token until about AT + 355 d (due: the token).
 * gw-2: certificate until AT + 100 d, token later (due: the certificate).
 */
const DAY = 86_400_000;
const at = (days: number) => new Date(AT.getTime() + days * DAY).toISOString();
const SWEEP = ".github/workflows/access-sweep.yml";

let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  const root = await makeRoot({ cn: "Sweep Test Root" });
  const intermediate = await makeIntermediate(root, { cn: "Sweep Test Intermediate" });
  const leaves = new Map<string, Uint8Array>([
    ["gw-1", pemFile(await makeLeaf(intermediate, { cn: "gw-1" }), intermediate)],
    ["gw-2", pemFile(await makeLeaf(intermediate, { cn: "gw-2", notAfter: new Date(at(100)) }), intermediate)],
    ["gw-2-renewed", pemFile(await makeLeaf(intermediate, { cn: "gw-2", notAfter: new Date(at(800)) }), intermediate)],
  ]);
  ca = {
    config: extraCaConfig(root.pem, "Test CA"),
    leaves,
  };
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
  expect(s.gh.issues.get(n)!.state).toBe("closed");
  return [s, n];
}

let runs = 7000;
function sweepEvent(s: Scenario, spec: Partial<RunSpec> = {}) {
  return workflowRunEvent(s.gh, { id: runs++, title: SWEEP_RUN_TITLE, path: SWEEP, event: "schedule", ...spec });
}

/** The app's reminder comments on the request. */
function reminders(s: Scenario, n: number): string[] {
  return s.replies(n).filter((r) => r.includes("onerecord-access:reminder"));
}

describe("the expiry watch", () => {
  it("indexes a live request at issuance, signed, with its first reminder's time", async () => {
    const [s, n] = await live();
    const text = s.gh.ledgerGit().fileAt(s.gh.ledger.branch, "index/due.json")?.content.toString("utf8");
    const verdict = await verifyDueIndex(text, (await testRecordKey()).jwks, "acme/access-requests");
    if (!verdict.ok) throw new Error(verdict.code);
    // gw-2's certificate ends at AT + 100 d: its 30-day reminder falls at AT + 70 d.
    expect(verdict.index.entries).toEqual([{ issue: n, next: at(70) }]);
    expect(s.record(n).dueIndexed).toBe(at(70));
  });

  it("reminds once at 30 days: one comment mentioning the requester, needs: renewal, issue reopened, status renewal due", async () => {
    const [s, n] = await live();
    s.gh.setClock(at(71));
    const event = sweepEvent(s);
    await s.probot.receive(event);
    expect(reminders(s, n)).toHaveLength(1);
    const reminder = reminders(s, n)[0]!;
    expect(reminder).toMatch(/^@jane /m);
    expect(reminder).toMatch(/`gw-2`: \*\*renewal due\*\* by 2026-09-09/);
    expect(reminder).toMatch(
      /renew the certificate of `gw-2`: commit the renewed certificate at `certificates\/1\/gw-2\.pem`/,
    );
    expect(reminder).not.toMatch(/gw-1/);
    expect(s.labels(n)).toContain("needs: renewal");
    expect(s.gh.issues.get(n)).toMatchObject({ state: "open", state_reason: "reopened" });
    const status = s.gh.statusComment(n)!.body;
    expect(status).toMatch(/### Renewal/);
    expect(status).toMatch(/`gw-2`: \*\*renewal due\*\* by 2026-09-09/);
    expect(s.record(n)).toMatchObject({
      stage: "live",
      reminders: [{ device: "gw-2", threshold: 30, due: expect.stringMatching(/^2026-09-09/), renew: "certificate" }],
      dueIndexed: at(86),
    });

    // A second sweep, a redelivery, a second app instance: no second reminder for 30 days.
    await s.probot.receive(sweepEvent(s));
    await s.probot.receive(event);
    await (await s.secondInstance()).receive(event);
    expect(reminders(s, n)).toHaveLength(1);
    expect(s.record(n).reminders).toHaveLength(1);

    // Crossing 14 days: one more.
    s.gh.setClock(at(87));
    await s.probot.receive(sweepEvent(s));
    expect(reminders(s, n)).toHaveLength(2);
    expect(s.record(n).reminders?.map((r) => r.threshold)).toEqual([30, 14]);
  });

  it("closes the issue again once the renewal is done: the request stayed live throughout", async () => {
    const [s, n] = await live();
    s.gh.setClock(at(71));
    await s.probot.receive(sweepEvent(s));
    expect(s.gh.issues.get(n)!.state).toBe("open");
    // gw-2's renewed certificate merged: still live, gw-2 owed a token (dispatched), issue open.
    await mergePr(s, 51, { [`certificates/${n}/gw-2.pem`]: ca.leaves.get("gw-2-renewed")! }, "51".padEnd(40, "b"));
    expect(s.record(n).stage).toBe("live");
    expect(s.labels(n)).toEqual(expect.arrayContaining(["access: live", "needs: tokens"]));
    expect(s.gh.issues.get(n)!.state).toBe("open");
    // Its token issued: nothing owed any more, the issue closed as completed.
    await tokenRun(s, n, key, 902, ["gw-2"]);
    expect(s.labels(n)).toEqual(["access: live"]);
    expect(s.gh.issues.get(n)).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  it("two instances sweeping at once, both finding the request due in the index: the ledger lets one remind", async () => {
    const [s, n] = await live();
    s.gh.setClock(at(71));
    const event = sweepEvent(s);
    const other = await s.secondInstance();
    const mark = s.mark();
    await Promise.all([s.probot.receive(event), other.receive(event)]);
    // Both read the index before either wrote it, so both read the request in their batch (each
    // first completing the index from the records); whichever committed its record second, or
    // read after the first's commit, found the reminder recorded…
    const calls = s.callsSince(mark);
    expect(calls.filter((c) => c === "POST graphql").length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((c) => c === "PATCH git/update-ref").length).toBeGreaterThanOrEqual(1);
    // …and the record's compare-and-swap let exactly one of them record and tell the reminder.
    expect(reminders(s, n)).toHaveLength(1);
    expect(s.record(n).reminders).toHaveLength(1);
  });

  it("shows an expired device as expired while the others stay live, and advises a new token when only the token is due", async () => {
    const [s, n] = await live();
    s.gh.setClock(at(101));
    await s.probot.receive(sweepEvent(s));
    // Several thresholds crossed at once are recorded together and told once.
    expect(reminders(s, n)).toHaveLength(1);
    expect(reminders(s, n)[0]).toMatch(/`gw-2`: \*\*expired\*\* on 2026-09-09/);
    expect(s.record(n).reminders?.map((r) => r.threshold)).toEqual([30, 14, 7, 1, 0]);
    expect(s.gh.statusComment(n)!.body).toMatch(/`gw-2`: \*\*expired\*\* on 2026-09-09/);
    expect(s.record(n).stage).toBe("live");

    // gw-1's token ends at about AT + 355 d; its certificate (AT + 365 d) has more than 30 days left.
    s.gh.setClock(at(326));
    await s.probot.receive(sweepEvent(s));
    expect(reminders(s, n)).toHaveLength(2);
    const token = reminders(s, n)[1]!;
    expect(token).toMatch(/`gw-1`: \*\*renewal due\*\*/);
    expect(token).toMatch(/a new token for `gw-1`, for the same certificate/);
    expect(token).not.toMatch(/gw-2/);
  });

  it.each([
    ["another workflow's run", { path: ".github/workflows/ci.yml" }],
    ["the sweep workflow on another branch", { branch: "feature" }],
    ["a failed run", { conclusion: "failure" as const }],
    ["a cancelled run", { conclusion: "cancelled" as const }],
    ["a push-triggered run", { event: "push" }],
  ])("sweeps nothing for %s", async (_, spec) => {
    const [s, n] = await live();
    s.gh.setClock(at(71));
    const versions = s.gh.ledgerHistory(n).length;
    await s.probot.receive(sweepEvent(s, spec));
    expect(reminders(s, n)).toHaveLength(0);
    expect(s.gh.ledgerHistory(n).length).toBe(versions);
    expect(s.gh.issues.get(n)!.state).toBe("closed");
  });
});
