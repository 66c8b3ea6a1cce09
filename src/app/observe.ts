import { parseCertificatePath } from "../certificates/index.js";
import { readRecord } from "../record/codec.js";
import { verifyIssuanceProof, type ProofResult } from "../record/issuance-comment.js";
import type { AccessRecord, CertificateRecord, PullRequestRecord } from "../record/schema.js";
import type { JSONWebKeySet } from "jose";
import { rejudgeDefaultBranch } from "./certificates/observe-branch.js";
import { rejudgeNeeded } from "./certificates/rejudge.js";
import { certificatesFromMerge, type MergedFile } from "./certificates/revalidate.js";
import { trustStoreFor } from "./certificates/trust.js";
import { commandSpec } from "./commands/catalog.js";
import type { SyncDeps, Trigger } from "./deps.js";
import type { CommentData, IssueData } from "./github/rest.js";
import { isReviewer } from "./github/reviewers.js";
import { bodySha256, parseRequestForm } from "./intake/parse.js";
import type { RunFacts } from "./issuance/run-facts.js";
import { attemptKey, issuanceCandidates, runsToObserve, type IssuanceCandidate } from "./issuance/reports.js";
import { certificatesNow, issuanceExpectations, requestInEffect } from "./state/in-effect.js";
import { unseenLines, type NewLine } from "./state/observed-lines.js";
import { observeLedger, observeLedgerProtection, readLedgerHead, usableHeadRecord } from "./ledger/observe-ledger.js";
import { readComments } from "./comments-read.js";
import { recordSource } from "./ledger/source.js";
import { recordSetupProblem } from "./ledger/setup.js";
import { rebuiltFacts } from "./ledger/rebuild.js";
import { observeObtained } from "./obtained/observe.js";

export type { EventMemo, Observation, Rebuilt } from "./observation.js";
import type { EventMemo, Observation } from "./observation.js";

export async function observe(
  deps: SyncDeps,
  issueIn: IssueData,
  trigger: Trigger,
  round: number,
  memo: EventMemo,
): Promise<Observation | null> {
  const found = await observeSource(deps, issueIn, trigger);
  if (!found) return null;
  const { setupProblem, read, source, observedAt } = found;
  const { comments, status } = read;
  let issue = issueIn;
  let form = parseRequestForm(issue.body);
  const { prior, ...ledgerState } = source;
  if (round === 1 && status && isStale(issue, prior, comments, read.read?.through)) {
    issue = await deps.io.getIssue(issue.number);
    form = parseRequestForm(issue.body);
  }
  // A rebuild reads the issue's timeline once: did the app reject this request (src/app/ledger/rebuild.ts)?
  const rebuildFacts = ledgerState.rebuilding
    ? rebuiltFacts(await deps.io.stateChanges(issue.number), issue.state, deps.botLogin, observedAt)
    : null;
  const unseen = unseenLines(comments, prior);
  const formWrittenAt = await observeFormWrittenAt(deps, issue, prior);
  const pull = trigger.kind === "pull" ? trigger.pull.record : null;
  const request = requestInEffect(prior, form);
  if (trigger.kind === "pull" && pull?.state === "merged" && pull.mergedCommit && pull.mergedAt) {
    const recorded = prior?.certificates ?? [];
    memo.merged ??= await revalidateMerge(deps, issue.number, request?.devices ?? [], recorded, pull, trigger.pull);
  }
  const merged = pull?.state === "merged" && pull.mergedCommit && pull.mergedAt ? (memo.merged ?? null) : null;
  const rejudge = rejudgeNeeded(source.rebuilding, prior, request);
  if (rejudge && request) memo.rebuilt ??= await rejudgeDefaultBranch(deps, issue.number, request.devices);
  const rebuilt = rejudge ? (memo.rebuilt ?? null) : null;
  const { certificates } = certificatesNow(prior, pull, merged, request?.devices.length ?? 0, rebuilt);
  return {
    repository: `${deps.io.repo.owner}/${deps.io.repo.repo}`,
    config: deps.config,
    botLogin: deps.botLogin,
    defaultBranch: deps.defaultBranch,
    issue,
    comments,
    ...(read.full ? {} : { commentCount: Math.max(issue.comments, comments.length) }),
    commentsRead: read.read,
    status,
    prior,
    source: ledgerState,
    setupProblem,
    observedAt,
    formWrittenAt,
    triggerComment: trigger.kind === "comment" && trigger.created ? trigger.comment.id : null,
    form,
    unseen,
    reviewers: await observeReviewers(deps, unseen.lines, memo.roles),
    pull,
    merged,
    rebuilt: rebuilt && { pullRequests: rebuilt.pullRequests, certificates: rebuilt.certificates },
    rebuildFacts,
    issuance: await observeIssuance(deps, issue.number, comments, prior, request?.devices ?? [], certificates),
    forceLabels: memo.forceLabels,
    sweep: trigger.kind === "sweep" ? trigger.sweep : null,
    obtained: await observeObtained(deps, comments, prior),
  };
}

