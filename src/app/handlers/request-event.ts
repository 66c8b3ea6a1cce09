import type { Context } from "probot";
import type { AccessConfig } from "../../config/schema.js";
import type { IssueData } from "../github/rest.js";
import { LedgerIO } from "../github/ledger.js";
import { loadConfig } from "../github/config.js";
import { parseRequestForm } from "../intake/parse.js";
import { syncRequest, type SyncDeps, type SyncResult, type Trigger } from "../sync.js";
import { reportConfigError } from "./config-error.js";
import { ioFor, issueKey, type AppState } from "./shared.js";

type RepoPayload = Parameters<typeof ioFor>[1];

/**
 * The common path of every event that concerns one request issue: queue per issue, load the
 * config (a broken one is reported once and moves nothing), then sync.
 */
export async function handleRequestEvent(
  context: Context,
  payload: RepoPayload,
  state: AppState,
  issue: IssueData,
  trigger: Trigger,
  preloaded?: AccessConfig,
): Promise<SyncResult | null> {
  return state.queue.run(issueKey(payload, issue.number), async () => {
    const io = ioFor(context, payload);
    const loaded = preloaded ? ({ ok: true, config: preloaded } as const) : await loadConfig(context);
    const botLogin = await state.botLogin();
    if (!loaded.ok) {
      context.log.warn({ field: loaded.field, issue: issue.number }, "configuration invalid: nothing moves");
      await reportConfigError(
        io,
        issue.number,
        botLogin,
        loaded,
        (statusFound) => statusFound || parseRequestForm(issue.body).recognized,
      );
      return null;
    }
    return syncRequest(await syncDeps(context, payload, state, loaded.config, botLogin), issue, trigger);
  });
}

/** What one sync needs from this event and process: one place for production-access and CA requests. */
export async function syncDeps(
  context: Context,
  payload: RepoPayload,
  state: AppState,
  config: AccessConfig,
  botLogin: string,
): Promise<SyncDeps> {
  const io = ioFor(context, payload);
  return {
    io,
    config,
    botLogin,
    defaultBranch: (payload as { repository: { default_branch?: string } }).repository.default_branch ?? "main",
    ledger: ledgerFor(context, io.repo, config),
    recordKey: await state.recordKey(),
    heads: state.heads,
    log: context.log,
  };
}

/** The ledger of this repository's requests: `records.repository` when set, else this repository. */
export function ledgerFor(context: Context, here: { owner: string; repo: string }, config: AccessConfig): LedgerIO {
  const [owner, repo] = config.records.repository?.split("/") ?? [here.owner, here.repo];
  return new LedgerIO(context.octokit, { owner: owner!, repo: repo!, branch: config.records.branch });
}
