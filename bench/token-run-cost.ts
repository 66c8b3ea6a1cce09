import { stringify } from "yaml";
import type { LoggedRequest } from "../test/app/helpers/fake-github.js";
import { commentEvent, workflowRunEvent } from "../test/app/helpers/payloads.js";
import { makeTestCa, mergePr, startScenario } from "../test/app/helpers/test-ca.js";
import { WORKFLOW_BOT } from "../test/app/helpers/token-run.js";
import { makeWorkflowKey, runTokenWorkflow } from "../test/app/helpers/token-workflow.js";

/**
 * A whole token run (issue 22, part 1), both sides on one stand-in: the token workflow (the
 * Action's mode issue-tokens, run in process from source, its Octokit's fetch seen by the
 * stand-in's nock) reads the request and its ledger and posts the issuance comment(s); the app
 * then takes each comment and the run's completion. Requests and bytes at the HTTP layer, for a
 * request of 1, 100 and 500 devices; never timings. Target: at most 60 requests for 500 devices.
 */
const SIZES = [1, 100, 500];
const RUN_ID = 900;

export interface RunCost {
  requests: number;
  bytes: number;
  /** GET contents of the ledger file (one a version before issue 22's change). */
  ledgerReads: number;
}

export interface TokenRunCost {
  devices: number;
  /** Versions of the request's ledger file when the workflow ran. */
  versions: number;
  workflow: RunCost;
  app: RunCost;
  issued: number;
}

export async function benchTokenRunCost(): Promise<string[]> {
  const rows: string[] = [];
  for (const [count, versions] of [...SIZES.map((n) => [n, 0] as const), [500, 50] as const]) {
    const c = await measureTokenRun(count, versions);
    const total = { requests: c.workflow.requests + c.app.requests, bytes: c.workflow.bytes + c.app.bytes };
    rows.push(
      `| ${count} | ${c.versions} | ${c.workflow.requests} (${c.workflow.ledgerReads} of the ledger file) | ${size(c.workflow.bytes)} | ${c.app.requests} | ${size(c.app.bytes)} | **${total.requests}** | ${size(total.bytes)} |`,
    );
  }
  return [
    "",
    "### A whole token run: the workflow and the app (requests and bytes downloaded on the stand-in)",
    "",
    "| devices | ledger versions | workflow requests | workflow downloaded | app requests | app downloaded | total | total downloaded |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    "Target (issue 22): a 500-device token run, the app and the workflow together, in at most 60 requests.",
  ];
}

/**
 * One request of `count` devices taken to stage tokens, then its token run, each side counted.
 * `versions`: a reviewer's `/status` (each writes a version of the record) until the ledger file
 * has that many versions.
 */
export async function measureTokenRun(count: number, versions = 0): Promise<TokenRunCost> {
  const devices = Array.from({ length: count }, (_, i) => `gw-${String(i).padStart(3, "0")}`);
  const ca = await makeTestCa(devices);
  const { pem, key } = await makeWorkflowKey();
  const s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
  try {
    const n = await s.open({ devices });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const files = Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!]));
    await mergePr(s, 50, files);
    while (s.gh.ledgerHistory(n).length < versions) await s.say(n, "rita", "/status");
    const history = s.gh.ledgerHistory(n).length;
    let mark = s.mark();
    await runTokenWorkflow(s, n, pem, files, RUN_ID);
    const workflow = costOf(s.gh.apiCallsSince(mark));
    const posted = s.gh.commentsOn(n).filter((m) => m.user.login === WORKFLOW_BOT.login);
    if (posted.length === 0) throw new Error(`bench: the token workflow issued nothing for ${count} devices`);
    mark = s.mark();
    for (const comment of posted) await s.probot.receive(commentEvent(s.gh, "created", comment));
    const run = s.gh.runs.get(RUN_ID)!;
    s.gh.runs.set(RUN_ID, { ...run, status: "completed", conclusion: "success", updated_at: s.gh.tick() });
    await s.probot.receive(workflowRunEvent(s.gh, { id: RUN_ID, title: `Issue tokens for request #${n}` }));
    const app = costOf(s.gh.apiCallsSince(mark));
    if (s.record(n).stage !== "live") throw new Error(`bench: the ${count}-device request is not live`);
    return { devices: count, versions: history, workflow, app, issued: devices.length };
  } finally {
    s.stop();
  }
}

function costOf(calls: LoggedRequest[]): RunCost {
  return {
    requests: calls.length,
    bytes: calls.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
    ledgerReads: calls.filter((r) => r.method === "GET" && /\/contents\/records/.test(r.path)).length,
  };
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}
