import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { SWEEP_RUN_TITLE } from "../../src/app/handlers/sweep.js";
import type { SigningKey } from "../../src/tokens/signing-key.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile } from "../helpers/pki.js";
import { workflowRunEvent } from "./helpers/payloads.js";
import type { Scenario } from "./helpers/scenario.js";
import { mergePr, startScenario, type TestCa, extraCaConfig } from "./helpers/test-ca.js";
import { makeTokenKey, tokenRun } from "./helpers/token-run.js";

/**
 * The expiry sweep's batch (src/app/sweep-batch.ts; issue 19, "a sweep of 1,000 live requests
 * of which 10 are due costs at most 30 rate-limited API requests"): the due requests read in one
 * GraphQL query, their records written in one ledger commit, their comments in one mutation —
 * and whatever the batch cannot take whole, or loses a race for, synced the ordinary way, with
 * the same outcome: one reminder per threshold.
 */
const DAY = 86_400_000;
const at = (days: number) => new Date(AT.getTime() + days * DAY).toISOString();
const DEVICES = ["gw-1", "gw-2"];

let ca: TestCa;
let key: SigningKey;
beforeAll(async () => {
  const root = await makeRoot({ cn: "Batch Test Root" });
  const intermediate = await makeIntermediate(root, { cn: "Batch Test Intermediate" });
  ca = {
    config: "",
    leaves: new Map([
      ["gw-1", pemFile(await makeLeaf(intermediate, { cn: "gw-1" }), intermediate)],
      ["gw-2", pemFile(await makeLeaf(intermediate, { cn: "gw-2", notAfter: new Date(at(100)) }), intermediate)],
    ]),
  };
  ca.config = extraCaConfig(root.pem, "Test CA");
  key = await makeTokenKey();
});

let s: Scenario | undefined;
afterEach(() => {
  s?.stop();
  s = undefined;
});

/** `count` live requests (gw-2's certificate ends at AT + 100 d: each is due at AT + 70 d). */
async function liveRequests(count: number): Promise<[Scenario, number[]]> {
  const scenario = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
  s = scenario;
  const issues: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = await scenario.open({ devices: DEVICES });
    await scenario.tickAll(n);
    await scenario.say(n, "tom", "/approve-certification");
    await mergePr(
      scenario,
      500 + i,
      Object.fromEntries(DEVICES.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!])),
    );
    await tokenRun(scenario, n, key, 900 + i, DEVICES);
    expect(scenario.record(n).stage).toBe("live");
    issues.push(n);
  }
  return [scenario, issues];
}

let runs = 8000;
function sweep(s: Scenario) {
  return s.probot.receive(
    workflowRunEvent(s.gh, {
      id: runs++,
      title: SWEEP_RUN_TITLE,
      path: ".github/workflows/access-sweep.yml",
      event: "schedule",
    }),
  );
}

function reminders(s: Scenario, n: number): string[] {
  return s.replies(n).filter((r) => r.includes("onerecord-access:reminder"));
}

