import { createHash } from "node:crypto";
import type { FakeUser } from "./fake-github.js";

/**
 * A small git model for the fake GitHub: blobs, trees (path → blob sha, flat), commits with
 * parents, and branches. Blob ids are git's own (`sha1("blob <len>\0" + bytes)`), so a sha the
 * app computes from raw bytes matches the one the contents API answers, as on GitHub. Commit ids
 * are sha1 over git's commit layout; tree ids are a content hash of the flat entry list (not
 * git's nested tree encoding: nothing the app does depends on it).
 */

export interface GitPerson {
  name: string;
  email: string;
  date: string;
  /** The GitHub account behind the commit (what `GET /commits` answers as `author`), if any. */
  user?: FakeUser;
}

export interface GitCommit {
  sha: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
  /** Tree id: see `trees`. */
  tree: string;
  /**
   * GitHub signed it: commits made through the API (contents, git data) without a custom author
   * are signed by GitHub and show as verified; a pushed commit here is unsigned.
   */
  signedByGitHub?: boolean;
}

export function gitBlobSha(content: Uint8Array): string {
  return createHash("sha1").update(`blob ${content.length}\u0000`).update(content).digest("hex");
}

export class FakeGit {
  readonly blobs = new Map<string, Buffer>();
  /** Tree id → (path → blob sha). */
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, GitCommit>();
  /** Branch name (without `refs/heads/`) → commit sha. */
  readonly branches = new Map<string, string>();

  blob(content: Uint8Array | string): string {
    const bytes = Buffer.from(content);
    const sha = gitBlobSha(bytes);
    this.blobs.set(sha, bytes);
    return sha;
  }

  tree(entries: ReadonlyMap<string, string>): string {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = createHash("sha1")
      .update(`tree ${JSON.stringify(sorted)}`)
      .digest("hex");
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  commit(fields: Omit<GitCommit, "sha">): GitCommit {
    const person = (p: GitPerson) => `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
    const text = [
      `tree ${fields.tree}`,
      ...fields.parents.map((p) => `parent ${p}`),
      `author ${person(fields.author)}`,
      `committer ${person(fields.committer)}`,
      "",
      fields.message,
    ].join("\n");
    const sha = createHash("sha1")
      .update(`commit ${Buffer.byteLength(text)}\u0000${text}`)
      .digest("hex");
    const commit: GitCommit = { sha, ...fields };
    this.commits.set(sha, commit);
    return commit;
  }

  /** A branch name or a full commit sha → the commit, or undefined. */
  resolve(ref: string): GitCommit | undefined {
    return this.commits.get(this.branches.get(ref.replace(/^refs\/heads\//, "")) ?? ref);
  }

  /** The blob sha of `path` at a commit, or undefined when the file is not there. */
  blobAt(commit: GitCommit, path: string): string | undefined {
    return this.trees.get(commit.tree)?.get(path);
  }

  fileAt(ref: string, path: string): { sha: string; content: Buffer } | undefined {
    const commit = this.resolve(ref);
    const sha = commit && this.blobAt(commit, path);
    return sha === undefined ? undefined : { sha, content: this.blobs.get(sha)! };
  }

  /**
   * One commit on `branch` that sets `path` to `content` (null: removes it), on top of the
   * branch head; a missing branch is created as an orphan holding only this change.
   */
  commitFile(
    branch: string,
    path: string,
    content: string | Uint8Array | null,
    message: string,
    who: GitPerson,
    signedByGitHub = false,
  ) {
    const head = this.resolve(branch);
    const entries = new Map(head ? this.trees.get(head.tree) : []);
    if (content === null) entries.delete(path);
    else entries.set(path, this.blob(content));
    const commit = this.commit({
      parents: head ? [head.sha] : [],
      message,
      author: who,
      committer: who,
      tree: this.tree(entries),
      signedByGitHub,
    });
    this.branches.set(branch, commit.sha);
    return commit;
  }

  /**
   * The commits reachable from `ref` along first parents that changed `path` (its blob differs
   * from the parent's; every commit without a path), newest first: GitHub's
   * `GET /commits?sha=&path=` on a linear history.
   */
  log(ref: string, path?: string): GitCommit[] {
    const out: GitCommit[] = [];
    let commit = this.resolve(ref);
    while (commit) {
      const parent = commit.parents[0] === undefined ? undefined : this.commits.get(commit.parents[0]);
      if (path === undefined) out.push(commit);
      else if (this.blobAt(commit, path) !== (parent ? this.blobAt(parent, path) : undefined)) out.push(commit);
      commit = parent;
    }
    return out;
  }
}
