import { createHash } from "node:crypto";
import { TrustStore } from "../certificates/index.js";
import type { AccessConfig } from "../config/schema.js";
import { findStatusComment, isAuthoredBy, readRecord, STATUS_MARKER } from "../record/codec.js";
import {
  issuanceRecordsFrom,
  parseIssuanceComment,
  verifyIssuanceProof,
  type IssuanceBlock,
} from "../record/issuance-comment.js";
import type {
  AccessRecord,
  CertificateRecord,
  CommandRecord,
  IgnoredComment,
  IssuanceCommentRecord,
  IssuanceRecord,
  PullRequestRecord,
} from "../record/schema.js";
import { judgeIssuanceRun, judgeIssuedEntries, type Judgement, type RunFacts } from "./issuance/judge.js";
import { certificatesFromMerge, type MergedFile } from "./certificates/revalidate.js";
import { commandSpec } from "./commands/catalog.js";
import { editedCommentReply, replyForComment } from "./commands/reply.js";
import type { CommentData, GitHubIO, IssueData, PullFile } from "./github/rest.js";
import { isReviewer } from "./github/reviewers.js";
import { bodySha256, parseRequestForm } from "./intake/parse.js";
import { desiredLabels, labelsToFix, managedLabels, sameLabels } from "./labels/view.js";
import { renderStatusComment } from "./render/status.js";
import { assembleRecord, nextForm, replaceCertificates, unseenLines, upsertPullRequest } from "./state/facts.js";
import { commentUrl, reduce } from "./state/reduce.js";
import { parseCertificatePath } from "../certificates/index.js";
import { TOKEN_WORKFLOW_BOT } from "../record/token-workflow.js";

