import { createRequire } from "node:module";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import type { FakeComment, FakeGitHub, FakeUser } from "./fake-github.js";

/**
 * Webhook payloads built from GitHub's own examples (@octokit/webhooks-examples): the example
 * for the event and action is deep-copied and its issue, comment, PR, repository, installation
 * and sender are replaced by the fake GitHub's current objects, so the shape is GitHub's and the
 * content is the scenario's.
 */

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as ExampleGroup[];

function example(name: string, action: string): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no example payload for ${name}.${action}`);
  return structuredClone(found);
}

let delivery = 0;

type Event = EmitterWebhookEvent;

function envelope(gh: FakeGitHub, name: string, payload: Record<string, unknown>, sender: FakeUser): Event {
  const base = payload.repository as Record<string, unknown>;
  payload.repository = {
    ...base,
    id: gh.repoId,
    name: gh.repo,
    full_name: `${gh.owner}/${gh.repo}`,
    owner: { ...(base.owner as object), login: gh.owner },
    default_branch: gh.defaultBranch,
  };
  payload.installation = { id: gh.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  payload.sender = { ...(payload.sender as object), ...gh.userJson(sender) };
  return { id: `delivery-${++delivery}`, name, payload } as unknown as Event;
}

export function issueEvent(
  gh: FakeGitHub,
  action: "opened" | "edited" | "labeled" | "unlabeled",
  number: number,
  extra: { sender?: FakeUser; changes?: unknown; label?: string } = {},
): Event {
  const payload = example("issues", action);
  const issue = gh.issues.get(number)!;
  payload.issue = { ...(payload.issue as object), ...gh.issueJson(issue) };
  if (extra.changes !== undefined) payload.changes = extra.changes;
  if (extra.label)
    payload.label = gh.labelJson(
      gh.labels.get(extra.label.toLowerCase()) ?? { name: extra.label, color: "ededed", description: null },
    );
  return envelope(gh, "issues", payload, extra.sender ?? issue.user);
}

export function commentEvent(
  gh: FakeGitHub,
  action: "created" | "edited",
  comment: FakeComment,
  extra: { changes?: unknown } = {},
): Event {
  const payload = example("issue_comment", action);
  const issue = gh.issues.get(comment.issue)!;
  payload.issue = { ...(payload.issue as object), ...gh.issueJson(issue) };
  payload.comment = { ...(payload.comment as object), ...gh.commentJson(comment) };
  if (action === "edited") payload.changes = extra.changes ?? { body: { from: "(before)" } };
  return envelope(gh, "issue_comment", payload, comment.user);
}

export interface PullSpec {
  number: number;
  author?: string;
  merged?: boolean;
  mergeCommit?: string;
  mergedAt?: string;
  mergedBy?: string;
  base?: string;
  /** The head branch, in this repository. */
  head?: string;
}

export function pullRequestEvent(
  gh: FakeGitHub,
  action: "opened" | "synchronize" | "closed" | "reopened",
  spec: PullSpec,
): Event {
  const payload = example(
    "pull_request",
    action === "synchronize"
      ? "synchronize"
      : action === "reopened"
        ? "reopened"
        : action === "closed"
          ? "closed"
          : "opened",
  );
  const pr = payload.pull_request as Record<string, unknown>;
  const author = spec.author ?? "jane";
  const merged = action === "closed" && spec.merged === true;
  const at = gh.now();
  payload.number = spec.number;
  payload.pull_request = {
    ...pr,
    number: spec.number,
    html_url: `https://github.com/${gh.owner}/${gh.repo}/pull/${spec.number}`,
    user: { ...(pr.user as object), ...gh.userJson({ login: author, type: "User" }) },
    state: action === "closed" ? "closed" : "open",
    updated_at: at,
    closed_at: action === "closed" ? at : null,
    merged,
    merged_at: merged ? (spec.mergedAt ?? at) : null,
    merge_commit_sha: merged ? (spec.mergeCommit ?? "c0ffee".padEnd(40, "0")) : null,
    merged_by: merged
      ? { ...(pr.user as object), ...gh.userJson({ login: spec.mergedBy ?? "rita", type: "User" }) }
      : null,
    base: { ...(pr.base as object), ref: spec.base ?? gh.defaultBranch },
    ...(spec.head
      ? {
          head: {
            ...(pr.head as object),
            ref: spec.head,
            repo: { ...((pr.head as { repo: object }).repo ?? {}), full_name: `${gh.owner}/${gh.repo}` },
          },
        }
      : {}),
  };
  return envelope(gh, "pull_request", payload, { login: merged ? (spec.mergedBy ?? "rita") : author, type: "User" });
}

export interface RunSpec {
  id: number;
  attempt?: number;
  /** `display_title`: the token workflow's run-name, `Issue tokens for request #N`. */
  title: string;
  path?: string;
  branch?: string;
  event?: string;
  conclusion?: "success" | "failure" | "cancelled";
}

/**
 * `workflow_run.completed`, from GitHub's example of a completed run (the one that carries
 * `path` and `display_title`), with this run's fields.
 */
export function workflowRunEvent(gh: FakeGitHub, spec: RunSpec): Event {
  const group = examples.find((e) => e.name === "workflow_run")!;
  const found = group.examples.find(
    (e) => e.action === "completed" && typeof (e.workflow_run as { path?: unknown }).path === "string",
  );
  if (!found) throw new Error("no example payload for workflow_run.completed with a path");
  const payload = structuredClone(found);
  const run = payload.workflow_run as Record<string, unknown>;
  const repository = {
    ...(run.repository as object),
    full_name: `${gh.owner}/${gh.repo}`,
    name: gh.repo,
    id: gh.repoId,
  };
  payload.workflow_run = {
    ...run,
    id: spec.id,
    run_attempt: spec.attempt ?? 1,
    display_title: spec.title,
    name: "Issue tokens",
    path: spec.path ?? ".github/workflows/issue-tokens.yml",
    head_branch: spec.branch ?? gh.defaultBranch,
    event: spec.event ?? "workflow_dispatch",
    status: "completed",
    conclusion: spec.conclusion ?? "success",
    html_url: `https://github.com/${gh.owner}/${gh.repo}/actions/runs/${spec.id}`,
    updated_at: gh.now(),
    repository,
    head_repository: repository,
  };
  payload.workflow = {
    ...(payload.workflow as object),
    name: "Issue tokens",
    path: spec.path ?? ".github/workflows/issue-tokens.yml",
  };
  return envelope(gh, "workflow_run", payload, { login: "rita", type: "User" });
}
