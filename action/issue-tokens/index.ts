import * as core from "@actions/core";
import { decodeCertificateFile } from "../../src/certificates/decode.js";
import { MAX_FILE_BYTES, TrustStore } from "../../src/certificates/index.js";
import type { AccessConfig } from "../../src/config/schema.js";
import { OneRecordError } from "../../src/errors.js";
import type { IssuanceEntry } from "../../src/record/issuance-comment.js";
import { tokenWorkflowPath } from "../../src/record/token-workflow.js";
import { loadSigningKey, type SigningKey } from "../../src/tokens/index.js";
import { loadConfig } from "../config.js";
import type { RunContext } from "../context.js";
import { createOctokit, type Octokit } from "../github.js";
import type { ActionInputs } from "../inputs.js";
import { readWorkspaceFile } from "../workspace.js";
import { loadRequest } from "./1-load.js";
import { decide, type DevicePlan, type Refusal } from "./2-decide.js";
import { judgeRevalidation, revalidateFolder } from "./3-revalidate.js";
import { signAndEncryptTokens } from "./4-issue.js";
import { deliverIssuance, isoUtcSeconds, renderIssuanceComments } from "./5-deliver.js";
import { readRunInfo, type RunInfo } from "./run-info.js";
import { renderJobSummary, type Outcome } from "./summary.js";

export interface Dependencies {
  /** Injected by tests so nock sees the API calls. */
  fetch?: typeof globalThis.fetch;
  env?: NodeJS.ProcessEnv;
  /** The clock, injected by tests. */
  now?: () => Date;
}

/** What every step of one run shares: read once, at the start. */
interface TokenRun {
  request: number;
  /** Reads the ledger: `octokit`, or the `records-token` client for a separate ledger repository. */
  ledgerOctokit: Octokit;
  repository: string;
  context: RunContext;
  octokit: Octokit;
  config: AccessConfig;
  key: SigningKey;
  jwks: string;
  run: RunInfo;
  now: Date;
}

/**
 * Mode `issue-tokens`: the edges (API, checkout, outputs) around the numbered steps. Succeeds when
 * tokens were issued and delivered, or when there is nothing to issue; any refusal fails the step.
 * The signing key was masked when the inputs were read; the signed JWTs never leave
 * `issueDeviceToken` (only their JWEs, ciphertext meant to be posted, come back). Errors go to
 * the runner (action/run.ts), the one place they become a failed step.
 */
export async function issueTokens(inputs: ActionInputs, context: RunContext, deps: Dependencies = {}): Promise<void> {
  const t = await start(inputs, context, deps);
  const loaded = await loadRequest(t.octokit, context, t.request, {
    octokit: t.ledgerOctokit,
    records: t.config.records,
  });
  const decision = decide({
    request: t.request,
    repository: t.repository,
    issue: loaded.issue,
    record: loaded.record,
    run: t.run,
    workflow: tokenWorkflowPath(t.config.tokens.workflow),
    now: t.now,
    statusList: !!t.config.tokens.statusList,
    access: t.config.access,
  });
  if (decision.kind === "refuse") return refuse(t.request, decision.reasons);
  if (decision.kind === "nothing") {
    core.info(`Nothing to issue: ${decision.reason}.`);
    return summarize({ kind: "nothing", request: t.request, reason: decision.reason });
  }
  const stale = await revalidate(t, decision.certificates);
  if (stale.length > 0) return refuse(t.request, stale);

  const { issued, problems } = await signAndEncryptTokens(decision.issue, {
    key: t.key,
    account: decision.account,
    tokens: t.config.tokens,
    now: t.now,
    request: t.request,
    readCertificate: (path) => leafDer(context.workspace, path),
    // Defence in depth: the JWT is never written anywhere, and were it ever, the runner shows ***.
    mask: (jwt) => core.setSecret(jwt),
  });
  if (problems.length > 0) return refuse(t.request, problems);
  const urls = await deliver(t, issued);
  report(t, issued, urls);
  await summarize({ kind: "issued", request: t.request, issued, commentUrls: urls, jwks: t.jwks });
}

