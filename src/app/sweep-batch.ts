import type { ProbotOctokit } from "probot";
import { ledgerFilePath, MAX_LEDGER_FILE_BYTES, statusListPath } from "../record/ledger-file.js";
import type { DueEntry } from "../record/due-index.js";
import type { BotAccount } from "../record/provenance.js";
import { OneRecordError } from "../errors.js";
import { applyIssueChange, applyLedger, dispatchTokenRun } from "./apply.js";
import type { SyncDeps } from "./deps.js";
import { writeComments, type CommentWrite } from "./github/comment-batch.js";
import { textBlobSha, type LedgerIO } from "./github/ledger.js";
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
 * 4. the views follow: first every comment write — status comments and reminders — in one
 *    GraphQL mutation, then each request's labels and state in its own PATCH (a REST request
 *    each: its answer's comment count tells whether someone commented meanwhile), the token
 *    workflow dispatches. A failure of one request's views leaves the others written.
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
  request: SnapshotRequest;
  issue: IssueData;
  plan: Plan;
}

export async function sweepBatch(deps: BatchDeps, due: readonly DueEntry[], at: string): Promise<BatchResult> {
  const snapshot = await readSweepSnapshot(
    deps,
    due.map((e) => e.issue),
  );
  const changes = new Map<number, string | null>();
  const leftover: DueEntry[] = [];
  if (!snapshot.head) return { changes, leftover: [...due] };
  const staged = new Map<string, string>();
  const planned: Planned[] = [];
  // The ledger's rules, asked once for the batch (each sync asks them, conditionally).
  let rules: Promise<Array<{ type: string }>> | undefined;
  const shared = { ...deps, rules: () => (rules ??= deps.ledger.rules()) };
  for (const entry of due) {
    const request = snapshot.requests.get(entry.issue);
    const one = request ? await planOne(shared, entry, request, staged, at) : "leftover";
    if (one === "leftover") leftover.push(entry);
    else if (one === null) changes.set(entry.issue, null);
    else planned.push(one);
  }
  if (!(await commitStaged(deps, planned, staged, snapshot.head))) return { changes, leftover: [...due] };
  for (const p of planned) if (p.plan.dueIndex?.order === "deferred") changes.set(p.entry.issue, p.plan.dueIndex.next);
  const unwritten = await writeAllComments(deps, planned);
  for (const p of planned) {
    if (unwritten.has(p) || !(await applyIssue(p))) leftover.push(p.entry);
  }
  return { changes, leftover };
}

/** Steps 2 and 3 for one request: observed from the snapshot, planned, its ledger writes staged. */
async function planOne(
  deps: BatchDeps & { rules: () => Promise<Array<{ type: string }>> },
  entry: DueEntry,
  request: SnapshotRequest,
  staged: Map<string, string>,
  at: string,
): Promise<Planned | null | "leftover"> {
  const one: SyncDeps = {
    ...deps,
    io: new SnapshotIO(deps.octokit, deps.io.repo, request),
    ledger: new StagedLedger(deps.ledger, request.ledger, staged, deps.rules),
  };
  try {
    const trigger = { kind: "sweep" as const, sweep: { at, indexed: entry.next } };
    const observation = await observe(one, request.issue, trigger, 1, { roles: new Map(), forceLabels: false });
    if (!observation) return null;
    const decided = plan(observation);
    if (!(await applyLedger(one, observation.issue, decided))) return "leftover";
    return { entry, deps: one, request, issue: observation.issue, plan: decided };
  } catch (error) {
    // What one request cannot do (a record too large, a reviewer lookup refused) keeps no other
    // from being swept: it is synced alone, where its failure is its own.
    deps.log.warn({ err: error, issue: entry.issue }, "expiry sweep: request left to an ordinary sync");
    return "leftover";
  }
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
    if (written.ok && text !== undefined) deps.heads.remember(file, written.commit, { text, sha: textBlobSha(text) });
    else deps.heads.forget(file);
  }
  if (!written.ok) deps.log.info({ requests: issues.length }, "the ledger moved during the sweep: syncing one by one");
  return written.ok;
}

/**
 * Step 4's comments, first (before any PATCH, so a PATCH's comment count tells a comment that
 * raced the sweep): every status comment, deletion and reminder in one mutation per chunk. A
 * reminder GitHub did not post is posted once more through REST (a reminder is recorded: it is
 * never sent by a later sync); a status comment not written leaves its request to an ordinary
 * sync, which writes it. Gives the requests left.
 */
