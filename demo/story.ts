import { generateKeyPairSync } from "node:crypto";
import { parseIssuanceComment } from "../src/record/issuance-comment.js";
import { loadSigningKey } from "../src/tokens/index.js";
import type { BundleRun } from "../test/action/issue-tokens/runner.js";
import { commentEvent, pullRequestEvent, workflowRunEvent } from "../test/app/helpers/payloads.js";
import { Scenario } from "../test/app/helpers/scenario.js";
import { CONFIG_PATH as CONFIG_FILE } from "../src/config/parse.js";
import { mergePr } from "../test/app/helpers/test-ca.js";
import { DAY, makeLeaf } from "../test/helpers/pki.js";
import { SWEEP_RUN_TITLE } from "../src/app/handlers/sweep.js";
import { deviceCalls, type DeviceCall } from "./device.js";
import { publishConfig } from "./evidence.js";
import { optionTwo, type OptionTwoResult } from "./option-two.js";
import { demoConfig, deviceFile, makeDemoPki, type DemoPki } from "./pki.js";
import { prCheck, SHA, tokenRun, WORKFLOW_BOT, WORKFLOW_TOKEN, workspaceWith, type Workflow } from "./workflows.js";

export const DEVICES = ["gw-1", "gw-2"] as const;
const PR = 50;
const RUN_ID = 4242;
const TOKEN_WORKFLOW = ".github/workflows/issue-tokens.yml";

/** What the page shows: the thread on the stand-in, and the PR check's job summaries. */
export interface StoryResult {
  s: Scenario;
  request: number;
  checks: Array<{ title: string; run: BundleRun }>;
  tokenRun: BundleRun;
  device: { own: DeviceCall; stolen: DeviceCall };
  /** The option-2 request (null where Pebble is not installed). */
  optionTwo: OptionTwoResult | null;
}

interface Ctx {
  s: Scenario;
  n: number;
  pki: DemoPki;
  config: string;
  say: (line: string) => void;
}

const state = (c: Ctx) => `stage ${c.s.record(c.n).stage}; labels ${c.s.labels(c.n).join(", ")}`;
const lastReply = (c: Ctx) => (c.s.replies(c.n).at(-1) ?? "").split("\n").find((l) => l.trim() !== "") ?? "";

async function intake(c: Ctx): Promise<void> {
  c.n = await c.s.open({ devices: [...DEVICES], networkPaths: ["10.0.0.300/24"] });
  c.say(`jane opens request #${c.n} with a mistyped network path: ${state(c)}`);
  await c.s.editForm(c.n, { devices: [...DEVICES] });
  c.say(`jane fixes the form: ${state(c)}`);
  await c.s.tickAll(c.n);
  c.say(`rita ticks the checklist: ${state(c)}`);
  const replies = c.s.replies(c.n).length;
  await c.s.say(c.n, "mallory", "/approve-certification");
  const refusal = c.s.replies(c.n).length > replies ? lastReply(c) : "(no reply)";
  c.say(`mallory (not a reviewer) tries /approve-certification: the app answers "${refusal.slice(0, 100)}"`);
  await c.s.say(c.n, "tom", "/approve-certification");
  c.say(`tom (reviewer team) approves certification: ${state(c)}`);
}

