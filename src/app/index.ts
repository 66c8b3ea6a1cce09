import type { Context, Probot } from "probot";
import { ConditionalCache } from "./github/conditional.js";
import { onIssueComment } from "./handlers/comments.js";
import { onIssueLabeled, onIssueOpenedOrEdited } from "./handlers/issues.js";
import { onPullRequest } from "./handlers/pulls.js";
import type { AppState } from "./handlers/shared.js";
import { onWorkflowRunCompleted } from "./handlers/workflow-runs.js";
import { KeyedQueue } from "./queue.js";
import { loadRecordSigningKey } from "../record/record-signing-key.js";
import type { RecordKeyState } from "./ledger/setup.js";
import { KnownHeads } from "./ledger/known-heads.js";

/**
 * The OneRecord production-access app (Probot). Stateless: everything it knows about a request
 * is in that request's signed ledger file and its issue's comment history, so any number of
 * instances can run, restart or receive events twice.
 *
 * Events: `issues` (intake, form edits, labels changed by hand), `issue_comment` (commands and the
 * token workflow's issuance comments), `pull_request` (certificate PRs), `workflow_run` (the token
 * workflow's runs completing). See app.yml for the permissions.
 */
export default function onerecordAccessApp(app: Probot): void {
  const state: AppState = {
    queue: new KeyedQueue(),
    conditional: new ConditionalCache(),
    botLogin: botLoginOf(app),
    botId: botIdOf(),
    recordKey: recordKeyOf(),
    heads: new KnownHeads(),
  };
  // Every event's client revalidates the config and team memberships instead of re-reading them.
  const prepared =
    <C extends Context>(handler: (context: C, state: AppState) => Promise<void>) =>
    (context: C) => {
      const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
      state.conditional.install(context.octokit, String(installation ?? "app"));
      return handler(context, state);
    };
  app.on(["issues.opened", "issues.edited"], prepared(onIssueOpenedOrEdited));
  app.on(["issues.labeled", "issues.unlabeled"], prepared(onIssueLabeled));
  app.on(["issue_comment.created", "issue_comment.edited"], prepared(onIssueComment));
  app.on(
    ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.closed"],
    prepared(onPullRequest),
  );
  app.on("workflow_run.completed", prepared(onWorkflowRunCompleted));
}

/**
 * `<slug>[bot]`, asked once per process (`GET /app`, as the app). `BOT_LOGIN` may set it instead,
 * saving that request (for example on serverless hosts that start often). It decides whose ledger
 * commits are the app's, so only an app's bot name is taken (`<slug>[bot]`: no person's account
 * can have it); anything else is refused and the app asks GitHub.
 */
const BOT_NAME = /^[a-z0-9][a-z0-9-]{0,98}\[bot\]$/i;

function botLoginOf(app: Probot): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => {
    const configured = process.env.BOT_LOGIN?.trim();
    if (configured && BOT_NAME.test(configured)) return Promise.resolve(configured);
    if (configured) app.log.error("BOT_LOGIN is not an app's bot name (<app-slug>[bot]): ignored, asking GitHub");
    pending ??= (async () => {
      const octokit = await app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("GET /app returned no slug");
      return `${data.slug}[bot]`;
    })().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

function botIdOf(): AppState["botId"] {
  const ids = new Map<string, Promise<number>>();
  return (octokit, login) => {
    let id = ids.get(login);
    if (!id) {
      id = octokit.rest.users.getByUsername({ username: login }).then(({ data }) => data.id);
      id.catch(() => ids.delete(login));
      ids.set(login, id);
    }
    return id;
  };
}

/**
 * The record signing key from `RECORD_SIGNING_KEY`, read once per process. A missing or unusable
 * key is not fatal to the process: every request says so on its status comment and nothing
 * advances (`recordSetupProblem`). The message never quotes the secret.
 */
function recordKeyOf(): () => Promise<RecordKeyState> {
  let loaded: Promise<RecordKeyState> | undefined;
  return () =>
    (loaded ??= (async (): Promise<RecordKeyState> => {
      const secret = process.env.RECORD_SIGNING_KEY;
      if (!secret?.trim())
        return { ok: false, problem: "the app has no record signing key: RECORD_SIGNING_KEY is not set" };
      try {
        return { ok: true, key: await loadRecordSigningKey(secret) };
      } catch (error) {
        return { ok: false, problem: error instanceof Error ? error.message : "RECORD_SIGNING_KEY cannot be read" };
      }
    })());
}
