import * as core from "@actions/core";
import { DEFAULT_RETRY, configureAcmeHttp, type AcmeRetry } from "../../src/acme/order.js";
import { TrustStore } from "../../src/certificates/index.js";
import type { AccessConfig } from "../../src/config/schema.js";
import { OneRecordError } from "../../src/errors.js";
import { tokenWorkflowPath } from "../../src/record/token-workflow.js";
import { loadSigningKey, type SigningKey } from "../../src/tokens/index.js";
import { loadConfig } from "../config.js";
import type { RunContext } from "../context.js";
import { createOctokit, type Octokit } from "../github.js";
import type { ActionInputs, ObtainInputs } from "../inputs.js";
import { loadRequest } from "../issue-tokens/1-load.js";
import { isoUtcSeconds } from "../issue-tokens/5-deliver.js";
import { readRunInfo, type RunInfo } from "../issue-tokens/run-info.js";
import { decideObtain, type ObtainRefusal } from "./2-decide.js";
import { obtainAll } from "./3-obtain.js";
import { postReports, renderReports } from "./4-report.js";
import { renderObtainSummary, type ObtainSummary } from "./summary.js";

/**
 * Mode `obtain-certificates` (option 2, issue 20; docs/option-2.md): in the protected workflow
 * `obtain-certificates.yml`, the edges around the numbered steps — the signed record read (1),
 * the decision (2, pure), the certificates obtained through ACME and judged (3), the signed
 * report posted on the request issue (4). Private keys exist only in memory, in step 3, and
 * leave it only encrypted to the customer's delivery key. A device's fault fails the step after
 * the others are reported; a re-run orders only the devices still missing.
 */

export interface Dependencies {
  fetch?: typeof globalThis.fetch;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** The HTTPS agent towards the CA (tests trust their Pebble's listener with it). */
  caAgent?: unknown;
  retry?: AcmeRetry;
}

interface ObtainRun {
  request: number;
  repository: string;
  context: RunContext;
  octokit: Octokit;
  ledgerOctokit: Octokit;
  config: AccessConfig;
  key: SigningKey;
  ca: ObtainInputs;
  run: RunInfo;
  now: Date;
}

export async function obtainCertificates(
  inputs: ActionInputs,
  context: RunContext,
  deps: Dependencies = {},
): Promise<void> {
  const t = await start(inputs, context, deps);
  const loaded = await loadRequest(t.octokit, context, t.request, {
    octokit: t.ledgerOctokit,
    records: t.config.records,
  });
  const onBehalf = t.config.certificates.onBehalf;
  const decision = decideObtain({
    request: t.request,
    repository: t.repository,
    issue: loaded.issue,
    record: loaded.record,
    run: t.run,
    workflow: tokenWorkflowPath(onBehalf?.workflow ?? "obtain-certificates.yml"),
    configured: !!onBehalf,
    pathPattern: t.config.certificates.pathPattern,
  });
  if (decision.kind === "refuse") return refuse(t.request, decision.reasons);
  if (decision.kind === "nothing") {
    core.info(`Nothing to obtain: ${decision.reason}.`);
    return summarize({ kind: "nothing", request: t.request, reason: decision.reason });
  }
  const retry = deps.retry ?? DEFAULT_RETRY;
  configureAcmeHttp(retry, deps.caAgent);
  const outcome = await obtainAll(
    { number: t.request, account: decision.account },
    decision.devices,
    {
      account: {
        directory: onBehalf!.directory,
        eab: { kid: t.ca.eabKid, hmacKey: t.ca.eabHmac },
        accountKeyPem: t.ca.accountKey,
      },
      retry,
      settings: {
        identifierTemplate: onBehalf!.identifier,
        keyType: onBehalf!.keyType,
        trust: TrustStore.default(t.config.certificates.extraCAs),
        warnDays: t.config.certificates.warnDays,
        deliveryKey: decision.deliveryKey,
      },
    },
    deps.now ?? (() => new Date()),
  );
  const urls = outcome.obtained.length ? await report(t, outcome.obtained) : [];
  await summarize({
    kind: "obtained",
    request: t.request,
    obtained: outcome.obtained,
    faults: outcome.faults,
    commentUrls: urls,
  });
  core.setOutput("obtained-count", outcome.obtained.length);
  if (outcome.faults.length)
    core.setFailed(
      `Certificates not obtained for ${outcome.faults.length} device(s) of request #${t.request}:\n${outcome.faults.map((f) => `- ${f.device}: ${f.message} [${f.code}]`).join("\n")}`,
    );
}

async function start(inputs: ActionInputs, context: RunContext, deps: Dependencies): Promise<ObtainRun> {
  const tokenInputs = inputs.issueTokens;
  const ca = inputs.obtainCertificates;
  if (!tokenInputs || !ca)
    throw new OneRecordError("input-invalid", 'Input "request": required in mode obtain-certificates', {
      field: "request",
    });
  const repository = `${context.owner}/${context.repo}`;
  const octokit = createOctokit({ token: inputs.githubToken, baseUrl: context.apiUrl, fetch: deps.fetch });
  const ledgerOctokit = tokenInputs.recordsToken
    ? createOctokit({ token: tokenInputs.recordsToken, baseUrl: context.apiUrl, fetch: deps.fetch })
    : octokit;
  const { config, source } = await loadConfig(inputs.config, context, () => octokit);
  const key = await loadSigningKey(tokenInputs.signingKey);
  core.setOutput("obtained-count", 0);
  core.info(`Request #${tokenInputs.request}; configuration: ${source}; report signed with kid ${key.kid}.`);
  const now = (deps.now ?? (() => new Date()))();
  const run = readRunInfo(deps.env ?? process.env, repository);
  return { request: tokenInputs.request, repository, context, octokit, ledgerOctokit, config, key, ca, run, now };
}

async function report(t: ObtainRun, obtained: Parameters<typeof renderReports>[1]): Promise<string[]> {
  const bodies = await renderReports(
    {
      repository: t.repository,
      request: t.request,
      runId: t.run.runId,
      runAttempt: t.run.runAttempt,
      workflow: t.run.workflowPath,
      ref: t.run.ref,
      sha: t.run.sha,
      obtainedAt: isoUtcSeconds(t.now.getTime() / 1000),
    },
    obtained,
    t.key,
  );
  const urls = await postReports(t.octokit, t.context, t.request, bodies);
  for (const d of obtained)
    core.info(`obtained  ${d.device}  ${d.identifier}  x5t#S256=${d.x5tS256}  order ${d.orderUrl}`);
  return urls;
}

async function refuse(request: number, reasons: ObtainRefusal[]): Promise<void> {
  await summarize({ kind: "refused", request, reasons });
  core.setFailed(
    `No certificates obtained for request #${request}:\n${reasons.map((r) => `- ${r.message} [${r.code}]`).join("\n")}`,
  );
}

async function summarize(outcome: ObtainSummary): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderObtainSummary(outcome)).write();
}