export interface Log {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface SyncDeps {
  io: GitHubIO;
  config: AccessConfig;
  botLogin: string;
  /** The repository's default branch (from the webhook payload). */
  defaultBranch: string;
  log: Log;
}

/** What happened to a pull request, as the webhook told it. */
export interface PullTrigger {
  record: PullRequestRecord;
  /** Files of the PR under this request (only needed for a merge). */
  files: PullFile[];
}

/**
 * `created` is true when the comment comes from an `issue_comment.created` payload: then its
 * body is the comment as created, which the app prefers over a listing that may show a later
 * edit (GitHub keeps no original body anywhere else).
 */
export type Trigger =
  { kind: "issue" } | { kind: "comment"; comment: CommentData; created: boolean } | { kind: "pull"; pull: PullTrigger };

export interface SyncResult {
  status: "not-a-request" | "synced";
  record?: AccessRecord;
  wroteComment: boolean;
  wroteIssue: boolean;
  replies: number;
  rounds: number;
}

/** Rounds of read–compute–write when another writer is detected; see `raceSuspected`. */
const MAX_ROUNDS = 3;

/**
 * One request, brought up to date: re-read its comments (and record), recompute the state from
 * the whole history, then write only what changed — the status comment, the labels and
 * open/closed state in one PATCH, and replies to newly refused commands.
 *
 * Several app instances may do this for one issue at once. Writes are not conditional on GitHub,
 * so the app detects a concurrent writer after the fact: the issue's comment count returned by
 * its own PATCH tells whether a comment appeared since the listing; if so it reads and
 * recomputes again. Whoever writes last has read everything older than its write.
 */
export async function syncRequest(deps: SyncDeps, issueIn: IssueData, trigger: Trigger): Promise<SyncResult> {
  const { io, config, botLogin, log } = deps;
  let issue = issueIn;
  let replies = 0;
  let wroteComment = false;
  let wroteIssue = false;
  let mergeCache: CertificateRecord[] | undefined;
  const force = { labels: false };
  // Who is a reviewer, asked once per login for this event (a recompute round asks no one again).
  const roles = new Map<string, boolean>();

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let comments = await io.listComments(issue.number);
    if (trigger.kind === "comment") {
      const asCreated = trigger.created
        ? { ...trigger.comment, updated_at: trigger.comment.created_at }
        : trigger.comment;
      if (!comments.some((c) => c.id === asCreated.id)) comments.push(asCreated);
      else if (trigger.created) comments = comments.map((c) => (c.id === asCreated.id ? asCreated : c));
    }

    const status = findStatusComment(comments, botLogin);
    let prior: AccessRecord | null = null;
    if (status) {
      try {
        prior = readRecord(status.body);
      } catch (error) {
        log.error(
          { err: error, issue: issue.number },
          "status comment record unreadable: rebuilding it from the issue history",
        );
      }
    }
    const formResult0 = parseRequestForm(issue.body);
    if (!status && !formResult0.recognized)
      return { status: "not-a-request", wroteComment, wroteIssue, replies, rounds: round };

    // A late or redelivered webhook carries an old issue snapshot: fetch the current one rather
    // than letting an old body or label set overwrite newer ones.
    // Stale: older than the body the record holds, or older than a comment that already exists
    // (GitHub bumps an issue's updated_at when it is commented on).
    if (round === 1 && status) {
      const seen = Date.parse(issue.updated_at);
      const newest = Math.max(
        Date.parse(prior?.form.at ?? "1970-01-01T00:00:00Z"),
        ...comments.map((c) => Date.parse(c.updated_at)),
      );
      if (seen < newest) issue = await io.getIssue(issue.number);
    }
    const formResult = issue === issueIn ? formResult0 : parseRequestForm(issue.body);

    // Facts: new command lines (with their authors' reviewer status, an I/O fact fixed now).
    const unseen = unseenLines(comments, prior);
    const newCommands: CommandRecord[] = [];
    for (const line of unseen.lines) {
      const spec = commandSpec(line.name);
      let reviewer = roles.get(line.by.toLowerCase());
      if (reviewer === undefined && (spec.who === "reviewer" || line.name === "help")) {
        reviewer = await isReviewer(io, config, line.by);
        roles.set(line.by.toLowerCase(), reviewer);
      }
      newCommands.push({ ...line, reviewer: reviewer ?? false, outcome: "accepted" });
    }

    let pullRequests = prior?.pullRequests ?? [];
    let certificates = prior?.certificates ?? [];
    const requestNow = prior?.request ?? (formResult.recognized && formResult.valid ? formResult.request : null);
    if (trigger.kind === "pull") {
      pullRequests = upsertPullRequest(pullRequests, trigger.pull.record);
      const pr = trigger.pull.record;
      if (pr.state === "merged" && pr.mergedCommit && pr.mergedAt) {
        mergeCache ??= await revalidateMerge(
          deps,
          issue.number,
          requestNow?.devices ?? [],
          certificates,
          pr,
          trigger.pull.files,
        );
        certificates = replaceCertificates(certificates, pr.number, mergeCache, requestNow?.devices.length ?? 0);
      }
    }

    const imported = await importIssuance(deps, issue.number, comments, prior, {
      devices: requestNow?.devices ?? [],
      certificates,
    });

    const requester = prior?.requester ?? issue.user?.login ?? "ghost";
    const issueUrl = prior?.issueUrl ?? issue.html_url;
    const reduced = reduce({
      checklistItems: config.checklist,
      requester,
      issueUrl,
      form:
        formResult.recognized && formResult.valid
          ? { valid: true, request: formResult.request }
          : { valid: false, request: null },
      priorRequest: prior?.request ?? null,
      commands: [...(prior?.commands ?? []), ...newCommands],
      pullRequests,
      certificates,
      issuance: imported.issuance,
    });
    // The snapshot time moves only when the body does, so an unchanged request renders the same.
    const sha = bodySha256(issue.body);
    const snapshot = prior && prior.form.bodySha256 === sha ? prior.form.at : issue.updated_at;
    const { form, formLog } = nextForm(prior, { at: snapshot, bodySha256: sha }, formResult, reduced.formApplied);
    const ignored: IgnoredComment[] = [...(prior?.ignored ?? []), ...unseen.ignored];
    const record = assembleRecord({
      repository: `${io.repo.owner}/${io.repo.repo}`,
      issue: issue.number,
      issueUrl,
      requester,
      reduced,
      form,
      formLog,
      ignored,
      pullRequests,
      certificates,
      issuance: imported.issuance,
      issuanceComments: imported.comments,
    });

    // Write the status comment when its text changed (rendering is deterministic).
    const body = renderStatusComment(record, config);
    let created: CommentData | null = null;
    if (!status) {
      created = await io.createComment(issue.number, body);
      wroteComment = true;
    } else if (status.body !== body) {
      await io.updateComment(status.id, body);
      wroteComment = true;
    }
    // Duplicates from a past race: the oldest status comment is the one; the others go.
    for (const c of comments) {
      if (c.id !== status?.id && isAuthoredBy(c, botLogin) && c.body.includes(STATUS_MARKER))
        await io.deleteComment(c.id);
    }

    // Labels and open/closed state, one PATCH, only when something changed.
    const forceRepair = newCommands.some((c) => c.name === "status");
    force.labels ||= forceRepair;
    const current = issue.labels.map((l) => l.name);
    const labels = desiredLabels(current, record, config);
    const stageChanged = prior?.stage !== record.stage;
    let state: "open" | "closed" | undefined;
    let stateReason: "completed" | "not_planned" | "reopened" | undefined;
    if (stageChanged && issue.state === "open" && (record.stage === "live" || record.stage === "rejected")) {
      state = "closed";
      stateReason = record.stage === "live" ? "completed" : "not_planned";
    } else if (stageChanged && issue.state === "closed" && prior?.stage === "live" && record.stage === "tokens") {
      state = "open";
      stateReason = "reopened";
    }
    let raced = false;
    if (wroteComment || force.labels || state || !sameLabels(labels, current)) {
      const updated = await applyLabels(deps, issue.number, labels, state, stateReason);
      wroteIssue = true;
      const fixes = labelsToFix(updated.labels, config);
      for (const fix of fixes) await upsertLabel(io, fix);
      const expected =
        comments.length +
        (created ? 1 : 0) -
        comments.filter((c) => c.id !== status?.id && isAuthoredBy(c, botLogin) && c.body.includes(STATUS_MARKER))
          .length;
      raced = updated.comments > expected;
      issue = { ...updated, body: issue.body, updated_at: issue.updated_at };
    }

    // Replies, once per comment, for the lines first seen in this round — unless the record was
    // unreadable and is being rebuilt: then every old line looks new and was answered long ago.
    if (!(status && !prior)) replies += await postReplies(deps, record, newCommands, unseen.ignored, roles);

    if (!raced) return { status: "synced", record, wroteComment, wroteIssue, replies, rounds: round };
    log.info({ issue: issue.number, round }, "another writer touched the issue meanwhile: recomputing");
  }
  return { status: "synced", wroteComment, wroteIssue, replies, rounds: MAX_ROUNDS };
}

