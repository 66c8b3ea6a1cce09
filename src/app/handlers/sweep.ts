import type { Context } from "probot";
import { dueEntries, type DueEntry } from "../../record/due-index.js";
import { runPath, tokenWorkflowPath } from "../../record/token-workflow.js";
import type { AccessConfig } from "../../config/schema.js";
import { loadConfig } from "../github/config.js";
import type { GitHubIO } from "../github/rest.js";
import { readDueIndex, writeDueEntries, type IndexDeps } from "../renewal/index-io.js";
import { sweepBatch } from "../sweep-batch.js";
import { readAllRecords } from "../github/ledger-scan.js";
import { completeIndex } from "../renewal/scan.js";
import { handleRequestEvent, ledgerFor } from "./request-event.js";
import { ioFor, type AppState } from "./shared.js";

/**
 * The expiry watch's trigger (docs/app.md, "Expiry watch"): the completion of the no-op
 * `access-sweep.yml` workflow (`renewal.sweepWorkflow`), scheduled daily and dispatchable, whose
 * `run-name` is SWEEP_RUN_TITLE. The workflow has no permission at all; whoever can run it only
 * makes the app look, and a sweep changes nothing that is not due.
 */
export const SWEEP_RUN_TITLE = "OneRecord access sweep";

interface SweepRun {
  display_title?: string | null;
  event: string;
  head_branch: string | null;
  conclusion?: string | null;
  repository?: { full_name: string } | null;
}

/**
 * Decided from the payload alone (no API call, like the token workflow's runs): a successful
 * `schedule` or `workflow_dispatch` run on the default branch of this repository, titled as the
 * sweep workflow. A failed or cancelled run sweeps nothing (tomorrow's does). The workflow file is
 * checked against the configuration afterwards.
 */
export function isSweepRun(run: SweepRun, repository: { full_name: string; default_branch?: string }): boolean {
  if (run.display_title !== SWEEP_RUN_TITLE) return false;
  if (run.event !== "schedule" && run.event !== "workflow_dispatch") return false;
  if (!repository.default_branch || run.head_branch !== repository.default_branch) return false;
  if (run.repository && run.repository.full_name.toLowerCase() !== repository.full_name.toLowerCase()) return false;
  return run.conclusion === "success";
}

/**
 * One sweep: read the due-date index once, sync only the requests whose next reminder has come
 * (the normal observe → plan → apply, with the sweep's time: the plan records and tells the
 * reminders crossed), then write the index entries they changed, at once. The sweep's time is the
 * run's completion as GitHub reported it, so a redelivered event sweeps as of then.
 */
export async function sweepAfterRun(context: Context<"workflow_run.completed">, state: AppState): Promise<void> {
  const { payload } = context;
  const run = payload.workflow_run;
  const loaded = await loadConfig(context);
  if (!loaded.ok) {
    context.log.warn({ field: loaded.field, run: run.id }, "configuration invalid: no sweep");
    return;
  }
  const config = loaded.config;
  if (runPath(run.path ?? "", payload.repository.full_name) !== tokenWorkflowPath(config.renewal.sweepWorkflow)) return;
  const recordKey = await state.recordKey();
  if (!recordKey.ok || !config.records.jwks) {
    context.log.warn({ run: run.id }, "no record key or records.jwks: no sweep (every request says so on its status)");
    return;
  }
  const at = new Date(run.updated_at).toISOString();
  const io = ioFor(context, payload);
  const ledger = ledgerFor(context, io.repo, config);
  const index: IndexDeps = {
    ledger,
    jwks: config.records.jwks,
    repository: payload.repository.full_name,
    log: context.log,
  };
  const scan = { ...index, config, records: () => readAllRecords(context.octokit, ledger.at) };
  const read = await completeIndex(scan, recordKey.key, await readDueIndex(index, at), at);
  const due = dueEntries(read.index, at);
  context.log.info({ run: run.id, at, entries: read.index.entries.length, due: due.length }, "expiry sweep");
  if (due.length === 0) return;
  const botLogin = await state.botLogin();
  const batch = await sweepBatch(
    {
      octokit: context.octokit,
      io,
      ledger,
      bot: { login: botLogin, id: await state.botId(context.octokit, botLogin) },
      config,
      botLogin,
      defaultBranch: payload.repository.default_branch,
      recordKey,
      heads: state.heads,
      log: context.log,
    },
    due,
    at,
  );
  const changes = batch.changes;
  let failed = 0;
  for (const entry of batch.leftover) {
    try {
      const next = await sweepRequest(context, state, io, entry, at, config);
      if (next !== undefined) changes.set(entry.issue, next);
    } catch (error) {
      failed++;
      context.log.error({ err: error, issue: entry.issue }, "expiry sweep: request not swept");
    }
  }
  if (changes.size) await writeDueEntries(index, recordKey.key, changes, read);
  if (failed) throw new Error(`expiry sweep: ${failed} of ${due.length} due request(s) failed (logged)`);
}

/** One due request synced with the sweep's time; its new index entry (null: none), or undefined: unchanged. */
async function sweepRequest(
  context: Context<"workflow_run.completed">,
  state: AppState,
  io: GitHubIO,
  entry: DueEntry,
  at: string,
  config: AccessConfig,
): Promise<string | null | undefined> {
  let issue;
  try {
    issue = await io.getIssue(entry.issue);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 410) return null;
    throw error;
  }
  if (issue.pull_request) return null;
  const sweep = { at, indexed: entry.next };
  const result = await handleRequestEvent(context, context.payload, state, issue, { kind: "sweep", sweep }, config);
  if (!result || result.status === "not-a-request") return null;
  return result.dueIndex?.next;
}
