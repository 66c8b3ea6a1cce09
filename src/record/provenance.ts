/**
 * Who made a commit of the ledger, as GitHub's commits listing tells it: `author` and
 * `committer` are the GitHub accounts GitHub linked to the commit's author and committer (null
 * when none), `verified` whether GitHub verified its signature (reason `valid`). Commits an app
 * makes through the contents API are authored and committed by its bot and signed by GitHub.
 * Anyone can write the author and committer fields of a commit they push, and sign it with their
 * own key — but a verified signature binds the committer to the signer's account, so "committed
 * by the bot, verified" is what nobody else can produce.
 */
export interface CommitProvenance {
  sha: string;
  author: string | null;
  committer: string | null;
  verified: boolean;
}

/** One entry of `GET /repos/{owner}/{repo}/commits`, as far as provenance goes. */
export interface ListedCommit {
  sha: string;
  author?: { login?: string | null } | null;
  committer?: { login?: string | null } | null;
  commit: { verification?: { verified?: boolean; reason?: string | null } | null };
}

export function provenanceOf(commit: ListedCommit): CommitProvenance {
  const verification = commit.commit.verification;
  return {
    sha: commit.sha,
    author: commit.author?.login ?? null,
    committer: commit.committer?.login ?? null,
    verified: !!verification?.verified && verification.reason === "valid",
  };
}

/** Authored and committed by `login` (the app's bot), with a signature GitHub verified. Pure. */
export function madeBy(commit: CommitProvenance, login: string): boolean {
  const bot = login.toLowerCase();
  return commit.verified && commit.author?.toLowerCase() === bot && commit.committer?.toLowerCase() === bot;
}
