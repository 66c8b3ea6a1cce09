import { getOctokit } from "@actions/github";
import { OneRecordError } from "../src/errors.js";
import type { RunContext } from "./context.js";

/**
 * The GitHub API edge of the Action. Validating certificates only reads; issuing tokens reads the
 * request issue and the ledger file (action/ledger.ts) and writes one thing: the issuance comment.
 */
export type Octokit = ReturnType<typeof getOctokit>;

export interface OctokitOptions {
  token: string;
  baseUrl: string;
  /** Injected by tests (nock sees global fetch); by default @actions/github's proxy-aware fetch. */
  fetch?: typeof globalThis.fetch;
}

export function createOctokit(options: OctokitOptions): Octokit {
  if (!options.token) {
    throw new OneRecordError("input-invalid", 'Input "github-token": a token is needed to call the GitHub API', {
      field: "github-token",
    });
  }
  return getOctokit(options.token, {
    baseUrl: options.baseUrl,
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
}

export interface ChangedFile {
  path: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
}

/** The pull request's files (the API lists at most 3,000; a longer list is refused, not cut short). */
export async function listPullRequestFiles(
  octokit: Octokit,
  context: RunContext,
  pullNumber: number,
  expected?: number,
): Promise<ChangedFile[]> {
  let files: ChangedFile[];
  try {
    const entries = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: context.owner,
      repo: context.repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    files = entries.map((entry) => ({ path: entry.filename, status: entry.status }));
  } catch (error) {
    throw new OneRecordError(
      "io-error",
      `GitHub API: cannot list the files of pull request #${pullNumber}${statusOf(error)}`,
      { cause: error },
    );
  }
  if (expected !== undefined && files.length < expected) {
    throw new OneRecordError(
      "io-error",
      `pull request #${pullNumber} changes ${expected} files but the API listed ${files.length}; split the pull request so every file can be checked`,
    );
  }
  return files;
}

/** The text of a file at a commit, or undefined when there is no such file. */
export async function readRepositoryFile(
  octokit: Octokit,
  context: RunContext,
  path: string,
  ref: string,
): Promise<string | undefined> {
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: context.owner, repo: context.repo, path, ref }));
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw new OneRecordError("io-error", `GitHub API: cannot read ${path} at ${ref.slice(0, 12)}${statusOf(error)}`, {
      cause: error,
    });
  }
  if (!data || typeof data !== "object" || Array.isArray(data) || (data as { type?: unknown }).type !== "file") {
    throw new OneRecordError("config-invalid", `${path} on the base branch is not a file`, { field: "(root)" });
  }
  const { content, encoding } = data as { content?: unknown; encoding?: unknown };
  if (typeof content !== "string" || encoding !== "base64") {
    throw new OneRecordError("config-invalid", `${path} on the base branch is too large to read through the API`, {
      field: "(root)",
    });
  }
  return Buffer.from(content, "base64").toString("utf8");
}

export interface RequestIssue {
  number: number;
  /** The issue's author: the requester, who may never have approved their own request. */
  author: string;
  /** The author's GitHub user id: who they are, whatever their login is now. */
  authorId?: number;
  /** issues.get also answers for pull requests; a pull request is never a request. */
  isPullRequest: boolean;
}

/** The request issue. Its labels are deliberately not returned: state comes from the app's record only. */
export async function getIssue(octokit: Octokit, context: RunContext, issueNumber: number): Promise<RequestIssue> {
  let data;
  try {
    ({ data } = await octokit.rest.issues.get({ owner: context.owner, repo: context.repo, issue_number: issueNumber }));
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 410) {
      throw new OneRecordError(
        "input-invalid",
        `issue #${issueNumber} does not exist in ${context.owner}/${context.repo}`,
        { field: "request" },
      );
    }
    throw new OneRecordError("io-error", `GitHub API: cannot read issue #${issueNumber}${statusOf(error)}`, {
      cause: error,
    });
  }
  return {
    number: data.number,
    author: data.user?.login ?? "",
    ...(data.user?.id ? { authorId: data.user.id } : {}),
    isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
  };
}

/** Posts a comment; returns its id and address. */
export async function createIssueComment(
  octokit: Octokit,
  context: RunContext,
  issueNumber: number,
  body: string,
): Promise<{ id: number; url: string }> {
  try {
    const { data } = await octokit.rest.issues.createComment({
      owner: context.owner,
      repo: context.repo,
      issue_number: issueNumber,
      body,
    });
    return { id: data.id, url: data.html_url };
  } catch (error) {
    throw new OneRecordError("io-error", `GitHub API: cannot comment on issue #${issueNumber}${statusOf(error)}`, {
      cause: error,
    });
  }
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function statusOf(error: unknown): string {
  const status = httpStatus(error);
  return status === undefined ? "" : ` (HTTP ${status})`;
}