async function applyLabels(
  deps: SyncDeps,
  issue: number,
  labels: string[],
  state?: "open" | "closed",
  stateReason?: "completed" | "not_planned" | "reopened",
): Promise<IssueData> {
  const change = { labels, ...(state ? { state } : {}), ...(stateReason ? { stateReason } : {}) };
  try {
    return await deps.io.updateIssue(issue, change);
  } catch (error) {
    // GitHub creates unknown labels when they are applied; should it refuse instead, create the
    // managed ones first and try once more.
    if ((error as { status?: number }).status !== 422) throw error;
    const wanted = new Set(labels.map((l) => l.toLowerCase()));
    for (const spec of managedLabels(deps.config))
      if (wanted.has(spec.name.toLowerCase())) await createLabelIfMissing(deps.io, spec);
    return deps.io.updateIssue(issue, change);
  }
}

async function upsertLabel(
  io: GitHubIO,
  spec: { name: string; color: string; description?: string | undefined },
): Promise<void> {
  try {
    await io.updateLabel(spec);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    await createLabelIfMissing(io, spec);
  }
}

async function createLabelIfMissing(
  io: GitHubIO,
  spec: { name: string; color: string; description?: string | undefined },
): Promise<void> {
  try {
    await io.createLabel(spec);
  } catch (error) {
    if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
  }
}

