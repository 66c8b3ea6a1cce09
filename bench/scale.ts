import { stringify } from "yaml";
import { DUE_INDEX_PATH, emptyDueIndex, signDueIndex, withDueEntry } from "../src/record/due-index.js";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import { testRecordKey } from "../test/app/helpers/record-key.js";
import { makeTestCa, mergePr, startScenario } from "../test/app/helpers/test-ca.js";
import { makeTokenKey, tokenRun } from "../test/app/helpers/token-run.js";

/**
 * What each event of a request costs as it grows (issue 22, part 1): API requests, rate-limited
 * requests and bytes downloaded per event, for a request of 1, 100 and 500 devices taken through
 * the app on the stand-in (intake, approval, the merge of its certificate pull request, the token
 * run's issuance comment and completion, a `/status` once live); then the 1-device request again
 * in a repository that holds 1,000 other requests (their issues, status comments and ledger
 * records, made through the app, and 1,000 entries in the due-date index). Counted at the HTTP
 * layer: counts and bytes, never timings.
 */
const SIZES = [1, 100, 500];
const OTHERS = 1000;

interface Cost {
  requests: number;
  rateLimited: number;
  bytes: number;
}

export async function benchScale(): Promise<string[]> {
  const rows: string[] = [];
  for (const count of SIZES) rows.push(...(await lineup(count, 0)));
  rows.push(...(await lineup(1, OTHERS)));
  return [
    "",
    "### Per event, by the request's size (the app's side; the token workflow's own requests are not here)",
    "",
    "| devices | event | requests | rate-limited | downloaded |",
    "| ---: | --- | ---: | ---: | ---: |",
    ...rows,
    "",
    "Targets (issue 22): merge re-validation ≤ 10 + ⌈N/100⌉ requests; a `/status` on a live 500-device request ≤ 200 KiB; any event independent of the number of earlier comments and ledger versions, and of the other requests in the repository.",
  ];
}

/** One request of `count` devices from intake to a `/status` once live, after `others` other requests were opened. */
async function lineup(count: number, others: number): Promise<string[]> {
  const devices = Array.from({ length: count }, (_, i) => `gw-${String(i).padStart(3, "0")}`);
  const ca = await makeTestCa(devices);
  const key = await makeTokenKey();
  const s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
  try {
    if (others > 0) await openOthers(s, others);
    const label = others > 0 ? `${count} (${others.toLocaleString("en")} other requests)` : String(count);
    let n = 0;
    const intake = await cost(s, async () => {
      n = await s.open({ devices });
    });
    await s.tickAll(n);
    const approval = await cost(s, () => s.say(n, "tom", "/approve-certification").then(() => undefined));
    const files = Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!]));
    const merge = await cost(s, () => mergePr(s, 50, files));
    const tokens = await cost(s, () => tokenRun(s, n, key, 900, devices).then(() => undefined));
    if (s.record(n).stage !== "live") throw new Error(`bench: the ${count}-device request is not live`);
    const status = await cost(s, () => s.say(n, "rita", "/status").then(() => undefined));
    return [
      line(label, "intake", intake),
      line(label, "/approve-certification", approval),
      line(label, `merge of the ${count}-certificate pull request`, merge),
      line(label, "token run: issuance comment and run completed", tokens),
      line(label, "/status once live", status),
    ];
  } finally {
    s.stop();
  }
}

/**
 * Other requests in the same repository: each opened through the app (its issue, status comment
 * and signed ledger record), then a due-date index holding an entry for each, as live requests
 * would have (signed with the app's record key and committed by the app).
 */
async function openOthers(s: Scenario, others: number): Promise<void> {
  const opened: number[] = [];
  for (let i = 0; i < others; i++) opened.push(await s.open({ devices: [`other-${i}`] }));
  const repository = `${s.gh.owner}/${s.gh.repo}`;
  const now = s.gh.now();
  let index = emptyDueIndex(repository, now);
  for (const issue of opened) index = withDueEntry(index, issue, "2027-06-01T00:00:00Z", now);
  const text = await signDueIndex(index, await testRecordKey());
  const bot = personOf(s.gh, s.gh.bot, s.gh.tick());
  s.gh.ledgerGit().commitFile(s.gh.ledger.branch, DUE_INDEX_PATH, text, "onerecord-access: due-date index", bot);
}

async function cost(s: Scenario, run: () => Promise<void>): Promise<Cost> {
  const mark = s.mark();
  await run();
  const calls = s.gh.apiCallsSince(mark);
  return {
    requests: calls.length,
    rateLimited: calls.filter((r) => r.status !== 304).length,
    bytes: calls.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
  };
}

function line(devices: string, event: string, c: Cost): string {
  const size =
    c.bytes >= 1024 * 1024 ? `${(c.bytes / 1024 / 1024).toFixed(1)} MiB` : `${(c.bytes / 1024).toFixed(0)} KiB`;
  return `| ${devices} | ${event} | ${c.requests} | ${c.rateLimited} | ${size} |`;
}