/**
 * The record and the comments it is read with. The ledger head first: the record it holds says
 * which comments changed since (src/app/comments-read.ts). An issue whose body is no request form
 * is a request only if the app keeps a status comment on it: there every comment is listed first,
 * as before, and nothing more is read when there is none. Null: not a request.
 */
async function observeSource(deps: SyncDeps, issue: IssueData, trigger: Trigger) {
  const early = parseRequestForm(issue.body).recognized ? null : await readComments(deps, issue.number, trigger, null);
  if (early && !early.status) return null;
  // No key, no published key, or an unprotected ledger branch: nothing advances (plan.ts).
  const setupProblem = recordSetupProblem(deps.config, deps.recordKey) ?? (await observeLedgerProtection(deps));
  const head = setupProblem ? null : await readLedgerHead(deps, issue.number);
  const read = early ?? (await readComments(deps, issue.number, trigger, usableHeadRecord(head)));
  const observedAt = new Date().toISOString();
  const legacy = (s: CommentData) => legacyRecord(deps, s, issue.number);
  const source = head
    ? recordSource(await observeLedger(deps, issue.number, head, read.comments, read.status, legacy), observedAt)
    : recordSource({ head: null, history: null, legacy: null, seenBefore: false }, observedAt);
  return { setupProblem, read, source, observedAt };
}

/**
 * A v1 record in the app's status comment (from before the ledger), for its one migration; null
 * when the comment holds none, one that does not read, or another request's.
 */
function legacyRecord(deps: SyncDeps, status: CommentData, issue: number): AccessRecord | null {
  try {
    return adoptable(deps, readRecord(status.body), issue);
  } catch (error) {
    deps.log.error({ err: error, issue }, "status comment holds an unreadable v1 record: not migrated");
    return null;
  }
}

/**
 * When the current body version was written. GitHub keeps it as the issue's `lastEditedAt`
 * (null: never edited, so the issue's creation); asked only when the body is not the one the
 * record already dated, so an unchanged body costs nothing.
 */
async function observeFormWrittenAt(
  deps: SyncDeps,
  issue: IssueData,
  prior: AccessRecord | null,
): Promise<string | null> {
  if (prior?.form.writtenAt && prior.form.bodySha256 === bodySha256(issue.body)) return prior.form.writtenAt;
  // An issue whose only change since its creation is being opened was never edited.
  if (issue.created_at && issue.created_at === issue.updated_at) return issue.created_at;
  return (await deps.io.formEditedAt(issue.number)) ?? issue.created_at ?? null;
}

/**
 * A record is this issue's only when it names this repository and issue: a transferred issue
 * brings its comments, and the record of the repository it came from is not adopted (nor
 * rewritten to look like this one's).
 */
function adoptable(deps: SyncDeps, record: AccessRecord | null, issue: number): AccessRecord | null {
  if (!record) return null;
  const here = `${deps.io.repo.owner}/${deps.io.repo.repo}`.toLowerCase();
  if (record.repository.toLowerCase() === here && record.issue === issue) return record;
  deps.log.warn({ issue, names: `${record.repository}#${record.issue}` }, "status record names another request");
  return null;
}

/**
 * A late or redelivered webhook carries an old issue snapshot: stale when older than the body
 * the record holds, or older than a comment that already exists (GitHub bumps an issue's
 * `updated_at` when it is commented on). Then the current issue is read rather than letting an
 * old body or label set overwrite newer ones.
 */
function isStale(
  issue: IssueData,
  prior: AccessRecord | null,
  comments: readonly CommentData[],
  readThrough: string | undefined,
): boolean {
  const seen = Date.parse(issue.updated_at);
  const recorded = Date.parse(prior?.form.at ?? "1970-01-01T00:00:00Z");
  const through = Date.parse(readThrough ?? "1970-01-01T00:00:00Z");
  return seen < Math.max(recorded, through, ...comments.map((c) => Date.parse(c.updated_at)));
}

