import type { ProbotOctokit } from "probot";
import { ledgerFilePath, statusListPath } from "../record/ledger-file.js";
import type { DueEntry } from "../record/due-index.js";
import type { BotAccount } from "../record/provenance.js";
import { applyLedger, applyViews } from "./apply.js";
import type { SyncDeps } from "./deps.js";
import { writeComments, type CommentWrite } from "./github/comment-batch.js";
import { gitBlobSha, type LedgerIO } from "./github/ledger.js";
import { GitHubIO, type CommentData, type IssueData } from "./github/rest.js";
import { readSweepSnapshot, type SnapshotRequest } from "./github/sweep-snapshot.js";
import type { CachedFile, HeadCommit, LedgerPort, LedgerRead, LedgerWrite } from "./ledger/port.js";
import { observe } from "./observe.js";
import { plan, type Plan } from "./plan.js";

/**
 * An expiry sweep of many due requests at the cost of a few (issue 19: 1,000 live requests, 10
 * due, at most 30 rate-limited requests; docs/app.md, "Expiry watch"). The same observe → plan
 * → apply as any event, with the I/O gathered:
 *
 * 1. one GraphQL query reads every due request's issue, comments and ledger file at one ledger
 *    commit (src/app/github/sweep-snapshot.ts);
 * 2. each request is observed from it and planned, as a sync would (pure);
 * 3. every record and token status list the plans write goes into **one** ledger commit on top
 *    of the commit read — its compare-and-swap covers them all: when anyone wrote the ledger
 *    since, none is written and every request is synced the ordinary way;
 * 4. the views follow, each request's labels and state in its own PATCH (a REST request each:
 *    its answer tells whether someone commented meanwhile), the token workflow dispatches, and
 *    every comment write — status comments and reminders — in one GraphQL mutation.
 *
 * What it cannot take whole (see SnapshotRequest) or what raced comes back as `leftover`: the
 * sweep syncs those one by one, as before.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

export interface BatchDeps extends Omit<SyncDeps, "io" | "ledger"> {
  octokit: Octokit;
  io: GitHubIO;
  ledger: LedgerIO;
  bot: BotAccount;
}

export interface BatchResult {
  /** Each swept request's new due-index entry (null: remove it). */
  changes: Map<number, string | null>;
  /** Requests to sync the ordinary way: not in the snapshot, or another writer came first. */
  leftover: DueEntry[];
}

/** Placeholder commit of a staged write, until the batch's commit exists (KnownHeads holds it under no real commit). */
const STAGED = "staged";

interface Planned {
  entry: DueEntry;
  deps: SyncDeps;
  issue: IssueData;
  plan: Plan;
}

export async function sweepBatch(deps: BatchDeps, due: readonly DueEntry[], at: string): Promise<BatchResult> {
  const snapshot = await readSweepSnapshot(
    deps.octokit,
    deps.io.repo,
    deps.ledger.at,
    deps.bot,
    due.map((e) => e.issue),
  );
  const changes = new Map<number, string | null>();
  const leftover: DueEntry[] = [];
  if (!snapshot.head) return { changes, leftover: [...due] };
  const staged = new Map<string, string>();
  const writes: CommentWrite[] = [];
  const planned: Planned[] = [];
  // The ledger's rules, asked once for the batch (each sync asks them, conditionally).
  let rules: Promise<Array<{ type: string }>> | undefined;
  const shared = { ...deps, rules: () => (rules ??= deps.ledger.rules()) };
  for (const entry of due) {
    const request = snapshot.requests.get(entry.issue);
    if (!request) {
      leftover.push(entry);
      continue;
    }
    const one = await planOne(shared, entry, request, staged, writes, at);
    if (one === "leftover") leftover.push(entry);
    else if (one === null) changes.set(entry.issue, null);
    else planned.push(one);
  }
  if (!(await commitStaged(deps, planned, staged, snapshot.head))) return { changes, leftover: [...due] };
  for (const p of planned) {
    const applied = await applyViews(p.deps, p.issue, p.plan);
    if (p.plan.dueIndex?.order === "deferred") changes.set(p.entry.issue, p.plan.dueIndex.next);
    if (applied.raced) leftover.push(p.entry);
  }
  await writeComments(deps.octokit, writes);
  return { changes, leftover };
}

/** Steps 2 and 3 for one request: observed from the snapshot, planned, its ledger writes staged. */
async function planOne(
  deps: BatchDeps & { rules: () => Promise<Array<{ type: string }>> },
  entry: DueEntry,
  request: SnapshotRequest,
  staged: Map<string, string>,
  writes: CommentWrite[],
  at: string,
): Promise<Planned | null | "leftover"> {
  const one: SyncDeps = {
    ...deps,
    io: new SnapshotIO(deps.octokit, deps.io.repo, request, writes),
    ledger: new StagedLedger(deps.ledger, request.ledger, staged, deps.rules),
  };
  const trigger = { kind: "sweep" as const, sweep: { at, indexed: entry.next } };
  const observation = await observe(one, request.issue, trigger, 1, { roles: new Map(), forceLabels: false });
  if (!observation) return null;
  const decided = plan(observation);
  if (!(await applyLedger(one, observation.issue, decided))) return "leftover";
  return { entry, deps: one, issue: observation.issue, plan: decided };
}

