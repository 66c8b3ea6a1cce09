import type { GraphQLData } from "./fake-graphql.js";
import type { FakeGit, GitCommit } from "./fake-git.js";
import { COMMENT_BODY_LIMIT, type FakeComment, type FakeGitHub, type FakeIssue, type FakeUser } from "./fake-github.js";

/**
 * The fake GitHub's state as GraphQL objects, shaped as GitHub's schema has them, for
 * fake-graphql.ts: `Repository.issue` (its labels, comments and authors, a bot named by its
 * slug as GitHub's GraphQL names it), `Repository.ref` over the git model (commit history by
 * path, `file`, each commit's author and committer e-mail and signature), and the comment
 * mutations, made as `author` (the token's user). Node ids are REST's `node_id`s.
 */
export function graphQLData(gh: FakeGitHub, author: FakeUser): GraphQLData {
  return {
    repository: (owner, name) => {
      const git = gh.gitOf(owner, name);
      if (!git) return undefined;
      const here = `${owner}/${name}`.toLowerCase() === `${gh.owner}/${gh.repo}`.toLowerCase();
      return {
        issue: ({ number }: { number: number }) => {
          const issue = here ? gh.issues.get(number) : undefined;
          if (!issue || issue.pull_request)
            throw new Error(`Could not resolve to an Issue with the number of ${number}.`);
          return issueNode(gh, issue);
        },
        // Issues (not pull requests) oldest first, 100 a page; the cursor is the offset, as a string.
        issues: ({ first, after }: { first?: number; after?: string }) => {
          const all = here
            ? [...gh.issues.values()].filter((i) => !i.pull_request).sort((a, b) => a.number - b.number)
            : [];
          const from = after ? Number(after) : 0;
          const end = from + (first ?? 100);
          return {
            nodes: all.slice(from, end).map((i) => ({ number: i.number, body: i.body })),
            pageInfo: { hasNextPage: end < all.length, endCursor: String(Math.min(end, all.length)) },
          };
        },
        // A commit by its id: its files as the stand-in holds them at that commit (merged PR files
        // live in `files` under the merge commit), else in the git model.
        object: ({ oid }: { oid: string }) => {
          const commit = git.commits.get(oid);
          return {
            __typename: "Commit",
            oid,
            file: ({ path }: { path: string }) => {
              const bytes =
                (here ? gh.files.get(`${oid}:${path}`) : undefined) ??
                (commit ? git.blobs.get(git.blobAt(commit, path) ?? "") : undefined);
              if (!bytes) return null;
              const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
              const binary = bytes.includes(0) || Buffer.from(text, "utf8").length !== bytes.length;
              return {
                object: {
                  __typename: "Blob",
                  text: binary ? null : text,
                  isBinary: binary,
                  isTruncated: false,
                  byteSize: bytes.length,
                },
              };
            },
          };
        },
        defaultBranchRef: () => {
          const sha = git.branches.get(gh.defaultBranch);
          return sha ? { name: gh.defaultBranch, target: commitNode(git, git.commits.get(sha)!, gh) } : null;
        },
        ref: ({ qualifiedName }: { qualifiedName: string }) => {
          const sha = git.branches.get(qualifiedName.replace(/^refs\/heads\//, ""));
          return sha ? { target: commitNode(git, git.commits.get(sha)!, gh) } : null;
        },
      };
    },
    mutations: {
      addComment: ({ input }) => {
        const issue = gh.issues.get(nodeNumber(input.subjectId, "I_"));
        checkBody(input.body);
        if (!issue) throw new Error(`Could not resolve to a node with the global id of '${String(input.subjectId)}'`);
        gh.addComment(issue.number, String(input.body), author);
        return { clientMutationId: null };
      },
      updateIssueComment: ({ input }) => {
        const comment = gh.comments.get(nodeNumber(input.id, "IC_"));
        checkBody(input.body);
        if (!comment) throw new Error(`Could not resolve to a node with the global id of '${String(input.id)}'`);
        gh.editComment(comment.id, String(input.body));
        return { clientMutationId: null };
      },
      deleteIssueComment: ({ input }) => {
        if (!gh.comments.delete(nodeNumber(input.id, "IC_")))
          throw new Error(`Could not resolve to a node with the global id of '${String(input.id)}'`);
        return { clientMutationId: null };
      },
    },
  };
}

function nodeNumber(id: unknown, prefix: string): number {
  return typeof id === "string" && id.startsWith(prefix) ? Number(id.slice(prefix.length)) : NaN;
}

function checkBody(body: unknown): void {
  if (String(body).length >= COMMENT_BODY_LIMIT) throw new Error("Body is too long (maximum is 65536 characters)");
}

function actor(gh: FakeGitHub, user: FakeUser): Record<string, unknown> {
  const bot = user.type === "Bot";
  return {
    __typename: bot ? "Bot" : "User",
    login: bot ? user.login.replace(/\[bot\]$/, "") : user.login,
    databaseId: user.id ?? gh.userId(user.login),
  };
}

function connection<T>(all: T[], first: number | undefined): { totalCount: number; nodes: T[] } {
  return { totalCount: all.length, nodes: all.slice(0, first ?? all.length) };
}

function issueNode(gh: FakeGitHub, issue: FakeIssue): Record<string, unknown> {
  const url = `https://github.com/${gh.owner}/${gh.repo}/issues/${issue.number}`;
  return {
    __typename: "Issue",
    id: `I_${issue.number}`,
    number: issue.number,
    url,
    body: issue.body,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    lastEditedAt: issue.last_edited_at ?? null,
    editor: issue.last_edited_at ? actor(gh, issue.last_editor ?? issue.user) : null,
    state: issue.state.toUpperCase(),
    author: actor(gh, issue.user),
    labels: ({ first }: { first?: number }) =>
      connection(
        issue.labels.map((n) => gh.labels.get(n.toLowerCase())!),
        first,
      ),
    comments: ({ first }: { first?: number }) =>
      connection(
        gh.commentsOn(issue.number).map((c) => commentNode(gh, c, url)),
        first,
      ),
  };
}

function commentNode(gh: FakeGitHub, c: FakeComment, issueUrl: string): Record<string, unknown> {
  return {
    id: `IC_${c.id}`,
    databaseId: c.id,
    body: c.body,
    url: `${issueUrl}#issuecomment-${c.id}`,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    author: actor(gh, c.user),
  };
}

/** A folder of the flat tree as a GraphQL `Tree` of its direct entries (blobs and subfolders), or null. */
function folder(git: FakeGit, c: GitCommit, path: string): Record<string, unknown> | null {
  const prefix = `${path.replace(/\/$/, "")}/`;
  const names = new Map<string, Record<string, unknown>>();
  for (const [file, blob] of git.trees.get(c.tree) ?? []) {
    if (!file.startsWith(prefix)) continue;
    const [name, ...rest] = file.slice(prefix.length).split("/");
    if (rest.length) names.set(name!, { name, type: "tree", size: 0 });
    else names.set(name!, { name, type: "blob", size: git.blobs.get(blob)!.length });
  }
  if (names.size === 0) return null;
  return { oid: `tree:${prefix}`, object: { __typename: "Tree", entries: [...names.values()] } };
}

function commitNode(git: FakeGit, c: GitCommit, gh?: FakeGitHub): Record<string, unknown> {
  return {
    __typename: "Commit",
    oid: c.sha,
    committedDate: c.committer.date,
    tree: { oid: c.tree },
    author: { email: c.author.email },
    committer: { email: c.committer.email },
    signature: c.signedByGitHub ? { __typename: "GpgSignature", isValid: true, state: "VALID" } : null,
    // Pages of `first` from the cursor `after` (here: the offset as a string), as GitHub pages history.
    history: ({ path, first, after }: { path?: string; first?: number; after?: string }) => {
      const all = git.log(c.sha, path);
      const from = after ? Number(after) : 0;
      const end = from + (first ?? 100);
      return {
        nodes: all.slice(from, end).map((h) => commitNode(git, h, gh)),
        pageInfo: { hasNextPage: end < all.length, endCursor: String(Math.min(end, all.length)) },
      };
    },
    // The merged pull requests the stand-in knows for this commit (FakeBranch.pulls).
    associatedPullRequests: ({ first }: { first?: number }) => ({
      nodes: (gh?.branch.pulls.get(c.sha) ?? []).slice(0, first ?? 1).map((p) => ({
        number: p.number,
        url: `https://github.com/${gh!.owner}/${gh!.repo}/pull/${p.number}`,
        mergedAt: p.mergedAt,
        mergedBy: { __typename: "User", login: p.mergedBy ?? "rita" },
      })),
    }),
    file: ({ path }: { path: string }) => {
      const blob = git.blobAt(c, path);
      if (blob === undefined) return folder(git, c, path);
      const bytes = git.blobs.get(blob)!;
      return {
        oid: blob,
        object: {
          __typename: "Blob",
          text: bytes.toString("utf8"),
          isTruncated: false,
          byteSize: bytes.length,
        },
      };
    },
  };
}