async function postReplies(
  deps: SyncDeps,
  record: AccessRecord,
  fresh: CommandRecord[],
  ignored: IgnoredComment[],
  roles: Map<string, boolean>,
): Promise<number> {
  let posted = 0;
  const byComment = new Map<number, CommandRecord[]>();
  const outcomes = new Map(record.commands.map((c) => [`${c.comment}:${c.index}`, c]));
  for (const line of fresh) {
    const decided = outcomes.get(`${line.comment}:${line.index}`) ?? line;
    byComment.set(line.comment, [...(byComment.get(line.comment) ?? []), decided]);
  }
  for (const [comment, lines] of byComment) {
    const by = lines[0]!.by;
    const wantsHelp = lines.some((l) => l.name === "help");
    const help = wantsHelp
      ? {
          reviewer: roles.get(by.toLowerCase()) ?? false,
          requester: by.toLowerCase() === record.requester.toLowerCase(),
        }
      : null;
    const text = replyForComment(by, commentUrl(record.issueUrl, comment), lines, help);
    if (text) {
      await deps.io.createComment(record.issue, text);
      posted++;
    }
  }
  for (const i of ignored) {
    await deps.io.createComment(record.issue, editedCommentReply(i.by, commentUrl(record.issueUrl, i.comment)));
    posted++;
  }
  return posted;
}

/**
 * The token workflow's issuance comments. Final judgements (accepted, refused) come from the
 * record; every other one is judged now, which means fetching the run attempt it names (once per
 * attempt and event): a new comment, or one still pending because its run had not completed when
 * the app last looked. So acceptance is recomputed on every event until the run has completed,
 * whichever arrives first or twice — the comment, the run's `workflow_run.completed`, a `/status`.
 */
async function importIssuance(
  deps: SyncDeps,
  issueNumber: number,
  comments: readonly CommentData[],
  prior: AccessRecord | null,
  request: { devices: readonly string[]; certificates: readonly CertificateRecord[] },
): Promise<{ issuance: IssuanceRecord[]; comments: IssuanceCommentRecord[] }> {
  const issuance = [...(prior?.issuance ?? [])];
  const final = (prior?.issuanceComments ?? []).filter((j) => !j.pending);
  const judged = [...final];
  const seen = new Set(final.map((j) => j.comment));
  const runs = new Map<string, RunFacts | null>();
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    if (seen.has(c.id) || !isAuthoredBy(c, TOKEN_WORKFLOW_BOT)) continue;
    const parsed = parseIssuanceComment(c.body);
    if (!parsed.ok) {
      if (!parsed.found) continue;
      judged.push({ comment: c.id, runId: 0, part: 0, accepted: false, reason: parsed.reason });
      continue;
    }
    const block = parsed.block;
    const about = {
      comment: c.id,
      runId: block.runId,
      part: block.part,
      runAttempt: block.runAttempt,
      runUrl: block.runUrl,
      tokens: block.issued.length,
    };
    // The checks that need no API call come first: a block that fails them costs no request.
    const refuse = (reason: string) => {
      deps.log.warn({ issue: issueNumber, comment: c.id, reason }, "issuance comment refused");
      judged.push({ ...about, accepted: false, reason });
    };
    const offline = await judgeBlockOffline(deps, block, request);
    if (offline.verdict === "refused") {
      refuse(offline.reason);
      continue;
    }
    // One report per part of an attempt: a copy posted again (by another workflow, say) would
    // otherwise ride on the genuine run's success.
    const earlier = judged.find(
      (j) =>
        (j.accepted || j.pending) &&
        j.runId === block.runId &&
        j.runAttempt === block.runAttempt &&
        j.part === block.part,
    );
    if (earlier) {
      refuse(
        `run ${block.runId} (attempt ${block.runAttempt}) part ${block.part} was already reported in comment ${earlier.comment}`,
      );
      continue;
    }
    const attempt = `${block.runId}:${block.runAttempt}`;
    if (!runs.has(attempt)) runs.set(attempt, await deps.io.getWorkflowRunAttempt(block.runId, block.runAttempt));
    const judgement = judgeIssuanceRun(block, runs.get(attempt)!, {
      repository: `${deps.io.repo.owner}/${deps.io.repo.repo}`,
      issue: issueNumber,
      workflowFile: deps.config.tokens.workflow,
      defaultBranch: deps.defaultBranch,
    });
    if (judgement.verdict === "pending") {
      judged.push({ ...about, accepted: false, pending: true, reason: judgement.reason });
      continue;
    }
    if (judgement.verdict === "refused") {
      refuse(judgement.reason);
      continue;
    }
    const known = new Set(issuance.map((t) => t.jti));
    issuance.push(...issuanceRecordsFrom(block, { by: TOKEN_WORKFLOW_BOT }).filter((t) => !known.has(t.jti)));
    judged.push({ ...about, accepted: true });
  }
  // Comment order, whatever order the judgements were reached in: the same history renders the same.
  return { issuance, comments: judged.sort((a, b) => a.comment - b.comment) };
}