async function certificatePr(c: Ctx, w: Workflow): Promise<StoryResult["checks"]> {
  const path = (d: string) => `certificates/${c.n}/${d}.pem`;
  const files = (second: Uint8Array) => ({ [path("gw-1")]: deviceFile(c.pki, "gw-1"), [path("gw-2")]: second });
  const list = Object.keys(files(new Uint8Array())).map((filename) => ({ filename, status: "added" }));
  c.s.gh.pullFiles.set(PR, list);
  // The PR check reads the configuration at the PR's base commit (a PR cannot trust its own CA).
  c.s.gh.setFile(".github/onerecord-access.yml", c.config, SHA);
  await c.s.probot.receive(pullRequestEvent(c.s.gh, "opened", { number: PR }));
  const checkout = (second: Uint8Array) =>
    workspaceWith({ ...files(second), ".github/onerecord-access.yml": c.config });
  const bad = await prCheck(w, PR, 2, checkout(new TextEncoder().encode(c.pki.selfSigned.pem)));
  c.say(
    `PR #${PR} with a self-signed gw-2 certificate: the PR check ${bad.code === 0 ? "passes (unexpected)" : "fails"}`,
  );
  const good = await prCheck(w, PR, 2, checkout(deviceFile(c.pki, "gw-2")));
  c.say(
    `PR #${PR} with gw-2 issued by the customer CA: the PR check ${good.code === 0 ? "passes" : "fails (unexpected)"}`,
  );
  await mergePr(c.s, PR, files(deviceFile(c.pki, "gw-2")));
  c.say(`rita merges PR #${PR}: ${state(c)}`);
  return [
    { title: `PR #${PR}, first push: validate certificates`, run: bad },
    { title: `PR #${PR}, fixed: validate certificates`, run: good },
  ];
}

async function tokens(
  c: Ctx,
  w: Workflow,
  signingKey: string,
  runId = RUN_ID,
  files = Object.fromEntries(DEVICES.map((d) => [`certificates/${c.n}/${d}.pem`, deviceFile(c.pki, d)])),
): Promise<BundleRun> {
  const gh = c.s.gh;
  gh.runs.set(runId, {
    path: TOKEN_WORKFLOW,
    head_branch: "main",
    event: "workflow_dispatch",
    status: "in_progress",
    conclusion: null,
    run_attempt: 1,
    request: c.n,
    head_sha: SHA,
    // Who dispatched it: the audit trail's "going live" names them, not github-actions[bot].
    actor: { login: "tom", id: gh.userId("tom"), type: "User" },
    triggering_actor: { login: "tom", id: gh.userId("tom"), type: "User" },
  });
  gh.tokenUsers.set(WORKFLOW_TOKEN, WORKFLOW_BOT);
  const workspace = workspaceWith({ ...files, ".github/onerecord-access.yml": c.config });
  const run = await tokenRun(w, { request: c.n, runId, maintainer: "tom", signingKey, workspace });
  c.say(
    `tom runs the token workflow (run ${runId}): ${run.outputs["issued-count"] ?? "no"} token(s) issued, exit ${run.code}`,
  );
  const seen = new Set(c.s.record(c.n).issuanceComments.map((i) => i.comment));
  const posted = gh.commentsOn(c.n).filter((m) => m.user.login === WORKFLOW_BOT.login && !seen.has(m.id));
  for (const comment of posted) await c.s.probot.receive(commentEvent(gh, "created", comment));
  const current = gh.runs.get(runId)!;
  gh.runs.set(runId, { ...current, status: "completed", conclusion: "success", updated_at: gh.tick() });
  await c.s.probot.receive(
    workflowRunEvent(gh, { id: runId, title: `Issue tokens for request #${c.n}`, conclusion: "success" }),
  );
  c.say(`the run completes and the app counts its issuance comment: ${state(c)}`);
  return run;
}

/**
 * Life after live (issue 19): the daily sweep reminds of the tokens' expiry; gw-1's certificate is renewed (the merge makes the app dispatch the
 * token workflow; tom runs it, the new token supersedes the old), then jane revokes gw-2's token
 * herself.
 */
