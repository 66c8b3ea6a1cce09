import { stringify } from "yaml";
import { SWEEP_RUN_TITLE } from "../src/app/handlers/sweep.js";
import { DUE_INDEX_PATH, signDueIndex, verifyDueIndex } from "../src/record/due-index.js";
import { loadRecordSigningKey } from "../src/record/record-signing-key.js";
import { FakeGitHub } from "../test/app/helpers/fake-github.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import { workflowRunEvent } from "../test/app/helpers/payloads.js";
import { testRecordKey, testRecordSecret } from "../test/app/helpers/record-key.js";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { makeTestCa, mergePr, startScenario } from "../test/app/helpers/test-ca.js";
import { makeTokenKey, tokenRun } from "../test/app/helpers/token-run.js";

/**
 * The expiry watch's sweep cost (issue 19: "a sweep of 1,000 live requests of which 10 are due
 * costs at most 30 API requests"), on the fake GitHub: 10 requests taken live through the whole
 * flow, 990 more live requests as entries of the signed due-date index whose next reminder is
 * months away (the sweep never touches their records: that is what the index is for), then one
 * sweep that finds the 10 due. Counted at the HTTP layer, as bench/app.ts counts events; a
 * GraphQL request counts as one (GitHub also charges GraphQL points: a query of 20 issues with
 * 100 comments each costs about 1 point of 5,000 an hour).
 */

const DUE = 10;
const NOT_DUE = 990;
const DEVICES = ["gateway-01", "gateway-02"];
const DAY = 86_400_000;

export async function benchSweep(): Promise<string[]> {
  const ca = await makeTestCa(DEVICES);
  const tokenKey = await makeTokenKey();
  const s = await startScenario(ca, stringify({ tokens: { jwks: tokenKey.jwks } }));
  try {
    for (let i = 0; i < DUE; i++) {
      const n = await s.open({ devices: DEVICES });
      await s.tickAll(n);
      await s.say(n, "tom", "/approve-certification");
      await mergePr(
        s,
        500 + i,
        Object.fromEntries(DEVICES.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!])),
      );
      await tokenRun(s, n, tokenKey, 900 + i, DEVICES);
    }
    const first = Date.parse(await padIndex(s));
    // An index never completed from the records (an upgrade from before it): the first sweep scans them.
    s.gh.setClock(new Date(first - 3600_000).toISOString());
    const upgrade = await sweep(s, 7000);
    // The tokens (a year) end before the certificates; an hour past the first 30-day crossing, all 10 have crossed.
    s.gh.setClock(new Date(first + 3600_000).toISOString());
    const warm = await sweep(s, 7001);
    const repeat = await sweep(s, 7002);
    // A fresh process (after a restart, or another instance): the ledger heads' texts are read too.
    s.gh.setClock(new Date(first + 16 * DAY + 3600_000).toISOString());
    s.probot = await s.secondInstance();
    const cold = await sweep(s, 7003);
    const replies = [...s.gh.issues.keys()].map((n) => s.replies(n).filter((r) => r.includes("reminder")).length);
    if (replies.some((r) => r !== 2))
      throw new Error(`bench: expected 2 reminders per request, got ${replies.join(",")}`);
    return [
      "",
      `### Expiry sweep: ${DUE + NOT_DUE} live requests in the due-date index, ${DUE} due`,
      "",
      "| sweep | HTTP | rate-limited | target | calls |",
      "| --- | ---: | ---: | ---: | --- |",
      row(`none due, the index never completed from the records (after an upgrade): ${DUE} records scanned`, upgrade),
      row(`${DUE} due, each crossing 30 days (the process wrote their records: texts held)`, warm),
      row("the same sweep again (nothing due)", repeat),
      row(`${DUE} due, each crossing 14 days, a fresh process`, cold),
      "",
      "The due requests are swept as one batch (src/app/sweep-batch.ts): one GraphQL query reads their issues, comments and ledger files, one ledger commit holds their new records, a PATCH each sets labels and state, one GraphQL mutation posts the status comments and reminders; a fresh process asks the bot's id once more. Completing an index from the records (once, after an upgrade or an index that did not verify) lists records/ in one query and reads 50 records per query.",
    ];
  } finally {
    s.stop();
  }
}

/** The index as the app wrote it for the 10, plus 990 requests whose next reminder is months away; returns the 10's earliest `next`. */
async function padIndex(s: Scenario): Promise<string> {
  const { jwks } = await testRecordKey();
  const git = s.gh.ledgerGit();
  const text = git.fileAt(s.gh.ledger.branch, DUE_INDEX_PATH)!.content.toString("utf8");
  const verdict = await verifyDueIndex(text, jwks, "acme/access-requests");
  if (!verdict.ok || verdict.index.entries.length !== DUE)
    throw new Error("bench: the app did not index the 10 requests");
  const first = Math.min(...verdict.index.entries.map((e) => Date.parse(e.next)));
  const later = new Date(first + 200 * DAY).toISOString();
  const padding = Array.from({ length: NOT_DUE }, (_, i) => ({ issue: 10_000 + i, next: later }));
  const index = { ...verdict.index, entries: [...verdict.index.entries, ...padding] };
  const signed = await signDueIndex(index, await loadRecordSigningKey(testRecordSecret()));
  git.commitFile(s.gh.ledger.branch, DUE_INDEX_PATH, signed, "bench: 990 more", personOf(s.gh, s.gh.bot, s.gh.now()));
  return new Date(first).toISOString();
}

async function sweep(s: Scenario, id: number) {
  const from = s.gh.requests.length;
  const event = workflowRunEvent(s.gh, {
    id,
    title: SWEEP_RUN_TITLE,
    path: ".github/workflows/access-sweep.yml",
    event: "schedule",
  });
  await s.probot.receive(event);
  const calls = s.gh.apiCallsSince(from);
  return { http: calls.length, limited: FakeGitHub.rateLimited(calls).length, calls: summarize(calls) };
}

function row(what: string, r: { http: number; limited: number; calls: string }): string {
  return `| ${what} | ${r.http} | ${r.limited} | ≤ 30 ${r.limited <= 30 ? "✓" : "✗"} | ${r.calls} |`;
}

function summarize(calls: ReturnType<FakeGitHub["apiCallsSince"]>): string {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const op = `${c.method} ${c.operationId ?? c.path}${c.status === 304 ? " (304)" : ""}`;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts].map(([op, n]) => (n > 1 ? `${n}× ${op}` : op)).join(", ");
}