/** Reviewer status of each new line's author, for the commands that depend on it. */
async function observeReviewers(
  deps: SyncDeps,
  lines: readonly NewLine[],
  roles: Map<string, boolean>,
): Promise<ReadonlyMap<string, boolean>> {
  for (const line of lines) {
    const login = line.by.toLowerCase();
    if (roles.has(login) || (commandSpec(line.name).who === "anyone" && line.name !== "help")) continue;
    roles.set(login, await isReviewer(deps.io, deps.config, line.by));
  }
  return new Map(roles);
}

/**
 * The issuance reports not judged for good, their proofs (when `tokens.jwks` is configured) and
 * the run attempts their judgement asks for, each attempt fetched once per event.
 */
async function observeIssuance(
  deps: SyncDeps,
  issue: number,
  comments: readonly CommentData[],
  prior: AccessRecord | null,
  devices: readonly string[],
  certificates: readonly CertificateRecord[],
): Promise<Observation["issuance"]> {
  const candidates = issuanceCandidates(comments, prior);
  const proofs = deps.config.tokens.jwks ? await verifyProofs(candidates, deps.config.tokens.jwks) : null;
  const expected = issuanceExpectations(
    deps.config,
    `${deps.io.repo.owner}/${deps.io.repo.repo}`,
    issue,
    deps.defaultBranch,
  );
  const runs = new Map<string, RunFacts | null>();
  for (const { runId, attempt } of runsToObserve({ candidates, prior, devices, certificates, proofs, expected })) {
    const key = attemptKey(runId, attempt);
    if (!runs.has(key)) runs.set(key, await deps.io.getWorkflowRunAttempt(runId, attempt));
  }
  return { candidates, proofs, runs };
}

async function verifyProofs(
  candidates: readonly IssuanceCandidate[],
  jwks: unknown,
): Promise<Map<number, ProofResult>> {
  const proofs = new Map<number, ProofResult>();
  for (const c of candidates) {
    if (!c.parsed.ok) continue;
    try {
      proofs.set(c.comment, await verifyIssuanceProof(c.parsed.block, jwks as JSONWebKeySet));
    } catch {
      // The schema admits any public JWK; one jose cannot use is a configuration fault, and no
      // proof can verify against it.
      proofs.set(c.comment, { ok: false, reason: "the configured tokens.jwks holds no usable key" });
    }
  }
  return proofs;
}

/** Fetches the request's files of a merged PR at the merge commit and judges them. */
async function revalidateMerge(
  deps: SyncDeps,
  request: number,
  devices: readonly string[],
  recorded: readonly CertificateRecord[],
  pr: PullRequestRecord,
  trigger: Extract<Trigger, { kind: "pull" }>["pull"],
): Promise<CertificateRecord[]> {
  const { io, config } = deps;
  const pattern = config.certificates.pathPattern;
  const mine = trigger.files.filter((f) => parseCertificatePath(f.filename, pattern)?.request === request);
  const files: MergedFile[] = [];
  const read = mine.filter((f) => f.status !== "removed").map((f) => f.filename);
  const bytes = await io.getFiles(read, pr.mergedCommit!);
  for (const f of mine) {
    files.push({ path: f.filename, bytes: f.status === "removed" ? null : (bytes.get(f.filename) ?? null) });
    // A rename leaves the old path empty: the device it named has no certificate there any more.
    const old = f.status === "renamed" ? f.previous_filename : undefined;
    if (old && parseCertificatePath(old, pattern)?.request === request) files.push({ path: old, bytes: null });
  }
  const trust = trustStoreFor(config);
  const fresh = certificatesFromMerge({
    request,
    devices,
    pattern,
    trust,
    warnDays: config.certificates.warnDays,
    pr: pr.number,
    mergedCommit: pr.mergedCommit!,
    mergedAt: pr.mergedAt!,
    files,
    recorded: recorded.filter((c) => c.pr !== pr.number),
  });
  const valid = fresh.filter((c) => c.verdict === "valid").length;
  deps.log.info({ request, pr: pr.number, files: files.length, valid }, "re-validated merged certificates");
  return fresh;
}
