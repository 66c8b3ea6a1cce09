import type { ProbotOctokit } from "probot";
import type { CommitPull } from "../certificates/rejudge.js";
import type { RunFacts } from "../issuance/judge.js";

/**
 * The I/O edge: every GitHub call the app makes, as small typed functions over the installation
 * client. Nothing here decides anything. Only `octokit.rest.*` (and `paginate` over them).
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface CommentData {
  id: number;
  body: string;
  html_url: string;
  created_at: string;
  updated_at: string;
  user: { login: string; type: string; id?: number } | null;
}

export interface IssueData {
  number: number;
  html_url: string;
  body: string;
  /** When the issue (and its first body) was written; older snapshots may lack it. */
  created_at?: string;
  updated_at: string;
  state: string;
  comments: number;
  labels: Array<{ name: string; color: string | null; description: string | null }>;
  user: { login: string; id?: number } | null;
  pull_request?: unknown;
}

export interface PullFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

type Octokit = InstanceType<typeof ProbotOctokit>;

/**
 * Paths read per GraphQL query by `getFiles`. `file(path:)` is a field, not a connection, so the
 * 1–100 bound on `first`/`last` does not apply; what does is the 500,000-node limit and the
 * 10-second timeout ("Rate limits and query limits for the GraphQL API"). 250 blobs of a few KB
 * are far from both, and a 500-file merge reads in 2 queries, not 5 (issue 22: at most
 * 10 + ⌈N/100⌉ rate-limited requests for a merge of N files, the 5 pages of its file list
 * included).
 */
const FILES_PER_QUERY = 250;

const FORM_EDITED_AT = `query ($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    issue(number: $number) {
      lastEditedAt
    }
  }
}`;

const LAST_BODY_EDIT = `query ($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    issue(number: $number) {
      lastEditedAt
      editor {
        login
      }
    }
  }
}`;

function toComment(c: {
  id: number;
  body?: string | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  user: { login: string; type: string; id?: number } | null;
}): CommentData {
  return {
    id: c.id,
    body: c.body ?? "",
    html_url: c.html_url,
    created_at: c.created_at,
    updated_at: c.updated_at,
    user: c.user ? { login: c.user.login, type: c.user.type, ...(c.user.id ? { id: c.user.id } : {}) } : null,
  };
}

function toIssue(i: {
  number: number;
  html_url: string;
  body?: string | null;
  created_at?: string;
  updated_at: string;
  state: string;
  comments: number;
  labels: Array<string | { name?: string; color?: string | null; description?: string | null }>;
  user: { login: string; id?: number } | null;
  pull_request?: unknown;
}): IssueData {
  return {
    number: i.number,
    html_url: i.html_url,
    body: i.body ?? "",
    ...(i.created_at ? { created_at: i.created_at } : {}),
    updated_at: i.updated_at,
    state: i.state,
    comments: i.comments,
    labels: i.labels.map((l) =>
      typeof l === "string"
        ? { name: l, color: null, description: null }
        : { name: l.name ?? "", color: l.color ?? null, description: l.description ?? null },
    ),
    user: i.user ? { login: i.user.login, ...(i.user.id ? { id: i.user.id } : {}) } : null,
    ...(i.pull_request ? { pull_request: i.pull_request } : {}),
  };
}

/** One closing or reopening of an issue, as its timeline records it. */
export interface StateChange {
  event: "closed" | "reopened";
  by: string | null;
  at: string;
  stateReason: string | null;
}

/** How many pages of 100 timeline events a rebuild reads for the issue's state changes. */
const STATE_CHANGE_PAGES = 10;

export class GitHubIO {
  constructor(
    private readonly octokit: Octokit,
    readonly repo: RepoRef,
  ) {}

