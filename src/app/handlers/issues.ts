import type { Context } from "probot";
import { loadConfig } from "../github/config.js";
import { parseRequestForm } from "../intake/parse.js";
import { managedLabels } from "../labels/view.js";
import { isBot } from "../state/observed-lines.js";
import { isCaFormBody } from "../ca-request/parse.js";
import { handleCaRequestEvent } from "./ca-requests.js";
import { handleRequestEvent } from "./request-event.js";
import { issueFromPayload, type AppState } from "./shared.js";

/** `issues.opened` / `issues.edited`: intake, and re-checks of an edited form. */
export async function onIssueOpenedOrEdited(
  context: Context<"issues.opened" | "issues.edited">,
  state: AppState,
): Promise<void> {
  const { payload } = context;
  if (payload.issue.pull_request) return;
  const from = (payload as { changes?: { body?: { from?: string } } }).changes?.body?.from;
  if (isCaFormBody(payload.issue.body) || (payload.action === "edited" && from !== undefined && isCaFormBody(from))) {
    // A request to add a certificate authority (issue 20): a title or label edit changes nothing.
    if (payload.action === "edited" && from === undefined) return;
    const issue = issueFromPayload(payload.issue);
    if (await handleCaRequestEvent(context, payload, state, issue, { kind: "issue" })) return;
  }
  if (payload.action === "edited") {
    // A title or label edit changes nothing the app reads; a body edit is a new form snapshot.
    const changes = (payload as { changes?: { body?: { from?: string } } }).changes;
    if (!changes?.body) return;
    // Neither the old nor the new body is a request form: not ours (unless a record says otherwise,
    // which only matters for a request whose form was wiped: that one is still read).
    if (!parseRequestForm(payload.issue.body).recognized && !parseRequestForm(changes.body.from).recognized) return;
  } else if (!parseRequestForm(payload.issue.body).recognized) {
    return; // an ordinary issue: no API call at all
  }
  await handleRequestEvent(context, payload, state, issueFromPayload(payload.issue), { kind: "issue" });
}

/**
 * `issues.labeled` / `issues.unlabeled` by a person: labels are a view, so a managed label
 * added or removed by hand is put back at once (the app's own label writes come from a bot
 * and are ignored, which also rules out loops).
 */
export async function onIssueLabeled(
  context: Context<"issues.labeled" | "issues.unlabeled">,
  state: AppState,
): Promise<void> {
  const { payload } = context;
  if (payload.issue.pull_request || isBot(payload.sender) || !payload.label) return;
  const loaded = await loadConfig(context);
  if (!loaded.ok) return; // reported on the next request event; a label change is not one
  const name = payload.label.name.toLowerCase();
  if (!managedLabels(loaded.config).some((l) => l.name.toLowerCase() === name)) return;
  await handleRequestEvent(context, payload, state, issueFromPayload(payload.issue), { kind: "issue" }, loaded.config);
}