/** Step 3's write: one commit of every staged file, then the heads this process now knows. */
async function commitStaged(
  deps: BatchDeps,
  planned: readonly Planned[],
  staged: ReadonlyMap<string, string>,
  head: { commit: string; tree: string },
): Promise<boolean> {
  if (staged.size === 0) return true;
  const issues = planned.filter((p) => staged.has(ledgerFilePath(p.issue.number))).map((p) => `#${p.issue.number}`);
  const message = `onerecord-access: expiry sweep of ${issues.join(", ")}`;
  const written = await deps.ledger.commitFiles(staged, head, message);
  for (const p of planned) {
    const file = { at: deps.ledger.at, issue: p.issue.number };
    const text = staged.get(ledgerFilePath(p.issue.number));
    if (written.ok && text !== undefined)
      deps.heads.remember(file, written.commit, { text, sha: gitBlobSha(Buffer.from(text, "utf8")) });
    else deps.heads.forget(file);
  }
  if (!written.ok) deps.log.info({ requests: issues.length }, "the ledger moved during the sweep: syncing one by one");
  return written.ok;
}

/**
 * The GitHub seam of one request in a batch: its issue and comments as the snapshot read them,
 * its comment writes queued for the batch's mutation; everything else (a reviewer asked, a
 * PATCH, a dispatch) goes to GitHub as for any event.
 */
class SnapshotIO extends GitHubIO {
  constructor(
    octokit: Octokit,
    repo: GitHubIO["repo"],
    private readonly request: SnapshotRequest,
    private readonly writes: CommentWrite[],
  ) {
    super(octokit, repo);
  }

  override async getIssue(issue: number): Promise<IssueData> {
    return issue === this.request.issue.number ? this.request.issue : super.getIssue(issue);
  }

  override async listComments(issue: number): Promise<CommentData[]> {
    return issue === this.request.issue.number ? this.request.comments : super.listComments(issue);
  }

  /** Queued: the answer is not known until the mutation runs, and nothing in `apply` reads it. */
  override async createComment(issue: number, body: string): Promise<CommentData> {
    if (issue !== this.request.issue.number) return super.createComment(issue, body);
    this.writes.push({ kind: "create", subject: this.request.nodeId, body });
    return { id: 0, body, html_url: this.request.issue.html_url, created_at: "", updated_at: "", user: null };
  }

  override async updateComment(commentId: number, body: string): Promise<void> {
    const node = this.request.commentNodes.get(commentId);
    if (!node) return super.updateComment(commentId, body);
    this.writes.push({ kind: "update", comment: node, body });
  }

  override async deleteComment(commentId: number): Promise<void> {
    const node = this.request.commentNodes.get(commentId);
    if (!node) return super.deleteComment(commentId);
    this.writes.push({ kind: "delete", comment: node });
  }
}

/**
 * The ledger seam of one request in a batch: its file as the snapshot read it, its record and
 * status list staged for the batch's one commit (the compare-and-swap against what was read is
 * checked here, and again for all files by the commit). Histories, rules and other files are
 * the ledger's own.
 */
class StagedLedger implements LedgerPort {
  readonly at: LedgerPort["at"];

  constructor(
    private readonly ledger: LedgerIO,
    private readonly head: LedgerRead,
    private readonly staged: Map<string, string>,
    private readonly sharedRules: () => Promise<Array<{ type: string }>>,
  ) {
    this.at = ledger.at;
  }

  read(): Promise<LedgerRead> {
    return Promise.resolve(this.head);
  }

  history(issue: number, limit?: number, wanted?: (commit: HeadCommit) => boolean) {
    return this.ledger.history(issue, limit, wanted);
  }

  rules(): Promise<Array<{ type: string }>> {
    return this.sharedRules();
  }

  publishStatusList(issue: number, jwt: string): Promise<void> {
    this.staged.set(statusListPath(issue), jwt);
    return Promise.resolve();
  }

  write(issue: number, text: string, previous: string | null): Promise<LedgerWrite> {
    const current = this.head && "sha" in this.head ? this.head.sha : null;
    if (previous !== current) return Promise.resolve({ ok: false, conflict: true });
    this.staged.set(ledgerFilePath(issue), text);
    return Promise.resolve({ ok: true, sha: gitBlobSha(Buffer.from(text, "utf8")), commit: STAGED });
  }

  readFile(path: string): Promise<CachedFile | null> {
    return this.ledger.readFile(path);
  }

  writeFile(path: string, text: string, previous: string | null, message: string): Promise<LedgerWrite> {
    return this.ledger.writeFile(path, text, previous, message);
  }
}
