import type { ProbotOctokit } from "probot";
import { ledgerFilePath, MAX_LEDGER_FILE_BYTES } from "../../record/ledger-file.js";
import { madeBy, provenanceFromGraphQL, type BotAccount, type GraphQLCommit } from "../../record/provenance.js";
import type { Log } from "../deps.js";
import type { LedgerRead } from "../ledger/port.js";
import { textBlobSha } from "./ledger.js";
import type { CommentData, IssueData, RepoRef } from "./rest.js";

/**
 * What an expiry sweep reads of its due requests in one GraphQL query per SNAPSHOT_CHUNK of them
 * (docs/app.md, "Expiry watch"): each issue with its labels and comments, and, on the ledger
 * branch at one commit, each request's record file with the provenance of the commit that last
 * touched it — what a sync reads with two to four REST requests per request. I/O and mapping
 * only: the same `observe` → `plan` runs on it (src/app/sweep-batch.ts).
 *
 * A request the query cannot give whole (more than 100 comments or labels, a record file
 * GraphQL truncates or gives as other bytes, an issue that is gone or is a pull request) is
 * `null`: the sweep syncs it the ordinary way.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

/** How many requests one query asks for: 20 issues × 100 comments stays a modest answer. */
export const SNAPSHOT_CHUNK = 20;

export interface SnapshotRequest {
  issue: IssueData;
  /** GraphQL node ids, for the batched comment writes: the issue's and its comments' by database id. */
  nodeId: string;
  commentNodes: ReadonlyMap<number, string>;
  comments: CommentData[];
  /** The record file as `LedgerPort.read` gives it, at `SweepSnapshot.head`. */
  ledger: LedgerRead;
}

export interface SweepSnapshot {
  /** The ledger branch's head when read (the batched commit's parent); null: no branch. */
  head: { commit: string; tree: string } | null;
  requests: Map<number, SnapshotRequest | null>;
}

interface Actor {
  __typename?: string;
  login: string;
  databaseId?: number | null;
}

interface IssueNode {
  id: string;
  number: number;
  url: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  state: string;
  author: Actor | null;
  labels: { totalCount: number; nodes: Array<{ name: string; color: string; description: string | null }> } | null;
  comments: {
    totalCount: number;
    nodes: Array<{
      id: string;
      databaseId: number | null;
      body: string;
      url: string;
      createdAt: string;
      updatedAt: string;
      author: Actor | null;
    }>;
  };
}

interface FileNode {
  oid: string;
  object: { text?: string | null; isTruncated?: boolean; byteSize?: number } | null;
}

type Target = { oid?: string; tree?: { oid: string } } & Record<string, unknown>;

interface Answer {
  repository: Record<string, IssueNode | null> | null;
  ledger: { ref: { target: Target | null } | null } | null;
}

const FRAGMENTS = `
fragment Person on Actor { __typename login ... on User { databaseId } ... on Bot { databaseId } }
fragment Request on Issue {
  id number url body createdAt updatedAt state
  author { ...Person }
  labels(first: 100) { totalCount nodes { name color description } }
  comments(first: 100) { totalCount nodes { id databaseId body url createdAt updatedAt author { ...Person } } }
}
fragment Made on Commit { oid author { email } committer { email } signature { isValid state } }`;

/** The query for some requests; issue numbers and paths are integers the app formats, never input. */
export function snapshotQuery(issues: readonly number[]): string {
  const asked = issues.map((n, i) => `    i${i}: issue(number: ${n}) { ...Request }`);
  const files = issues.flatMap((n, i) => {
    const path = JSON.stringify(ledgerFilePath(n));
    return [
      `          h${i}: history(path: ${path}, first: 1) { nodes { ...Made } }`,
      `          f${i}: file(path: ${path}) { oid object { ... on Blob { text isTruncated byteSize } } }`,
    ];
  });
  return `query ($owner: String!, $name: String!, $ledgerOwner: String!, $ledgerName: String!, $branch: String!) {
  repository(owner: $owner, name: $name) {
${asked.join("\n")}
  }
  ledger: repository(owner: $ledgerOwner, name: $ledgerName) {
    ref(qualifiedName: $branch) {
      target {
        ... on Commit {
          oid
          tree { oid }
${files.join("\n")}
        }
      }
    }
  }
}
${FRAGMENTS}`;
}

export interface SnapshotDeps {
  octokit: Octokit;
  io: { repo: RepoRef };
  ledger: { at: { owner: string; repo: string; branch: string } };
  bot: BotAccount;
  log: Log;
}

/**
 * Reads the snapshot of `issues` (any number: asked SNAPSHOT_CHUNK at a time, each chunk at its
 * own ledger head; the head given is the first chunk's, and a later chunk that saw another head
 * makes its requests `null`, so every snapshot request was read at `head`). A chunk GitHub
 * refuses or fails (a timeout on a long history, an answer too large) makes its requests `null`.
 */
