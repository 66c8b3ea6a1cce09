import { stringify } from "yaml";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ledgerFilePath, ledgerFileText } from "../../src/record/ledger-file.js";
import { signRecord } from "../../src/record/signature.js";
import { personOf } from "./helpers/fake-git-routes.js";
import { readLedgerRecord } from "./helpers/ledger-record.js";
import { testRecordKey } from "./helpers/record-key.js";
import type { Scenario } from "./helpers/scenario.js";
import { makeTestCa, mergePr, startScenario, type TestCa } from "./helpers/test-ca.js";
import { commentEvent, workflowRunEvent } from "./helpers/payloads.js";
import { WORKFLOW_BOT } from "./helpers/token-run.js";
import { lastSummary, makeWorkflowKey, runTokenWorkflow, type TokenWorkflowKey } from "./helpers/token-workflow.js";

/**
 * What the token workflow's ledger read costs as the ledger file's history grows (issue 22: "the
 * token workflow reads up to 50 ledger versions one by one"; "requests and bytes independent of
 * the number of ledger versions"). The Action runs from source against the stand-in, after the
 * app took a one-device request to stage tokens and a reviewer's `/status` commands (each writes
 * a version) made the history long. Before, the workflow fetched every version's text (50 GETs of
 * contents for 50 versions); now it reads the head and one listing of the versions' blobs, and
 * the text only of a version that could be the head's copy, which the app, whose records grow,
 * never writes.
 */
const DEVICE = "gw-000";
const RUN_ID = 901;
let ca: TestCa;
let key: TokenWorkflowKey;
let s: Scenario | undefined;

beforeAll(async () => {
  ca = await makeTestCa([DEVICE]);
  key = await makeWorkflowKey();
}, 30_000);
afterEach(() => {
  s?.stop();
  s = undefined;
});

/**
 * A one-device request in stage tokens whose ledger file has `versions` versions; its number. The
 * versions after the merge are the app's as a reviewer's `/status` makes them (the record grows
 * by the command), signed with the app's record key and committed as its bot, GitHub-verified:
 * what 46 `/status` comments would leave, written directly to keep the test short.
 */
async function inTokens(versions: number): Promise<number> {
  s?.stop();
  s = await startScenario(ca, stringify({ tokens: { jwks: key.key.jwks } }));
  const n = await s.open({ devices: [DEVICE] });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  await mergePr(s, 50, { [`certificates/${n}/${DEVICE}.pem`]: ca.leaves.get(DEVICE)! });
  await s.say(n, "rita", "/status");
  const gh = s.gh;
  const recordKey = await testRecordKey();
  for (let count = gh.ledgerHistory(n).length; count < versions; count++) {
    const record = readLedgerRecord(gh.ledgerText(n)!);
    const last = record.commands.at(-1)!;
    const command = { ...last, comment: last.comment + 1, at: gh.tick().replace(/\.\d{3}Z$/, "Z") };
    const text = ledgerFileText(await signRecord({ ...record, commands: [...record.commands, command] }, recordKey));
    commitAsApp(n, text, "status");
  }
  expect(gh.ledgerHistory(n)).toHaveLength(versions);
  return n;
}

/** `text` as request `n`'s ledger file, committed and signed as the app's bot. */
function commitAsApp(n: number, text: string, message: string): void {
  const gh = s!.gh;
  gh.ledgerGit().commitFile(gh.ledger.branch, ledgerFilePath(n), text, message, personOf(gh, gh.bot, gh.tick()), true);
}

/** The token workflow run for `n`: its requests (method and operation) and the comments it posted. */
async function workflow(n: number): Promise<{ calls: string[]; posted: number }> {
  const mark = s!.mark();
  await runTokenWorkflow(s!, n, key.pem, { [`certificates/${n}/${DEVICE}.pem`]: ca.leaves.get(DEVICE)! }, RUN_ID);
  const posted = s!.gh.commentsOn(n).filter((c) => c.user.login === WORKFLOW_BOT.login).length;
  return { calls: s!.callsSince(mark), posted };
}