/** The mode's inputs, configuration and signing key; the outputs start as "nothing issued". */
async function start(inputs: ActionInputs, context: RunContext, deps: Dependencies): Promise<TokenRun> {
  const mode = inputs.issueTokens;
  if (!mode)
    throw new OneRecordError("input-invalid", 'Input "request": required in mode issue-tokens', { field: "request" });
  const repository = `${context.owner}/${context.repo}`;
  const run = readRunInfo(deps.env ?? process.env, repository);
  const octokit = createOctokit({ token: inputs.githubToken, baseUrl: context.apiUrl, fetch: deps.fetch });
  const ledgerOctokit = mode.recordsToken
    ? createOctokit({ token: mode.recordsToken, baseUrl: context.apiUrl, fetch: deps.fetch })
    : octokit;

  // The checkout is the default branch here (the decision refuses any other ref).
  const { config, source } = await loadConfig(inputs.config, context, () => octokit);
  const key = await loadSigningKey(mode.signingKey);
  const jwks = JSON.stringify(key.jwks);
  core.setOutput("jwks", jwks);
  core.setOutput("issued-count", 0);
  core.setOutput("issuance-comment-url", "");
  core.info(`Request #${mode.request}; configuration: ${source}; signing key ${key.alg}, kid ${key.kid}.`);
  const now = (deps.now ?? (() => new Date()))();
  return { request: mode.request, repository, context, octokit, ledgerOctokit, config, key, jwks, run, now };
}

/** Step 3: the certificates the decision relies on, validated again in the checkout, now. */
async function revalidate(t: TokenRun, certificates: readonly DevicePlan[]): Promise<Refusal[]> {
  const files = await revalidateFolder({
    root: t.context.workspace,
    trust: TrustStore.default(t.config.certificates.extraCAs),
    pattern: t.config.certificates.pathPattern,
    request: t.request,
    devices: certificates.map((p) => p.device),
    now: t.now,
  });
  return judgeRevalidation(certificates, files, t.request);
}

/** Step 5: the issuance comment(s) rendered for this run, then posted. */
async function deliver(t: TokenRun, issued: readonly IssuanceEntry[]): Promise<string[]> {
  const { run } = t;
  const bodies = await renderIssuanceComments(
    {
      repository: t.repository,
      request: t.request,
      runId: run.runId,
      runAttempt: run.runAttempt,
      runUrl: run.runUrl,
      workflow: run.workflowPath,
      ref: run.ref,
      sha: run.sha,
      issuedAt: isoUtcSeconds(t.now.getTime() / 1000),
    },
    issued,
    t.key,
  );
  return deliverIssuance(t.octokit, t.context, t.request, bodies);
}

/** The log lines and outputs of a delivered issuance: public facts only, never a token. */
function report(t: TokenRun, issued: readonly IssuanceEntry[], urls: readonly string[]): void {
  for (const e of issued)
    core.info(`issued  ${e.device}  jti=${e.jti}  x5t#S256=${e.x5tS256}  exp=${new Date(e.exp * 1000).toISOString()}`);
  core.setOutput("issued-count", issued.length);
  core.setOutput("issuance-comment-url", urls[0] ?? "");
  core.info(`${issued.length} token(s) delivered encrypted on issue #${t.request}: ${urls.join(", ")}`);
}

async function refuse(request: number, reasons: Refusal[]): Promise<void> {
  await summarize({ kind: "refused", request, reasons });
  core.setFailed(
    `No tokens issued for request #${request}:\n${reasons.map((r) => `- ${r.message} [${r.code}]`).join("\n")}`,
  );
}

async function summarize(outcome: Outcome): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderJobSummary(outcome)).write();
}

/** The leaf certificate of a file in the checkout, confined to it (no symbolic links out). */
function leafDer(root: string, path: string): Uint8Array {
  const read = readWorkspaceFile(root, path, MAX_FILE_BYTES);
  if ("skipped" in read) throw new OneRecordError("io-error", `${path}: ${read.skipped}`);
  const decoded = decodeCertificateFile(read.bytes);
  const leaf = decoded.certificates[0];
  if (!leaf || decoded.errors.length > 0)
    throw new OneRecordError("input-invalid", `${path} holds no readable certificate`);
  return leaf;
}