  /**
   * The issue's comments, oldest first; with `since` (ISO time), only those GitHub last updated
   * at or after it (created, or edited, since): what changed, not the whole thread.
   */
  async listComments(issue: number, since?: string): Promise<CommentData[]> {
    const all = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: issue,
      per_page: 100,
      ...(since ? { since } : {}),
    });
    return all.map(toComment);
  }

  /** One comment by id, or null when it is gone (404). */
  async getComment(commentId: number): Promise<CommentData | null> {
    try {
      const { data } = await this.octokit.rest.issues.getComment({ ...this.repo, comment_id: commentId });
      return toComment(data);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  async getIssue(issue: number): Promise<IssueData> {
    const { data } = await this.octokit.rest.issues.get({ ...this.repo, issue_number: issue });
    return toIssue(data);
  }

  async createComment(issue: number, body: string): Promise<CommentData> {
    const { data } = await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: issue, body });
    return toComment(data);
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: commentId, body });
  }

  /** A reaction on a comment (the app's acknowledgement of an accepted command); a gone comment is no error. */
  async reactToComment(commentId: number, content: "+1" | "eyes"): Promise<void> {
    try {
      await this.octokit.rest.reactions.createForIssueComment({ ...this.repo, comment_id: commentId, content });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }

  /** Deleting a comment that is already gone (another instance deleted it first) is done, not an error. */
  async deleteComment(commentId: number): Promise<void> {
    try {
      await this.octokit.rest.issues.deleteComment({ ...this.repo, comment_id: commentId });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }

  /** Labels and open/closed state in one request (PATCH replaces the label set). */
  async updateIssue(
    issue: number,
    change: { labels: string[]; state?: "open" | "closed"; stateReason?: "completed" | "not_planned" | "reopened" },
  ): Promise<IssueData> {
    const { data } = await this.octokit.rest.issues.update({
      ...this.repo,
      issue_number: issue,
      labels: change.labels,
      ...(change.state ? { state: change.state } : {}),
      ...(change.stateReason ? { state_reason: change.stateReason } : {}),
    });
    return toIssue(data);
  }

  async createLabel(label: { name: string; color: string; description?: string | undefined }): Promise<void> {
    await this.octokit.rest.issues.createLabel({
      ...this.repo,
      name: label.name,
      color: label.color,
      ...(label.description ? { description: label.description } : {}),
    });
  }

  async updateLabel(label: { name: string; color: string; description?: string | undefined }): Promise<void> {
    await this.octokit.rest.issues.updateLabel({
      ...this.repo,
      name: label.name,
      color: label.color,
      ...(label.description ? { description: label.description } : {}),
    });
  }

  /** Active membership of `login` in `org/team`; false for "not a member" (404) and pending invitations. */
  async isTeamMember(org: string, teamSlug: string, login: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: teamSlug,
        username: login,
      });
      return data.state === "active";
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  async listPullFiles(pull: number): Promise<PullFile[]> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
      ...this.repo,
      pull_number: pull,
      per_page: 100,
    });
    return files.map((f) => ({
      filename: f.filename,
      status: f.status,
      ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
    }));
  }

  /**
   * One attempt of a workflow run of this repository, or null when there is none. The attempt,
   * not the run: a re-run makes a new attempt of the same run, and an issuance comment speaks for
   * the attempt that posted it (a completed attempt never changes).
   */
  async getWorkflowRunAttempt(runId: number, attempt: number): Promise<RunFacts | null> {
    try {
      const { data } = await this.octokit.rest.actions.getWorkflowRunAttempt({
        ...this.repo,
        run_id: runId,
        attempt_number: attempt,
        exclude_pull_requests: true,
      });
      return {
        path: data.path,
        head_branch: data.head_branch,
        event: data.event,
        status: data.status,
        conclusion: data.conclusion,
        run_attempt: data.run_attempt,
        display_title: data.display_title,
        head_sha: data.head_sha,
        repository: { full_name: data.repository.full_name },
        updated_at: data.updated_at,
        actor: data.triggering_actor?.login ?? data.actor?.login,
      };
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  /**
   * When the issue body was last edited (GraphQL `Issue.lastEditedAt`); null when never edited.
   * The REST API has no such field (`updated_at` moves with labels, comments and state too), and
   * an approval must be compared with when the form version in effect was written.
   */
  async formEditedAt(issue: number): Promise<string | null> {
    const data = await this.octokit.graphql<{
      repository: { issue: { lastEditedAt: string | null } | null } | null;
    }>(FORM_EDITED_AT, { owner: this.repo.owner, repo: this.repo.repo, number: issue });
    return data.repository?.issue?.lastEditedAt ?? null;
  }

  /**
   * The newest commit on `branch` that touched `path`, or null when none (404: no such branch;
   * 409: an empty repository). A rebuild asks it to find the pull request that put a
   * certificate file on the default branch: a file is a certificate only if one did.
   */
  async lastCommitTouching(path: string, branch: string): Promise<string | null> {
    try {
      const { data } = await this.octokit.rest.repos.listCommits({ ...this.repo, sha: branch, path, per_page: 1 });
      return data[0]?.sha ?? null;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || status === 409) return null;
      throw error;
    }
  }

  /**
   * The pull requests GitHub links to a commit (the merge commit of a squash or rebase merge, or a
   * commit of the merged branch), merged or not: a rebuild keeps the one merged into the default
   * branch, so a commit pushed there by hand, with no review, ties a file to no PR.
   */
  async pullsOfCommit(sha: string): Promise<CommitPull[]> {
    const pulls = await this.octokit.paginate(this.octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
      ...this.repo,
      commit_sha: sha,
      per_page: 100,
    });
    return pulls.map((p) => ({
      number: p.number,
      url: p.html_url,
      author: p.user?.login,
      mergedAt: p.merged_at ?? null,
      mergeCommit: p.merge_commit_sha ?? null,
      base: p.base.ref,
    }));
  }

  /**
   * The issue's state changes (closed, reopened), oldest first, from its timeline, where
   * `state_reason` is kept per event (`state-change-issue-event`); null when the timeline is
   * longer than STATE_CHANGE_PAGES pages of 100 events (what is beyond was not read). Only a
   * rebuild asks: the events are the evidence of a rejection no one with write access can delete.
   */
  async stateChanges(issue: number): Promise<StateChange[] | null> {
    const changes: StateChange[] = [];
    for (let page = 1; page <= STATE_CHANGE_PAGES; page++) {
      const { data } = await this.octokit.rest.issues.listEventsForTimeline({
        ...this.repo,
        issue_number: issue,
        per_page: 100,
        page,
      });
      for (const event of data as Array<Record<string, unknown>>) {
        if (event.event !== "closed" && event.event !== "reopened") continue;
        const actor = event.actor as { login?: unknown } | null | undefined;
        changes.push({
          event: event.event,
          by: typeof actor?.login === "string" ? actor.login : null,
          at: String(event.created_at),
          stateReason: typeof event.state_reason === "string" ? event.state_reason : null,
        });
      }
      if (data.length < 100) return changes;
    }
    return null;
  }

  /**
   * Dispatches the token workflow (`workflow_dispatch` with the `request` input) on `ref`, the
   * default branch. GitHub answers 204 and starts a run that waits for the environment's
   * reviewers.
   */
  async dispatchTokenWorkflow(workflow: string, ref: string, request: number): Promise<void> {
    await this.octokit.rest.actions.createWorkflowDispatch({
      ...this.repo,
      workflow_id: workflow,
      ref,
      inputs: { request: String(request) },
    });
  }

  /**
   * A pull request of `files` against the default branch `base`, opened by the app (option 2's
   * certificates): a branch `branch` from the base's head holding one commit of the files (git
   * data API), then the pull request. Opened by the app's installation, it starts the repository's
   * workflows — the certificate check among them — as a pull request opened with a workflow's
   * GITHUB_TOKEN would not. The branch is the idempotence: when it exists already (a redelivery,
   * another instance), nothing more is done and null comes back.
   */
  async openPull(pull: {
    branch: string;
    base: string;
    title: string;
    body: string;
    files: ReadonlyArray<{ path: string; content: string }>;
  }): Promise<{ number: number; commit: string } | null> {
    const git = this.octokit.rest.git;
    const { data: head } = await git.getRef({ ...this.repo, ref: `heads/${pull.base}` });
    const { data: parent } = await git.getCommit({ ...this.repo, commit_sha: head.object.sha });
    const { data: tree } = await git.createTree({
      ...this.repo,
      base_tree: parent.tree.sha,
      tree: pull.files.map((f) => ({
        path: f.path,
        mode: "100644" as const,
        type: "blob" as const,
        content: f.content,
      })),
    });
    const { data: commit } = await git.createCommit({
      ...this.repo,
      message: pull.title,
      tree: tree.sha,
      parents: [head.object.sha],
    });
    try {
      await git.createRef({ ...this.repo, ref: `refs/heads/${pull.branch}`, sha: commit.sha });
    } catch (error) {
      if ((error as { status?: number }).status === 422) return null;
      throw error;
    }
    const { data } = await this.octokit.rest.pulls.create({
      ...this.repo,
      head: pull.branch,
      base: pull.base,
      title: pull.title,
      body: pull.body,
    });
    return { number: data.number, commit: commit.sha };
  }

  /** Closes a pull request (the app's own, when the request it serves was rejected). */
  async closePull(pull: number): Promise<void> {
    await this.octokit.rest.pulls.update({ ...this.repo, pull_number: pull, state: "closed" });
  }

  /**
   * When the issue's body was last edited and by whom (GraphQL \`lastEditedAt\`, \`editor\`); nulls
   * when it never was. A CA request's approval must come after the version it approves, from
   * someone other than who wrote that version.
   */
  async lastBodyEdit(issue: number): Promise<{ at: string | null; editor: string | null }> {
    const data = await this.octokit.graphql<{
      repository: { issue: { lastEditedAt: string | null; editor: { login: string } | null } | null } | null;
    }>(LAST_BODY_EDIT, { owner: this.repo.owner, repo: this.repo.repo, number: issue });
    const found = data.repository?.issue;
    return { at: found?.lastEditedAt ?? null, editor: found?.editor?.login ?? null };
  }

  /**
   * The pull request whose head is `branch` in this repository (any state), with its author; null
   * when there is none. For a pull request the app opened once and must find again.
   */
  async findPullByBranch(branch: string): Promise<{ number: number; author: string | null; head: string } | null> {
    const { data } = await this.octokit.rest.pulls.list({
      ...this.repo,
      head: `${this.repo.owner}:${branch}`,
      state: "all",
      per_page: 1,
    });
    const pull = data[0];
    return pull ? { number: pull.number, author: pull.user?.login ?? null, head: pull.head.sha } : null;
  }

  /**
   * Several files' bytes at one commit (issue 22: a merge of N certificate files costs ⌈N/250⌉
   * requests, not N): one GraphQL query per FILES_PER_QUERY paths, each path a variable (a file
   * name comes from a pull request: never spliced into the query). A file GraphQL gives no text for
   * (binary, such as DER, or truncated) is read alone with `getFile`. Null where there is no file.
   */
  async getFiles(paths: readonly string[], commit: string): Promise<Map<string, Uint8Array | null>> {
    const out = new Map<string, Uint8Array | null>();
    for (let i = 0; i < paths.length; i += FILES_PER_QUERY) {
      const batch = paths.slice(i, i + FILES_PER_QUERY);
      const fields = batch.map(
        (_, j) => `f${j}: file(path: $p${j}) { object { ... on Blob { text isBinary isTruncated byteSize } } }`,
      );
      const declared = batch.map((_, j) => `$p${j}: String!`).join(", ");
      const data = await this.octokit.graphql<{
        repository: {
          object: Record<
            string,
            {
              object: {
                text?: string | null;
                isBinary?: boolean | null;
                isTruncated?: boolean;
                byteSize?: number;
              } | null;
            } | null
          > | null;
        } | null;
      }>(
        `query ($owner: String!, $repo: String!, $oid: GitObjectID!, ${declared}) {\n  repository(owner: $owner, name: $repo) { object(oid: $oid) { ... on Commit {\n${fields.join("\n")}\n  } } }\n}`,
        {
          owner: this.repo.owner,
          repo: this.repo.repo,
          oid: commit,
          ...Object.fromEntries(batch.map((p, j) => [`p${j}`, p])),
        },
      );
      const found = data.repository?.object ?? {};
      for (const [j, path] of batch.entries()) {
        const blob = found[`f${j}`]?.object;
        const text = typeof blob?.text === "string" && !blob.isBinary && !blob.isTruncated ? blob.text : null;
        // Only text whose bytes are exactly the file's (valid UTF-8): anything else is read raw.
        const encoded = text === null ? null : new TextEncoder().encode(text);
        if (!blob) out.set(path, null);
        else if (encoded && encoded.length === blob.byteSize) out.set(path, encoded);
        else out.set(path, await this.getFile(path, commit));
      }
    }
    return out;
  }

  /** A file's bytes at a commit, or null when it is not a file there. */
  async getFile(path: string, ref: string): Promise<Uint8Array | null> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...this.repo, path, ref });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
      return new Uint8Array(Buffer.from(data.content, "base64"));
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }
}