const contents = (calls: string[]) => calls.filter((c) => c === "GET repos/get-content").length;

describe("the token workflow's ledger read (issue 22)", () => {
  it("costs the same for a file of 50 versions as for one of 5: the head, one listing, no older version's text", async () => {
    const short = await workflow(await inTokens(5));
    const long = await workflow(await inTokens(50));
    expect(short.posted).toBe(1);
    expect(long.posted).toBe(1);
    // Before: 10 requests for 5 versions, 55 for 50 (one contents GET a version).
    expect(long.calls).toEqual(short.calls);
    expect(contents(long.calls)).toBe(1);
    expect(long.calls.length).toBeLessThanOrEqual(6);
  }, 25_000);

  it("still refuses a rollback committed as the app (an older version, re-encoded: other bytes, the same signed content)", async () => {
    const n = await inTokens(12);
    const gh = s!.gh;
    const older = gh.ledgerHistory(n)[6]!.text!;
    const copy = JSON.stringify(JSON.parse(older));
    expect(copy).not.toBe(older);
    // Committed and signed as the app's bot (what a stolen installation token could do).
    commitAsApp(n, copy, "rollback");
    const run = await workflow(n);
    expect(run.posted).toBe(0);
    // The summary is HTML: its parentheses are escaped.
    expect(lastSummary()).toMatch(/does not verify &#40;replayed&#41;: it is a copy of an older version/);
  }, 25_000);
});

/** A 40-device request in stage tokens and its token run's three parts, posted but not yet delivered. */
async function threeParts(before?: (n: number) => Promise<void>) {
  const devices = Array.from({ length: 40 }, (_, i) => `gw-${String(i).padStart(3, "0")}`);
  const many = await makeTestCa(devices);
  s?.stop();
  s = await startScenario(many, stringify({ tokens: { jwks: key.key.jwks } }));
  const n = await s.open({ devices });
  await s.tickAll(n);
  await s.say(n, "tom", "/approve-certification");
  const files = Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, many.leaves.get(d)!]));
  await mergePr(s, 50, files);
  await before?.(n);
  // Posting a part takes time: a few seconds between parts, as between a real run's comments.
  s.gh.beforeRequest = (req) => {
    if (req.method === "POST" && /\/issues\/\d+\/comments$/.test(req.path)) s!.gh.tick(5);
  };
  await runTokenWorkflow(s, n, key.pem, files, RUN_ID);
  s.gh.beforeRequest = undefined;
  const parts = s.gh.commentsOn(n).filter((c) => c.user.login === WORKFLOW_BOT.login);
  expect(parts).toHaveLength(3);
  return { n, parts, devices };
}

/** The scenario of the test running (set by `threeParts`). */
function current(): Scenario {
  return s!;
}

async function completeRun(n: number): Promise<void> {
  const run = s!.gh.runs.get(RUN_ID)!;
  s!.gh.runs.set(RUN_ID, { ...run, status: "completed", conclusion: "success", updated_at: s!.gh.tick() });
  await s!.probot.receive(workflowRunEvent(s!.gh, { id: RUN_ID, title: `Issue tokens for request #${n}` }));
}

/*
 * From the attacker review of issue 22: GitHub pages a listing by number, so comments deleted
 * between its pages shift the rest, and the first of the next page is in neither; a comment can
 * also show in a listing later than its time says. An event that lists only what changed since
 * its record must not lose an issuance part that way: a run with a part never read is read whole
 * until every part is, and a pending report the listing lacks is read by id.
 */