async function afterLive(c: Ctx, w: Workflow, signingKey: string): Promise<void> {
  // 61 days on (the stand-in's clock, which the sweep and the Action follow): the daily sweep
  // finds the 90-day tokens 29 days from expiry and reminds jane once.
  c.s.gh.setClock(new Date(Date.parse(c.s.gh.now()) + 61 * DAY).toISOString());
  const sweep = {
    id: RUN_ID + 100,
    title: SWEEP_RUN_TITLE,
    path: ".github/workflows/access-sweep.yml",
    event: "schedule",
  };
  await c.s.probot.receive(workflowRunEvent(c.s.gh, sweep));
  const reminded = c.s.replies(c.n).filter((r) => r.includes("onerecord-access:reminder")).length;
  c.say(`61 days later the daily sweep reminds jane (${reminded} reminder): ${state(c)}`);
  const now = Date.parse(c.s.gh.now());
  const renewed = await makeLeaf(c.pki.intermediate, {
    cn: "gw-1",
    keyAlg: "p-256",
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 700 * DAY),
  });
  c.pki.devices.set("gw-1", renewed);
  const path = `certificates/${c.n}/gw-1.pem`;
  await mergePr(c.s, PR + 1, { [path]: deviceFile(c.pki, "gw-1") }, `${PR + 1}`.padEnd(40, "c"));
  c.say(
    `rita merges gw-1's renewed certificate (PR #${PR + 1}): ${state(c)}; the app dispatched the token workflow (${c.s.gh.dispatches.length} dispatch)`,
  );
  const files = Object.fromEntries(DEVICES.map((d) => [`certificates/${c.n}/${d}.pem`, deviceFile(c.pki, d)]));
  await tokens(c, w, signingKey, RUN_ID + 1, files);
  await c.s.say(c.n, "jane", "/revoke-tokens gw-2 the gateway was stolen");
  const revoked = c.s.record(c.n).revocations ?? [];
  c.say(`jane revokes gw-2's token herself: ${revoked.length} token revoked; ${state(c)}`);
}

function jweOf(c: Ctx, device: string): string {
  for (const comment of c.s.gh.commentsOn(c.n)) {
    const parsed = parseIssuanceComment(comment.body);
    const entry = parsed.ok ? parsed.block.issued.find((t) => t.device === device) : undefined;
    if (entry) return entry.jwe;
  }
  throw new Error(`no issuance comment holds a token for ${device}`);
}

/** The whole request, intake to live; `say` gets one line per step. */
export async function runStory(say: (line: string) => void): Promise<StoryResult> {
  const pki = await makeDemoPki(DEVICES);
  const signingKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ format: "pem", type: "pkcs8" })
    .toString();
  const config = demoConfig(pki, await loadSigningKey(signingKey));
  const s = await Scenario.start(config);
  s.gh.setClock(new Date().toISOString());
  const w: Workflow = { gh: s.gh, apiUrl: await s.gh.listen() };
  // The configuration as published on the default branch: the harness adds the app's record key
  // (records.jwks) to it, as the operator does; the token workflow's checkout holds the same file.
  const published = s.gh.files.get(`main:${CONFIG_FILE}`)!.toString("utf8");
  // Published on the default branch through a pull request, before any record is signed: the
  // audit reads when each record key entered the configuration.
  publishConfig(s, published, "Configure OneRecord access");
  const c: Ctx = { s, n: 0, pki, config: published, say };
  await intake(c);
  const checks = await certificatePr(c, w);
  const run = await tokens(c, w, signingKey);
  const jwks = JSON.parse(run.outputs.jwks ?? "null") as unknown;
  const device = await deviceCalls(pki, jwks, jweOf(c, "gw-1"), "gw-1", "gw-2", () => new Date(s.gh.tick()));
  say(
    `gw-1 decrypts its token and calls the API over mutual TLS: HTTP ${device.own.status} (${JSON.stringify(device.own.body)})`,
  );
  say(`the same token with gw-2's certificate: HTTP ${device.stolen.status} (${JSON.stringify(device.stolen.body)})`);
  const second = await optionTwo(s, w, signingKey, say);
  // The option-2 device goes live like any other: the same token workflow, its checkout holding
  // the configuration that trusts the CA OneRecord ordered from.
  if (second) await tokens({ ...c, n: second.request, config: second.config }, w, signingKey, RUN_ID + 2, second.files);
  await afterLive(c, w, signingKey);
  return { s, request: c.n, checks, tokenRun: run, device, optionTwo: second };
}
