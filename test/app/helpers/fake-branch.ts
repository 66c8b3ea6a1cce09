import type { Answer } from "./fake-git-routes.js";
import { API } from "./fake-git-routes.js";
import type { FakeUser } from "./fake-github.js";

/**
 * The default branch's history of the files the fake keeps in `FakeGitHub.files` (certificates),
 * as far as a rebuild asks for it: which commit last touched a path, and which merged pull
 * request a commit belongs to. Small on purpose: a merge is one commit (GitHub's squash merge,
 * the commit GitHub links to the PR), a direct push is one commit with no PR.
 */
export interface FakeMergedPull {
  number: number;
  author: string;
  mergedAt: string;
  mergeCommit: string;
  base: string;
  /** Who merged it (GraphQL `mergedBy`); rita when not said. */
  mergedBy?: string;
}

interface BranchCommit {
  sha: string;
  date: string;
  author: FakeUser;
  message: string;
}

export class FakeBranchHistory {
  /** Commits that touched each path on the default branch, newest first. */
  readonly commits = new Map<string, BranchCommit[]>();
  /** The merged pull requests each commit belongs to (`GET /commits/{sha}/pulls`). */
  readonly pulls = new Map<string, FakeMergedPull[]>();

  touched(path: string, commit: BranchCommit): void {
    this.commits.set(path, [commit, ...(this.commits.get(path) ?? [])]);
  }

  /** `GET /repos/{o}/{r}/commits?sha=<default>&path=…`, newest first, paginated as GitHub does. */
  listCommits(owner: string, repo: string, url: URL, userJson: (u: FakeUser) => unknown): Answer {
    const all = this.commits.get(url.searchParams.get("path") ?? "") ?? [];
    const perPage = Number(url.searchParams.get("per_page") ?? 30);
    const page = Number(url.searchParams.get("page") ?? 1);
    const base = `${API}/repos/${owner}/${repo}`;
    return [
      200,
      all.slice((page - 1) * perPage, page * perPage).map((c) => {
        const person = { name: c.author.login, email: `${c.author.login}@users.noreply.github.com`, date: c.date };
        return {
          sha: c.sha,
          node_id: `C_${c.sha}`,
          url: `${base}/commits/${c.sha}`,
          html_url: `https://github.com/${owner}/${repo}/commit/${c.sha}`,
          comments_url: "",
          commit: {
            url: `${base}/git/commits/${c.sha}`,
            author: person,
            committer: person,
            message: c.message,
            tree: { sha: "0".repeat(40), url: "" },
            comment_count: 0,
          },
          author: userJson(c.author),
          committer: userJson(c.author),
          parents: [],
        };
      }),
    ];
  }

  /** `GET /repos/{o}/{r}/commits/{sha}/pulls`: the pull requests (here: merged ones) of a commit. */
  pullsOf(owner: string, repo: string, sha: string, userJson: (u: FakeUser) => unknown): Answer {
    return [
      200,
      (this.pulls.get(sha) ?? []).map((p) => ({
        id: 500_000 + p.number,
        number: p.number,
        state: "closed",
        title: `Certificates (#${p.number})`,
        url: `${API}/repos/${owner}/${repo}/pulls/${p.number}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
        user: userJson({ login: p.author, type: "User" }),
        created_at: p.mergedAt,
        updated_at: p.mergedAt,
        closed_at: p.mergedAt,
        merged_at: p.mergedAt,
        merge_commit_sha: p.mergeCommit,
        base: { ref: p.base, sha: "0".repeat(40), label: `${owner}:${p.base}` },
        head: { ref: `certs-${p.number}`, sha: p.mergeCommit, label: `${owner}:certs-${p.number}` },
      })),
    ];
  }
}