export async function readSweepSnapshot(deps: SnapshotDeps, issues: readonly number[]): Promise<SweepSnapshot> {
  const requests = new Map<number, SnapshotRequest | null>();
  const { owner, repo: name } = deps.io.repo;
  const ledger = deps.ledger.at;
  let head: SweepSnapshot["head"] = null;
  for (let i = 0; i < issues.length; i += SNAPSHOT_CHUNK) {
    const chunk = issues.slice(i, i + SNAPSHOT_CHUNK);
    let answer: Answer | null = null;
    try {
      answer = await ask(deps.octokit, snapshotQuery(chunk), {
        owner,
        name,
        ledgerOwner: ledger.owner,
        ledgerName: ledger.repo,
        branch: `refs/heads/${ledger.branch}`,
      });
    } catch (error) {
      deps.log.warn(
        { err: error, issues: chunk },
        "expiry sweep: a snapshot query failed; those requests are synced alone",
      );
    }
    const target = answer?.ledger?.ref?.target ?? null;
    const at = target?.oid && target.tree ? { commit: target.oid, tree: target.tree.oid } : null;
    if (i === 0) head = at;
    const sameHead = !!at && at.commit === head?.commit;
    chunk.forEach((n, j) => {
      const node = answer?.repository?.[`i${j}`] ?? null;
      requests.set(n, sameHead ? toRequest(node, target!, j, deps.bot) : null);
    });
  }
  return { head, requests };
}

/**
 * `octokit.graphql` throws when the answer has errors; an issue number that is not an issue is
 * one (`NOT_FOUND`), with the rest of the data beside it: that request is read the ordinary way.
 */
async function ask(octokit: Octokit, query: string, variables: Record<string, string>): Promise<Answer> {
  try {
    return await octokit.graphql<Answer>(query, variables);
  } catch (error) {
    const e = error as { data?: Answer; errors?: Array<{ type?: string }> };
    if (e.data && e.errors?.every((x) => x.type === "NOT_FOUND")) return e.data;
    throw error;
  }
}

function toRequest(node: IssueNode | null, target: Target, j: number, bot: BotAccount): SnapshotRequest | null {
  if (!node || node.comments.totalCount > node.comments.nodes.length) return null;
  if (!node.labels || node.labels.totalCount > node.labels.nodes.length) return null;
  const ledger = ledgerRead(target[`h${j}`], target[`f${j}`], bot);
  if (ledger === undefined) return null;
  const comments: CommentData[] = [];
  const commentNodes = new Map<number, string>();
  for (const c of node.comments.nodes) {
    if (c.databaseId === null) return null;
    commentNodes.set(c.databaseId, c.id);
    comments.push({
      id: c.databaseId,
      body: c.body,
      html_url: c.url,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      user: user(c.author),
    });
  }
  const author = user(node.author);
  return {
    issue: {
      number: node.number,
      html_url: node.url,
      body: node.body,
      created_at: node.createdAt,
      updated_at: node.updatedAt,
      state: node.state.toLowerCase(),
      comments: node.comments.totalCount,
      labels: node.labels.nodes.map((l) => ({ name: l.name, color: l.color, description: l.description })),
      user: author && { login: author.login, ...(author.id ? { id: author.id } : {}) },
    },
    nodeId: node.id,
    commentNodes,
    comments,
    ledger,
  };
}

/**
 * GraphQL names a bot by its slug (`onerecord-access`); REST, the app and its records by its
 * account (`onerecord-access[bot]`).
 */
function user(actor: Actor | null): CommentData["user"] {
  if (!actor) return null;
  const bot = actor.__typename === "Bot";
  return {
    login: bot ? `${actor.login}[bot]` : actor.login,
    type: bot ? "Bot" : "User",
    ...(actor.databaseId ? { id: actor.databaseId } : {}),
  };
}

/**
 * The record file as `LedgerPort.read` gives it, when it is there and the app committed it (what
 * a sweep meets); undefined otherwise, and the request is synced alone, through REST: a file
 * never written or deleted, a head someone else committed (recovery), or bytes GraphQL did not
 * give exactly — the rare and sensitive cases keep the one reading they were built on.
 */
function ledgerRead(history: unknown, file: unknown, bot: BotAccount): LedgerRead | undefined {
  const last = (history as { nodes?: GraphQLCommit[] } | undefined)?.nodes?.[0];
  const f = file as FileNode | null | undefined;
  if (!last || !f) return undefined;
  const commit = provenanceFromGraphQL(last, bot);
  if (!madeBy(commit, bot.login)) return undefined;
  const text = f.object?.text;
  if (typeof text !== "string" || f.object?.isTruncated || (f.object?.byteSize ?? 0) > MAX_LEDGER_FILE_BYTES)
    return undefined;
  // Blob.text is UTF-8 decoded: bytes that are not give other bytes back, caught by their id.
  if (textBlobSha(text) !== f.oid) return undefined;
  return { text, sha: f.oid, commit };
}
