import type { Context } from "probot";
import { GitHubIO, type IssueData } from "../github/rest.js";
import type { ConditionalCache } from "../github/conditional.js";
import type { KeyedQueue } from "../queue.js";
import type { RecordKeyState } from "../ledger/setup.js";
import type { KnownHeads } from "../ledger/known-heads.js";

/** What every handler shares for the lifetime of the app (one process). */
export interface AppState {
  queue: KeyedQueue;
  /** Revalidated reads (config, team memberships) shared by the events of this process. */
  conditional: ConditionalCache;
  /** The app's bot login (`<slug>[bot]`): authorship of the status comment is checked against it. */
  botLogin: () => Promise<string>;
  /**
   * The bot's account id, which its commits' e-mail address carries (src/record/provenance.ts),
   * asked once per process with the octokit given (`GET /users/{login}`; an id never changes).
   */
  botId: (octokit: Context["octokit"], login: string) => Promise<number>;
  /** The record signing key from `RECORD_SIGNING_KEY`, loaded once per process. */
  recordKey: () => Promise<RecordKeyState>;
  /** Ledger heads this process knows the app made. */
  heads: KnownHeads;
}

type RepoPayload = { repository: { owner: { login: string }; name: string; id: number } };

export function ioFor(context: Context, payload: RepoPayload): GitHubIO {
  return new GitHubIO(context.octokit, { owner: payload.repository.owner.login, repo: payload.repository.name });
}

/** One key per issue: events for one request are handled one at a time in this process. */
export function issueKey(payload: RepoPayload, issue: number): string {
  return `${payload.repository.id}#${issue}`;
}

type PayloadIssue = {
  number: number;
  html_url: string;
  body?: string | null;
  created_at?: string;
  updated_at: string;
  state?: string;
  comments?: number;
  labels?: Array<{ name: string; color?: string | null; description?: string | null }> | null;
  user: { login: string; id?: number } | null;
  pull_request?: unknown;
};

/** The issue as the webhook carried it: a snapshot, possibly older than GitHub's current one. */
export function issueFromPayload(issue: PayloadIssue): IssueData {
  return {
    number: issue.number,
    html_url: issue.html_url,
    body: issue.body ?? "",
    ...(issue.created_at ? { created_at: issue.created_at } : {}),
    updated_at: issue.updated_at,
    state: issue.state ?? "open",
    comments: issue.comments ?? 0,
    labels: (issue.labels ?? []).map((l) => ({
      name: l.name,
      color: l.color ?? null,
      description: l.description ?? null,
    })),
    user: issue.user ? { login: issue.user.login, ...(issue.user.id ? { id: issue.user.id } : {}) } : null,
    ...(issue.pull_request ? { pull_request: issue.pull_request } : {}),
  };
}
