import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runBundle, type BundleRun } from "../test/action/issue-tokens/runner.js";
import type { FakeGitHub } from "../test/app/helpers/fake-github.js";

/**
 * The committed Action bundle (action/dist/index.js) run the way a runner runs it, against the
 * stand-in served on loopback. Its stdout (which carries `::add-mask::` commands naming the
 * signing key and the tokens, consumed by a real runner) is never printed: only the job summary
 * and the outputs come back.
 */
export const WORKFLOW_TOKEN = "ghs_demo_workflow_token";
export const WORKFLOW_BOT = { login: "github-actions[bot]", type: "Bot" as const };
export const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

export interface Workflow {
  gh: FakeGitHub;
  apiUrl: string;
}

export function workspaceWith(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), "onerecord-demo-checkout-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** demo/clock.mjs, preloaded into the bundle's process: its `Date` reads the stand-in's clock. */
const CLOCK = new URL("./clock.mjs", import.meta.url).href;

function baseEnv(w: Workflow, event: string, runId: number): Record<string, string> {
  return {
    // One clock: the run starts at the stand-in's time (one tick after its last event).
    NODE_OPTIONS: `--import=${CLOCK}`,
    DEMO_CLOCK: w.gh.tick(),
    GITHUB_EVENT_NAME: event,
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_TYPE: "branch",
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: `${w.gh.owner}/${w.gh.repo}`,
    GITHUB_RUN_ID: String(runId),
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: w.apiUrl,
  };
}

/**
 * A run on the demo's one clock: it starts at the stand-in's time (baseEnv), and afterwards the
 * stand-in's clock has moved on by at least as long as the run took, so nothing the stand-in
 * stamps later comes before what the run did.
 */
async function onDemoClock(w: Workflow, run: () => Promise<BundleRun>): Promise<BundleRun> {
  const startedAt = Date.now();
  const start = Date.parse(w.gh.now());
  const result = await run();
  const end = start + 1000 + (Date.now() - startedAt);
  if (end > Date.parse(w.gh.now())) w.gh.setClock(new Date(Math.ceil(end / 1000) * 1000).toISOString());
  return result;
}

/** The PR check (mode validate-certificates) on a pull request's checkout. */
export async function prCheck(w: Workflow, pr: number, changed: number, workspace: string): Promise<BundleRun> {
  const repository = { full_name: `${w.gh.owner}/${w.gh.repo}`, default_branch: "main" };
  return onDemoClock(w, () =>
    runBundle({
      workspace,
      inputs: { mode: "validate-certificates", "github-token": WORKFLOW_TOKEN },
      env: {
        ...baseEnv(w, "pull_request", 9000 + pr),
        GITHUB_REF: `refs/pull/${pr}/merge`,
        GITHUB_WORKFLOW_REF: `${repository.full_name}/.github/workflows/validate-certificates.yml@refs/pull/${pr}/merge`,
      },
      event: {
        number: pr,
        pull_request: { number: pr, changed_files: changed, base: { ref: "main", sha: SHA } },
        repository,
      },
    }),
  );
}

interface DispatchedRun {
  request: number;
  runId: number;
  maintainer: string;
  signingKey: string;
  workspace: string;
}

/**
 * A protected workflow dispatched by `maintainer` for `request` on the default branch, as both the
 * token and the obtain workflows are: the Action in `mode` with the request, the signing key and
 * the workflow's token, plus what the mode adds (`inputs`, `env`).
 */
function dispatched(
  w: Workflow,
  options: DispatchedRun & {
    mode: string;
    file: string;
    inputs?: Record<string, string>;
    env?: Record<string, string>;
  },
): Promise<BundleRun> {
  const repository = `${w.gh.owner}/${w.gh.repo}`;
  return onDemoClock(w, () =>
    runBundle({
      workspace: options.workspace,
      inputs: {
        mode: options.mode,
        request: String(options.request),
        "signing-key": options.signingKey,
        "github-token": WORKFLOW_TOKEN,
        ...options.inputs,
      },
      env: {
        ...baseEnv(w, "workflow_dispatch", options.runId),
        GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/${options.file}@refs/heads/main`,
        GITHUB_ACTOR: options.maintainer,
        ...options.env,
      },
      event: {
        ref: "refs/heads/main",
        inputs: { request: String(options.request) },
        repository: { full_name: repository, default_branch: "main" },
        sender: { login: options.maintainer },
      },
    }),
  );
}

/** The token workflow (mode issue-tokens), dispatched by `maintainer` for `request`. */
export function tokenRun(w: Workflow, options: DispatchedRun): Promise<BundleRun> {
  return dispatched(w, { ...options, mode: "issue-tokens", file: "issue-tokens.yml" });
}

/**
 * The obtain workflow (mode obtain-certificates, option 2), with the CA's External Account Binding
 * and account key as the protected environment's secrets. `caFile`: the ACME server's listener
 * root, trusted by the run's Node (NODE_EXTRA_CA_CERTS), as a public CA's is by the runner.
 */
export function obtainRun(
  w: Workflow,
  options: DispatchedRun & { acme: { kid: string; hmac: string; accountKey: string; caFile: string } },
): Promise<BundleRun> {
  return dispatched(w, {
    ...options,
    mode: "obtain-certificates",
    file: "obtain-certificates.yml",
    inputs: {
      "acme-eab-kid": options.acme.kid,
      "acme-eab-hmac": options.acme.hmac,
      "acme-account-key": options.acme.accountKey,
    },
    env: { NODE_EXTRA_CA_CERTS: options.acme.caFile },
  });
}
