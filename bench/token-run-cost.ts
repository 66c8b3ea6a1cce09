import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { parseInputs } from "../action/inputs.js";
import { issueTokens } from "../action/issue-tokens/index.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { loadSigningKey } from "../src/tokens/signing-key.js";
import type { LoggedRequest } from "../test/app/helpers/fake-github.js";
import { commentEvent, workflowRunEvent } from "../test/app/helpers/payloads.js";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { makeTestCa, mergePr, startScenario } from "../test/app/helpers/test-ca.js";
import { TOKEN_WORKFLOW, WORKFLOW_BOT } from "../test/app/helpers/token-run.js";

/**
 * A whole token run (issue 22, part 1), both sides on one stand-in: the token workflow (the
 * Action's mode issue-tokens, run in process from source, its Octokit's fetch seen by the
 * stand-in's nock) reads the request and its ledger and posts the issuance comment(s); the app
 * then takes each comment and the run's completion. Requests and bytes at the HTTP layer, for a
 * request of 1, 100 and 500 devices; never timings. Target: at most 60 requests for 500 devices.
 */
const SIZES = [1, 100, 500];
const WORKFLOW_TOKEN = "ghs_bench_workflow_token";
const RUN_ID = 900;

export interface RunCost {
  requests: number;
  bytes: number;
  /** GET contents of the ledger file (one a version before issue 22's change). */
  ledgerReads: number;
}

export interface TokenRunCost {
  devices: number;
  /** Versions of the request's ledger file when the workflow ran . */
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
      `| ${count} | ${c.versions} | ${c.workflow.requests} (${c.workflow.ledgerReads} ledger file reads) | ${size(c.workflow.bytes)} | ${c.app.requests} | ${size(c.app.bytes)} | **${total.requests}** | ${size(total.bytes)} |`,
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
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ format: "pem", type: "pkcs8" })
    .toString();
  const key = await loadSigningKey(pem);
  const s = await startScenario(ca, stringify({ tokens: { jwks: key.jwks } }));
  const workspace = mkdtempSync(join(tmpdir(), "bench-token-run-"));
  try {
    const n = await s.open({ devices });
    await s.tickAll(n);
    await s.say(n, "tom", "/approve-certification");
    const files = Object.fromEntries(devices.map((d) => [`certificates/${n}/${d}.pem`, ca.leaves.get(d)!]));
    await mergePr(s, 50, files);
    while (s.gh.ledgerHistory(n).length < versions) await s.say(n, "rita", "/status");
    const history = s.gh.ledgerHistory(n).length;
    write(workspace, { ...files, [CONFIG_PATH]: s.gh.files.get(`main:${CONFIG_PATH}`)! });
    let mark = s.mark();
    await runWorkflow(s, n, pem, workspace);
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
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The token workflow dispatched by otto for request `n`, run in process (stdout held back: it carries ::add-mask::). */
async function runWorkflow(s: Scenario, n: number, signingKey: string, workspace: string): Promise<void> {
  const actor = { login: "otto", id: 31, type: "User" };
  s.gh.runs.set(RUN_ID, {
    path: TOKEN_WORKFLOW,
    head_branch: "main",
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    run_attempt: 1,
    request: n,
    actor,
    triggering_actor: actor,
  });
  s.gh.tokenUsers.set(WORKFLOW_TOKEN, WORKFLOW_BOT);
  const repository = `${s.gh.owner}/${s.gh.repo}`;
  const event = join(workspace, "..", `${RUN_ID}-event.json`);
  writeFileSync(event, JSON.stringify({ repository: { full_name: repository, default_branch: "main" } }));
  const inputs = parseInputs({
    mode: "issue-tokens",
    paths: "",
    "changed-only": "",
    "validation-time": "",
    "warn-days": "",
    config: "",
    "github-token": WORKFLOW_TOKEN,
    request: String(n),
    "signing-key": signingKey,
    "records-token": "",
    "acme-eab-kid": "",
    "acme-eab-hmac": "",
    "acme-account-key": "",
  });
  const env = {
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_TYPE: "branch",
    GITHUB_EVENT_PATH: event,
    GITHUB_WORKFLOW_REF: `${repository}/${TOKEN_WORKFLOW}@refs/heads/main`,
    GITHUB_RUN_ID: String(RUN_ID),
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: "b".repeat(40),
    GITHUB_SERVER_URL: "https://github.com",
  };
  const context = {
    eventName: "workflow_dispatch",
    workspace,
    tempDir: workspace,
    apiUrl: "https://api.github.com",
    owner: s.gh.owner,
    repo: s.gh.repo,
    pullRequest: undefined,
  };
  await quietly(() =>
    issueTokens(inputs, context, {
      fetch: (input, init) => globalThis.fetch(input, init),
      env,
      now: () => new Date(s.gh.tick()),
    }),
  );
  rmSync(event, { force: true });
}

/**
 * Runs `fn` with its stdout (the runner's commands, ::add-mask:: among them) swallowed. @actions/core's
 * output and summary files are one scratch folder for the process: core.summary keeps the first
 * path it was given.
 */
async function quietly(fn: () => Promise<void>): Promise<void> {
  scratch ??= mkdtempSync(join(tmpdir(), "bench-core-"));
  process.env.GITHUB_OUTPUT = join(scratch, "output");
  process.env.GITHUB_STEP_SUMMARY = join(scratch, "summary");
  writeFileSync(process.env.GITHUB_OUTPUT, "");
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, "");
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
}
let scratch: string | undefined;

function write(dir: string, files: Record<string, string | Uint8Array | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
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
