import type { Context } from "probot";
import { loadConfig } from "../github/config.js";
import { runPath, TOKEN_RUN_TITLE, tokenWorkflowPath } from "../../record/token-workflow.js";
import { handleRequestEvent } from "./request-event.js";
import { ioFor, type AppState } from "./shared.js";
import { isSweepRun, sweepAfterRun } from "./sweep.js";

interface RunSummary {
  display_title?: string | null;
  event: string;
  head_branch: string | null;
  path?: string | null;
  repository?: { full_name: string } | null;
}

/**
 * The request a completed run may concern, decided from the payload alone (no API call): a
 * `workflow_dispatch` run on the default branch of this repository whose title is the token
 * workflow's. The workflow file is checked against the configuration afterwards.
 */
export function requestOfTokenRun(
  run: RunSummary,
  repository: { full_name: string; default_branch?: string },
): number | null {
  if (run.event !== "workflow_dispatch") return null;
  if (!repository.default_branch || run.head_branch !== repository.default_branch) return null;
  if (run.repository && run.repository.full_name.toLowerCase() !== repository.full_name.toLowerCase()) return null;
  const match = TOKEN_RUN_TITLE.exec(run.display_title ?? "");
  return match ? Number(match[1]) : null;
}

/**
 * `workflow_run.completed` of the token workflow: the run that posted an issuance comment has
 * ended, so the request is synced again — the normal path, which re-judges the comments still
 * pending and now finds the attempt completed (success: the tokens count; anything else: refused).
 * Redelivered or early deliveries are harmless: the sync recomputes from the issue's history.
 */
export async function onWorkflowRunCompleted(
  context: Context<"workflow_run.completed">,
  state: AppState,
): Promise<void> {
  const { payload } = context;
  const run = payload.workflow_run;
  if (isSweepRun(run, payload.repository)) return sweepAfterRun(context, state);
  const request = requestOfTokenRun(run, payload.repository);
  if (request === null) return;
  const loaded = await loadConfig(context);
  if (!loaded.ok) {
    context.log.warn({ field: loaded.field, run: run.id }, "configuration invalid: token run not followed up");
    return;
  }
  if (runPath(run.path ?? "", payload.repository.full_name) !== tokenWorkflowPath(loaded.config.tokens.workflow))
    return;
  const io = ioFor(context, payload);
  let issue;
  try {
    issue = await io.getIssue(request);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 410) return;
    throw error;
  }
  if (issue.pull_request) return;
  await handleRequestEvent(context, payload, state, issue, { kind: "issue" }, loaded.config);
}