/**
 * The proof, when the configuration publishes the token key's JWKS (only the protected
 * environment can sign one; without the JWKS the run checks are all there is, and the status
 * says so), then the devices and certificates the tokens are bound to.
 */
async function judgeBlockOffline(
  deps: SyncDeps,
  block: IssuanceBlock,
  request: { devices: readonly string[]; certificates: readonly CertificateRecord[] },
): Promise<Judgement> {
  const jwks = deps.config.tokens.jwks;
  if (jwks) {
    let proof;
    try {
      proof = await verifyIssuanceProof(block, jwks);
    } catch {
      // The schema admits any public JWK; one jose cannot use is a configuration fault, and no
      // proof can verify against it.
      proof = { ok: false as const, reason: "the configured tokens.jwks holds no usable key" };
    }
    if (!proof.ok) return { verdict: "refused", reason: proof.reason };
  }
  return judgeIssuedEntries(block, request.devices, request.certificates);
}

const trustCache = new WeakMap<AccessConfig, TrustStore>();

/** Fetches the request's files of a merged PR at the merge commit and judges them. */
async function revalidateMerge(
  deps: SyncDeps,
  request: number,
  devices: readonly string[],
  recorded: readonly CertificateRecord[],
  pr: PullRequestRecord,
  files: readonly PullFile[],
): Promise<CertificateRecord[]> {
  const { io, config } = deps;
  const pattern = config.certificates.pathPattern;
  const mine = files.filter((f) => parseCertificatePath(f.filename, pattern)?.request === request);
  const merged: MergedFile[] = [];
  for (const f of mine) {
    merged.push({
      path: f.filename,
      bytes: f.status === "removed" ? null : await io.getFile(f.filename, pr.mergedCommit!),
    });
    // A rename leaves the old path empty: the device it named has no certificate there any more.
    if (
      f.status === "renamed" &&
      f.previous_filename &&
      parseCertificatePath(f.previous_filename, pattern)?.request === request
    )
      merged.push({ path: f.previous_filename, bytes: null });
  }
  let trust = trustCache.get(config);
  if (!trust) {
    trust = TrustStore.default(config.certificates.extraCAs);
    trustCache.set(config, trust);
  }
  const fresh = certificatesFromMerge({
    request,
    devices,
    pattern,
    trust,
    warnDays: config.certificates.warnDays,
    pr: pr.number,
    mergedCommit: pr.mergedCommit!,
    mergedAt: pr.mergedAt!,
    files: merged,
    recorded: recorded.filter((c) => c.pr !== pr.number),
  });
  deps.log.info(
    { request, pr: pr.number, files: merged.length, valid: fresh.filter((c) => c.verdict === "valid").length },
    "re-validated merged certificates",
  );
  return fresh;
}

/** A stable id for a configuration problem, so the same problem is reported once per issue. */
export function configProblemId(message: string): string {
  return createHash("sha256").update(message).digest("hex").slice(0, 16);
}
