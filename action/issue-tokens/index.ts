import * as core from "@actions/core";
import { decodeCertificateFile } from "../../src/certificates/decode.js";
import { MAX_FILE_BYTES, TrustStore } from "../../src/certificates/index.js";
import { OneRecordError } from "../../src/errors.js";
import { tokenWorkflowPath } from "../../src/record/token-workflow.js";
import { loadSigningKey } from "../../src/tokens/index.js";
import { loadConfig } from "../config.js";
import type { RunContext } from "../context.js";
import { createIssueComment, createOctokit } from "../github.js";
import type { ActionInputs } from "../inputs.js";
import { readWorkspaceFile } from "../workspace.js";
import { loadRequest } from "./1-load.js";
import { decide, type Refusal } from "./2-decide.js";
import { judgeRevalidation, revalidateFolder } from "./3-revalidate.js";
import { issueTokens as issueAll } from "./4-issue.js";
import { renderIssuanceComments, renderJobSummary, type Outcome } from "./5-deliver.js";
import { readRunInfo } from "./run-info.js";

export interface Dependencies {
  /** Injected by tests so nock sees the API calls. */
  fetch?: typeof globalThis.fetch;
  env?: NodeJS.ProcessEnv;
  /** The clock, injected by tests. */
  now?: () => Date;
}

/**
 * Mode `issue-tokens`: the edges (API, checkout, outputs) around the numbered steps. Succeeds when
 * tokens were issued and delivered, or when there is nothing to issue; any refusal fails the step.
 * The signing key was masked when the inputs were read; the signed JWTs never leave
 * `issueDeviceToken` (only their JWEs, ciphertext meant to be posted, come back).
 */
export async function issueTokens(inputs: ActionInputs, context: RunContext, deps: Dependencies = {}): Promise<void> {
  const mode = inputs.issueTokens;
  if (!mode)
    throw new OneRecordError("input-invalid", 'Input "request": required in mode issue-tokens', { field: "request" });
  const repository = `${context.owner}/${context.repo}`;
  const run = readRunInfo(deps.env ?? process.env, repository);
  const octokit = createOctokit({ token: inputs.githubToken, baseUrl: context.apiUrl, fetch: deps.fetch });

  // The checkout is the default branch here (the decision refuses any other ref).
  const { config, source } = await loadConfig(inputs.config, context, () => octokit);
  const key = await loadSigningKey(mode.signingKey);
  const jwks = JSON.stringify(key.jwks);
  core.setOutput("jwks", jwks);
  core.setOutput("issued-count", 0);
  core.setOutput("issuance-comment-url", "");
  core.info(`Request #${mode.request}; configuration: ${source}; signing key ${key.alg}, kid ${key.kid}.`);

  const loaded = await loadRequest(octokit, context, mode.request, mode.appLogin);
  const now = (deps.now ?? (() => new Date()))();
  const decision = decide({
    request: mode.request,
    repository,
    issue: loaded.issue,
    record: loaded.record,
    run,
    workflow: tokenWorkflowPath(config.tokens.workflow),
    now,
  });
  if (decision.kind === "refuse") return refuse(mode.request, decision.reasons);
  if (decision.kind === "nothing") {
    core.info(`Nothing to issue: ${decision.reason}.`);
    await summarize({ kind: "nothing", request: mode.request, reason: decision.reason });
    return;
  }

  const files = await revalidateFolder({
    root: context.workspace,
    trust: TrustStore.default(config.certificates.extraCAs),
    pattern: config.certificates.pathPattern,
    request: mode.request,
    devices: decision.certificates.map((p) => p.device),
    now,
  });
  const stale = judgeRevalidation(decision.certificates, files, mode.request);
  if (stale.length > 0) return refuse(mode.request, stale);

  const { issued, problems } = await issueAll(decision.issue, {
    key,
    account: decision.account,
    tokens: config.tokens,
    now,
    readCertificate: (path) => leafDer(context.workspace, path),
    // Defence in depth: the JWT is never written anywhere, and were it ever, the runner shows ***.
    mask: (jwt) => core.setSecret(jwt),
  });
  if (problems.length > 0) return refuse(mode.request, problems);

  const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
  const bodies = await renderIssuanceComments(
    {
      repository,
      request: mode.request,
      runId: run.runId,
      runAttempt: run.runAttempt,
      runUrl: run.runUrl,
      workflow: run.workflowPath,
      ref: run.ref,
      sha: run.sha,
      issuedAt,
    },
    issued,
    key,
  );
  const urls: string[] = [];
  for (const [index, body] of bodies.entries()) {
    try {
      urls.push((await createIssueComment(octokit, context, mode.request, body)).url);
    } catch (error) {
      // The app accepts an issuance only from a run that succeeded, so a partial delivery is never recorded.
      const posted =
        index > 0
          ? ` after ${index} of ${bodies.length} parts were posted; those tokens are not recorded and the next run issues new ones`
          : "";
      throw new OneRecordError(
        "io-error",
        `${error instanceof Error ? error.message : "cannot post the issuance comment"}${posted}`,
      );
    }
  }

  for (const e of issued)
    core.info(`issued  ${e.device}  jti=${e.jti}  x5t#S256=${e.x5tS256}  exp=${new Date(e.exp * 1000).toISOString()}`);
  core.setOutput("issued-count", issued.length);
  core.setOutput("issuance-comment-url", urls[0] ?? "");
  core.info(`${issued.length} token(s) delivered encrypted on issue #${mode.request}: ${urls.join(", ")}`);
  await summarize({ kind: "issued", request: mode.request, issued, commentUrls: urls, jwks });
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