async function writeAllComments(deps: BatchDeps, planned: readonly Planned[]): Promise<Set<Planned>> {
  const writes: Array<{ p: Planned; write: CommentWrite; reply?: string }> = [];
  for (const p of planned) {
    const node = (id: number) => p.request.commentNodes.get(id)!;
    if (p.plan.status.kind === "create")
      writes.push({ p, write: { kind: "create", subject: p.request.nodeId, body: p.plan.status.body } });
    else if (p.plan.status.kind === "update")
      writes.push({ p, write: { kind: "update", comment: node(p.plan.status.id), body: p.plan.status.body } });
    // The snapshot holds every comment of the request: one it does not hold is gone already (a key
    // comment removed now is planned for deletion unread, src/app/plan.ts `planObtained`).
    for (const id of p.plan.deletions)
      if (p.request.commentNodes.has(id)) writes.push({ p, write: { kind: "delete", comment: node(id) } });
    for (const body of p.plan.replies)
      writes.push({ p, write: { kind: "create", subject: p.request.nodeId, body }, reply: body });
  }
  const left = new Set<Planned>();
  for (const { index, notFound } of await writeComments(
    deps.octokit,
    writes.map((w) => w.write),
  )) {
    const { p, write, reply } = writes[index]!;
    if (reply !== undefined) await postReply(deps, p, reply);
    else if (!(write.kind === "delete" && notFound)) left.add(p);
  }
  return left;
}

async function postReply(deps: BatchDeps, p: Planned, body: string): Promise<void> {
  try {
    await deps.io.createComment(p.issue.number, body);
  } catch (error) {
    deps.log.error({ err: error, issue: p.issue.number }, "expiry sweep: a reply (a reminder) could not be posted");
  }
}

/**
 * Step 4's issue writes for one request: labels and state, the token workflow's dispatch, the
 * reactions. False: it failed, or someone commented since the snapshot (the answer's count is
 * above what the snapshot and the batch's own comments make): an ordinary sync follows.
 */
async function applyIssue(p: Planned): Promise<boolean> {
  try {
    const updated = p.plan.issue ? await applyIssueChange(p.deps, p.issue.number, p.plan.issue) : null;
    if (p.plan.dispatch) await dispatchTokenRun(p.deps, p.issue.number, p.plan.dispatch);
    for (const comment of p.plan.acknowledge) await p.deps.io.reactToComment(comment, "+1");
    return !updated || updated.comments <= p.plan.expectedComments + p.plan.replies.length;
  } catch (error) {
    p.deps.log.warn({ err: error, issue: p.issue.number }, "expiry sweep: the issue's views left to an ordinary sync");
    return false;
  }
}

/**
 * The GitHub reads of one request in a batch: its issue and comments as the snapshot read them;
 * everything else (a reviewer asked, a timeline) from GitHub as for any event. The batch writes
 * the views itself (`writeAllComments`, `applyIssue`).
 */
class SnapshotIO extends GitHubIO {
  constructor(
    octokit: Octokit,
    repo: GitHubIO["repo"],
    private readonly request: SnapshotRequest,
  ) {
    super(octokit, repo);
  }

  override async getIssue(issue: number): Promise<IssueData> {
    return issue === this.request.issue.number ? this.request.issue : super.getIssue(issue);
  }

  override async listComments(issue: number): Promise<CommentData[]> {
    return issue === this.request.issue.number ? this.request.comments : super.listComments(issue);
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
  private statusList: { path: string; jwt: string } | undefined;

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

  /** Held until the record it belongs to is staged: a list is never committed without its record. */
  publishStatusList(issue: number, jwt: string): Promise<void> {
    this.statusList = { path: statusListPath(issue), jwt };
    return Promise.resolve();
  }

  write(issue: number, text: string, previous: string | null): Promise<LedgerWrite> {
    const current = this.head && "sha" in this.head ? this.head.sha : null;
    if (previous !== current) return Promise.resolve({ ok: false, conflict: true });
    if (Buffer.byteLength(text, "utf8") > MAX_LEDGER_FILE_BYTES)
      throw new OneRecordError("record-too-large", `a ledger file is at most ${MAX_LEDGER_FILE_BYTES} bytes`);
    this.staged.set(ledgerFilePath(issue), text);
    if (this.statusList) this.staged.set(this.statusList.path, this.statusList.jwt);
    return Promise.resolve({ ok: true, sha: textBlobSha(text), commit: STAGED });
  }

  readFile(path: string): Promise<CachedFile | null> {
    return this.ledger.readFile(path);
  }

  writeFile(path: string, text: string, previous: string | null, message: string): Promise<LedgerWrite> {
    return this.ledger.writeFile(path, text, previous, message);
  }
}