describe("the expiry sweep's batch", () => {
  it("reads the due requests in one query, writes their records in one commit by the app and their comments in one mutation", async () => {
    const [s, issues] = await liveRequests(3);
    await sweep(s); // nothing due yet: the index is completed from the records once (below)
    s.gh.setClock(at(71));
    const commits = s.gh.ledgerCommits().length;
    const mark = s.mark();
    await sweep(s);
    const calls = s.callsSince(mark);
    // One query, one mutation; the records in one commit (tree, commit, ref); one PATCH each.
    expect(calls.filter((c) => c === "POST graphql")).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith("POST git/") || c.startsWith("PATCH git/"))).toEqual([
      "POST git/create-tree",
      "POST git/create-commit",
      "PATCH git/update-ref",
    ]);
    expect(calls.filter((c) => c === "PATCH issues/update")).toHaveLength(3);
    expect(calls).not.toContain("GET issues/list-comments");
    expect(calls).not.toContain("POST issues/create-comment");
    // The records' commit (and the index's after it) — GitHub's, signed, made by the app's bot.
    const made = s.gh.ledgerCommits().slice(0, s.gh.ledgerCommits().length - commits);
    expect(made).toHaveLength(2);
    const batch = made[1]!;
    expect(batch).toMatchObject({ signedByGitHub: true, author: { name: s.gh.bot.login } });
    expect(batch.message).toBe(`onerecord-access: expiry sweep of ${issues.map((n) => `#${n}`).join(", ")}`);
    for (const n of issues) {
      expect(reminders(s, n)).toHaveLength(1);
      expect(s.record(n).reminders).toHaveLength(1);
      expect(s.labels(n)).toContain("needs: renewal");
      expect(s.gh.issues.get(n)!.state).toBe("open");
      expect(s.gh.statusComment(n)!.body).toMatch(/`gw-2`: \*\*renewal due\*\*/);
    }
    // The same sweep again: nothing more to tell.
    await sweep(s);
    for (const n of issues) expect(reminders(s, n)).toHaveLength(1);
    // The 14-day sweep in a fresh process reads the records the batch committed through GraphQL:
    // the commit is taken for the app's (no integrity incident), and each request is told once more.
    s.probot = await s.secondInstance();
    s.gh.setClock(at(87));
    await sweep(s);
    for (const n of issues) {
      expect(reminders(s, n)).toHaveLength(2);
      expect(s.record(n).integrity).toEqual([]);
    }
  });

  it("trusts a record only from the app's commit: one pushed by someone else is recovered from, as any sync does", async () => {
    const [s, [first, second]] = await liveRequests(2);
    // Someone with push access commits a copy of an older, genuinely signed version of the first's record.
    const older = s.gh.ledgerHistory(first!)[1]!.text!;
    const pushed = s.gh.pushLedger(first!, older);
    s.gh.setClock(at(71));
    await sweep(s);
    // The copy is not the app's: the app restored its own newest version, said so, and reminded both once.
    expect(s.record(first!).integrity.at(-1)).toMatchObject({
      kind: "tampered",
      code: "not-by-app",
      commit: pushed.sha,
    });
    expect(s.record(first!).stage).toBe("live");
    expect(reminders(s, first!)).toHaveLength(1);
    expect(reminders(s, second!)).toHaveLength(1);
  });

  it("syncs a request it cannot read whole (over 100 comments) the ordinary way, reminding it once", async () => {
    const [s, [busy, quiet]] = await liveRequests(2);
    for (let i = 0; i < 101; i++) s.gh.addComment(busy!, `thanks ${i}`, "jane");
    s.gh.setClock(at(71));
    const mark = s.mark();
    await sweep(s);
    const calls = s.callsSince(mark);
    expect(calls.filter((c) => c === "GET issues/list-comments").length).toBeGreaterThan(0);
    expect(reminders(s, busy!)).toHaveLength(1);
    expect(reminders(s, quiet!)).toHaveLength(1);
  });

  it("when the ledger moves between its read and its commit, writes nothing of the batch and syncs each request once", async () => {
    const [s, issues] = await liveRequests(2);
    s.gh.setClock(at(71));
    let moved = false;
    s.gh.beforeRequest = (req) => {
      if (moved || req.operationId !== "git/create-tree") return;
      moved = true;
      // Another writer's commit lands on the ledger branch (a record of another request).
      s.gh.ledgerGit().commitFile(s.gh.ledger.branch, "records/999.json", "{}", "other", {
        name: s.gh.bot.login,
        email: "x@example.com",
        date: s.gh.now(),
      });
    };
    const mark = s.mark();
    await sweep(s);
    s.gh.beforeRequest = undefined;
    expect(moved).toBe(true);
    const calls = s.callsSince(mark);
    // The batch's ref update was refused as not a fast forward; each request then synced alone.
    expect(calls.filter((c) => c === "PATCH git/update-ref")).toHaveLength(1);
    expect(calls.filter((c) => c === "GET issues/list-comments")).toHaveLength(2);
    for (const n of issues) {
      expect(reminders(s, n)).toHaveLength(1);
      expect(s.record(n).reminders).toHaveLength(1);
    }
  });
});