describe("issuance parts a listing skipped (issue 22's review)", () => {
  it("a part skipped while comments are deleted between the pages of the last part's listing is judged at the run's completion", async () => {
    const { n, parts, devices } = await threeParts(async (n) => {
      for (let i = 0; i < 100; i++) s!.gh.addComment(n, `chat ${i}`, "mallory");
    });
    for (const part of parts.slice(0, -1)) await s!.probot.receive(commentEvent(s!.gh, "created", part));
    const chat = s!.gh.commentsOn(n).filter((c) => c.user.login === "mallory");
    s!.gh.beforeRequest = (req) => {
      if (/\/issues\/\d+\/comments$/.test(req.path) && /[?&]page=2\b/.test(req.query ?? "") && chat.length > 0) {
        for (const c of chat.splice(0, 2)) s!.gh.comments.delete(c.id);
      }
    };
    await s!.probot.receive(commentEvent(s!.gh, "created", parts.at(-1)!));
    s!.gh.beforeRequest = undefined;
    // The listing skipped at least one part: the record holds fewer than three.
    expect(s!.record(n).issuanceComments.length).toBeLessThan(3);
    await completeRun(n);
    expect(s!.record(n).stage).toBe("live");
    expect(s!.record(n).issuance).toHaveLength(devices.length);
  }, 25_000);

  it("a pending part skipped while comments are deleted between the pages of the completion's listing is read by id", async () => {
    const { n, parts, devices } = await threeParts(async (n) => {
      for (let i = 0; i < 100; i++) s!.gh.addComment(n, `chat ${i}`, "mallory");
    });
    for (const part of parts) await s!.probot.receive(commentEvent(s!.gh, "created", part));
    expect(s!.record(n).issuanceComments.filter((j) => j.pending)).toHaveLength(3);
    // Edited, the chat comments enter the completion's listing, ahead of the parts (creation order).
    const chat = s!.gh.commentsOn(n).filter((c) => c.user.login === "mallory");
    for (const c of chat) s!.gh.comments.set(c.id, { ...c, body: `${c.body}!`, updated_at: s!.gh.tick() });
    s!.gh.beforeRequest = (req) => {
      if (/\/issues\/\d+\/comments$/.test(req.path) && /[?&]page=2\b/.test(req.query ?? "") && chat.length > 0) {
        for (const c of chat.splice(0, 2)) s!.gh.comments.delete(c.id);
      }
    };
    await completeRun(n);
    s!.gh.beforeRequest = undefined;
    expect(s!.record(n).stage).toBe("live");
    expect(s!.record(n).issuance).toHaveLength(devices.length);
  }, 25_000);

  it("a part that shows in the listings late is judged when it shows, not lost behind the record's horizon", async () => {
    const { n, parts, devices } = await threeParts();
    const [first] = parts;
    // The first part is not in the listings yet (a lagging replica) when a reviewer's /status reads.
    s!.gh.comments.delete(first!.id);
    await s!.say(n, "rita", "/status");
    expect(s!.record(n).issuanceComments.map((j) => j.comment)).not.toContain(first!.id);
    s!.gh.comments.set(first!.id, first!);
    for (const part of parts) await s!.probot.receive(commentEvent(s!.gh, "created", part));
    await completeRun(n);
    expect(s!.record(n).stage).toBe("live");
    expect(s!.record(n).issuance).toHaveLength(devices.length);
  }, 25_000);
});

describe("a token run of several parts (issue 22: a 500-device run posts 28)", () => {
  it("the earlier parts' webhooks cost no request; the last part's event and the run's completion judge every part", async () => {
    const { n, parts, devices } = await threeParts();
    const s = current();
    const mark = s.mark();
    for (const part of parts.slice(0, -1)) await s.probot.receive(commentEvent(s.gh, "created", part));
    expect(s.callsSince(mark)).toEqual([]);
    await s.probot.receive(commentEvent(s.gh, "created", parts.at(-1)!));
    // Every part is judged (pending on its run), though only the last part's webhook ran.
    expect(
      s
        .record(n)
        .issuanceComments.map((c) => c.comment)
        .sort(),
    ).toEqual(parts.map((c) => c.id).sort());
    await completeRun(n);
    expect(s.record(n).stage).toBe("live");
    expect(s.record(n).issuance).toHaveLength(devices.length);
    // The app's whole side of the run, whatever its number of parts: before, about five requests
    // a part, and one GET a part again at the completion.
    const calls = s.callsSince(mark);
    expect(calls.filter((c) => c === "GET issues/get-comment")).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(25);
  }, 25_000);
});
