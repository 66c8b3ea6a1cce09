import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseInputs } from "../../../action/inputs.js";
import { issueTokens } from "../../../action/issue-tokens/index.js";
import { CONFIG_PATH } from "../../../src/config/parse.js";
import { loadSigningKey, type SigningKey } from "../../../src/tokens/signing-key.js";
import type { Scenario } from "./scenario.js";
import { dispatchedRun, TOKEN_WORKFLOW, WORKFLOW_BOT } from "./token-run.js";
import { rawInputs } from "../../helpers/action-inputs.js";

/**
 * The token workflow itself (the Action's mode issue-tokens, from source, in this process) run
 * against a scenario's stand-in: its Octokit's fetch is the global one, which the stand-in's nock
 * sees, and it posts as github-actions[bot]. The checkout holds the configuration the default
 * branch publishes and the certificate files given. What test/app/helpers/token-run.ts fakes
 * (the issuance comment), this makes for real; the app is not told (the caller delivers the
 * comments and the run's completion).
 */
export const WORKFLOW_TOKEN = "ghs_test_workflow_token";

export interface TokenWorkflowKey {
  pem: string;
  key: SigningKey;
}

/** A token signing key as the workflow's secret holds it (PEM), and loaded (for the configuration's JWKS). */
export async function makeWorkflowKey(): Promise<TokenWorkflowKey> {
  const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ format: "pem", type: "pkcs8" })
    .toString();
  return { pem, key: await loadSigningKey(pem) };
}

/**
 * Runs the workflow for request `n` (run `runId`, dispatched by otto on main); the run is left in
 * progress. @actions/core's stdout (its ::add-mask:: commands among it) is held back.
 */
export async function runTokenWorkflow(
  s: Scenario,
  n: number,
  signingKey: string,
  files: Record<string, Uint8Array>,
  runId: number,
): Promise<void> {
  s.gh.runs.set(runId, dispatchedRun(n));
  s.gh.tokenUsers.set(WORKFLOW_TOKEN, WORKFLOW_BOT);
  const workspace = mkdtempSync(join(tmpdir(), "token-workflow-"));
  try {
    write(workspace, { ...files, [CONFIG_PATH]: s.gh.files.get(`main:${CONFIG_PATH}`)! });
    const repository = `${s.gh.owner}/${s.gh.repo}`;
    const event = join(workspace, "event.json");
    writeFileSync(event, JSON.stringify({ repository: { full_name: repository, default_branch: "main" } }));
    const env = {
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_TYPE: "branch",
      GITHUB_EVENT_PATH: event,
      GITHUB_WORKFLOW_REF: `${repository}/${TOKEN_WORKFLOW}@refs/heads/main`,
      GITHUB_RUN_ID: String(runId),
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
    const fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init);
    await quietly(() => issueTokens(inputs(n, signingKey), context, { fetch, env, now: () => new Date(s.gh.tick()) }));
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function inputs(n: number, signingKey: string) {
  return parseInputs(
    rawInputs({ mode: "issue-tokens", "github-token": WORKFLOW_TOKEN, request: String(n), "signing-key": signingKey }),
  );
}

/**
 * Runs `fn` with stdout swallowed and @actions/core's output and summary files in one scratch
 * folder for the process (core.summary keeps the first path it was given). The process's
 * exit code, which core.setFailed sets on a refusal, is put back.
 */
async function quietly(fn: () => Promise<void>): Promise<void> {
  scratch ??= mkdtempSync(join(tmpdir(), "token-workflow-core-"));
  const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY };
  process.env.GITHUB_OUTPUT = join(scratch, "output");
  process.env.GITHUB_STEP_SUMMARY = join(scratch, "summary");
  writeFileSync(process.env.GITHUB_OUTPUT, "");
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, "");
  const write = process.stdout.write.bind(process.stdout);
  const exitCode = process.exitCode;
  process.stdout.write = () => true;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
    restore("GITHUB_OUTPUT", saved.output);
    restore("GITHUB_STEP_SUMMARY", saved.summary);
  }
}
let scratch: string | undefined;

/** The job summary the last run wrote (what it issued, or why it refused). */
export function lastSummary(): string {
  return scratch ? readFileSync(join(scratch, "summary"), "utf8") : "";
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function write(dir: string, files: Record<string, Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}