describe("the batch's failures stay its own", () => {
  it("a request whose issue is gone at its PATCH keeps no other request's reminder from being posted", async () => {
    const [s, [a, b]] = await liveRequests(2);
    s.gh.setClock(at(71));
    let patched = 0;
    s.gh.beforeRequest = (req) => {
      // The second request's issue disappears (transferred, deleted) just before its PATCH.
      if (req.operationId === "issues/update" && ++patched === 2) s.gh.issues.delete(b!);
    };
    await sweep(s).catch(() => undefined); // b's ordinary sync fails too: the event fails, logged
    s.gh.beforeRequest = undefined;
    expect(s.record(a!).reminders).toHaveLength(1);
    expect(reminders(s, a!)).toHaveLength(1);
    expect(s.labels(a!)).toContain("needs: renewal");
  });

  it("a status comment deleted before the mutation: the reminders are posted, that request synced alone, the index written", async () => {
    const [s, [a, b]] = await liveRequests(2);
    s.gh.setClock(at(71));
    s.gh.beforeRequest = (req) => {
      const query = (req.body as { query?: string } | undefined)?.query ?? "";
      if (req.operationId !== "graphql" || !query.startsWith("mutation")) return;
      s.gh.beforeRequest = undefined;
      s.gh.comments.delete(s.gh.statusComment(a!)!.id);
    };
    await sweep(s);
    for (const n of [a!, b!]) {
      expect(reminders(s, n)).toHaveLength(1);
      expect(s.gh.statusComment(n)!.body).toMatch(/`gw-2`: \*\*renewal due\*\*/);
    }
    // The index moved on for both: nothing is due until the 14-day threshold.
    const mark = s.mark();
    await sweep(s);
    expect(s.callsSince(mark).filter((c) => c === "POST graphql")).toHaveLength(0);
  });
});

describe("completing the due-date index from the records", () => {
  const INDEX = "index/due.json";
  function indexOf(s: Scenario) {
    const text = s.gh.ledgerGit().fileAt(s.gh.ledger.branch, INDEX)?.content.toString("utf8");
    return text === undefined
      ? null
      : (JSON.parse(Buffer.from(JSON.parse(text).payload, "base64url").toString("utf8")) as {
          scannedAt?: string;
          entries: Array<{ issue: number; next: string }>;
        });
  }
  function botCommit(s: Scenario, path: string, text: string | null) {
    const who = { name: s.gh.bot.login, email: "bot@example.com", date: s.gh.now() };
    s.gh.ledgerGit().commitFile(s.gh.ledger.branch, path, text, `set ${path}`, who, true);
  }

  it("watches the live requests of an upgrade (no index yet) from the first sweep, and scans once", async () => {
    const [s, issues] = await liveRequests(2);
    botCommit(s, INDEX, null); // as before the index existed
    botCommit(s, "records/77.json", "not a record"); // a file that does not verify enters nothing
    s.gh.setClock(at(71));
    const mark = s.mark();
    await sweep(s);
    const index = indexOf(s)!;
    expect(Number.isFinite(Date.parse(index.scannedAt!))).toBe(true);
    expect(index.entries.map((e) => e.issue)).toEqual(issues);
    for (const n of issues) expect(reminders(s, n)).toHaveLength(1);
    // The listing and one query for the texts, then the batch's own query and mutation.
    expect(s.callsSince(mark).filter((c) => c === "POST graphql")).toHaveLength(4);
    const again = s.mark();
    await sweep(s);
    expect(s.callsSince(again).filter((c) => c === "POST graphql")).toHaveLength(0);
    expect(indexOf(s)!.scannedAt).toBe(index.scannedAt);
  });

  it("rebuilds an index that does not verify from the records, so no live request goes unwatched", async () => {
    const [s, issues] = await liveRequests(2);
    botCommit(s, INDEX, '{"payload":"e30","protected":"e30","signature":"AA"}');
    s.gh.setClock(at(71));
    await sweep(s);
    expect(indexOf(s)!.entries.map((e) => e.issue)).toEqual(issues);
    expect(indexOf(s)!.scannedAt).toBeDefined();
    for (const n of issues) expect(reminders(s, n)).toHaveLength(1);
  });
});
