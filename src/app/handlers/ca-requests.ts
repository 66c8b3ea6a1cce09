import type { Context } from "probot";
import { isCaFormBody } from "../ca-request/parse.js";
import { syncCaRequest } from "../ca-request/sync.js";
import type { Trigger } from "../deps.js";
import { loadConfig } from "../github/config.js";
import type { IssueData } from "../github/rest.js";
import { reportConfigError } from "./config-error.js";
import { syncDeps } from "./request-event.js";
import { ioFor, issueKey, type AppState } from "./shared.js";

type RepoPayload = Parameters<typeof ioFor>[1];

/** The head branch of the pull request the app opens for CA request `n` (src/app/ca-request/plan.ts). */
const CA_BRANCH = /^onerecord-access\/add-ca-([1-9][0-9]{0,9})$/;

/**
 * An event on an *Add a certificate authority* issue (issue 20, part 2): queued per issue like a
 * production-access request, the configuration loaded (a broken one is reported once), then the
 * CA request's own observe → plan → apply (src/app/ca-request/). False when the issue is not a CA
 * request after all (a production-access request whose body now holds the CA form): the caller
 * handles it as a production-access request.
 */
export async function handleCaRequestEvent(
  context: Context,
  payload: RepoPayload,
  state: AppState,
  issue: IssueData,
  trigger: Trigger,
  pullHead?: string,
): Promise<boolean> {
  return state.queue.run(issueKey(payload, issue.number), async () => {
    const io = ioFor(context, payload);
    const loaded = await loadConfig(context);
    const botLogin = await state.botLogin();
    if (!loaded.ok) {
      return reportConfigError(io, issue.number, botLogin, loaded, () => isCaFormBody(issue.body));
    }
    return syncCaRequest(await syncDeps(context, payload, state, loaded.config, botLogin), issue, trigger, pullHead);
  });
}

export function isCaBranch(ref: string): boolean {
  return CA_BRANCH.test(ref);
}

/**
 * The CA request a pull request closing belongs to, when it is the app's own (its branch, in this
 * repository, into the default branch, opened by the app): its merge is what adds the root.
 */
export function caRequestOfPull(
  pull: { head: { ref: string; repo?: { full_name?: string } | null }; user?: { login?: string } | null },
  repository: string,
  botLogin: string,
): number | null {
  const match = CA_BRANCH.exec(pull.head.ref);
  if (!match || pull.head.repo?.full_name?.toLowerCase() !== repository.toLowerCase()) return null;
  return pull.user?.login === botLogin ? Number(match[1]) : null;
}
