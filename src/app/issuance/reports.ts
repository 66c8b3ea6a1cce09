import { isAuthoredBy, type AuthoredComment } from "../../record/codec.js";
import {
  issuanceRecordsFrom,
  parseIssuanceComment,
  type IssuanceParseResult,
  type ProofResult,
} from "../../record/issuance-comment.js";
import type { AccessRecord, CertificateRecord, IssuanceCommentRecord, IssuanceRecord } from "../../record/schema.js";
import { TOKEN_WORKFLOW_BOT } from "../../record/token-workflow.js";
import { judgeIssuanceRun, judgeIssuedEntries, type IssuanceExpectations, type RunFacts } from "./judge.js";

/**
 * The token workflow's issuance reports, judged. Final judgements (accepted, refused) come from
 * the record; every other report is judged now: a new comment, or one still pending because its
 * run had not completed when the app last looked. So acceptance is recomputed on every event
 * until the run has completed, whichever arrives first or twice — the comment, the run's
 * `workflow_run.completed`, a `/status`. Pure: the run attempts and proof verdicts it needs are
 * observed first (`runsToObserve` says which).
 */

/** A report the record has not judged for good, as parsed from its comment. */
export interface IssuanceCandidate {
  comment: number;
  parsed: IssuanceParseResult;
}

export interface IssuanceReportsInput {
  candidates: readonly IssuanceCandidate[];
  prior: Pick<AccessRecord, "issuance" | "issuanceComments"> | null;
  /** The devices of the request in effect and every certificate recorded for them. */
  devices: readonly string[];
  certificates: readonly CertificateRecord[];
  /** Proof verdicts by comment, when the configuration publishes `tokens.jwks`; null otherwise. */
  proofs: ReadonlyMap<number, ProofResult> | null;
  /** Run attempts by `attemptKey`; null where GitHub has no such attempt. */
  runs: ReadonlyMap<string, RunFacts | null>;
  expected: IssuanceExpectations;
}

export interface IssuanceReports {
  issuance: IssuanceRecord[];
  comments: IssuanceCommentRecord[];
  /** Reports refused in this judgement, for the log. */
  refused: Array<{ comment: number; reason: string }>;
  /** Run attempts the judgement needed and `runs` did not hold (their reports stay pending). */
  missingRuns: Array<{ runId: number; attempt: number }>;
}

const NO_JWKS =
  "no issuance report is accepted until the configuration publishes tokens.jwks (the token signing key's public JWKS)";

/**
 * A proven report while no request is in effect (a rebuild whose form is not valid) waits rather
 * than being refused for good: a proof comes only from the token workflow, which issues only for
 * an approved request. Once the form says which devices the request has it is judged as usual
 * (its run completed before any approval given again, so its tokens never count: `replayIssuance`).
 */
const NO_REQUEST = "the request has no valid form in effect, so no devices to judge its tokens against yet";

export function attemptKey(runId: number, attempt: number): string {
  return `${runId}:${attempt}`;
}

/** Comments of the token workflow's account the record has not judged for good, oldest first. */
export function issuanceCandidates(
  comments: readonly (AuthoredComment & { id: number; body: string })[],
  prior: Pick<AccessRecord, "issuanceComments"> | null,
): IssuanceCandidate[] {
  const final = new Set((prior?.issuanceComments ?? []).filter((j) => !j.pending).map((j) => j.comment));
  return [...comments]
    .sort((a, b) => a.id - b.id)
    .filter((c) => !final.has(c.id) && isAuthoredBy(c, TOKEN_WORKFLOW_BOT))
    .map((c) => ({ comment: c.id, parsed: parseIssuanceComment(c.body) }))
    .filter((c) => c.parsed.ok || c.parsed.found);
}

/** The run attempts a judgement of these reports will ask for. */
export function runsToObserve(input: Omit<IssuanceReportsInput, "runs">): Array<{ runId: number; attempt: number }> {
  return judgeIssuanceReports({ ...input, runs: new Map() }).missingRuns;
}

export function judgeIssuanceReports(input: IssuanceReportsInput): IssuanceReports {
  const out: IssuanceReports = {
    issuance: [...(input.prior?.issuance ?? [])],
    comments: (input.prior?.issuanceComments ?? []).filter((j) => !j.pending),
    refused: [],
    missingRuns: [],
  };
  for (const candidate of input.candidates) judgeOne(input, candidate, out);
  // Comment order, whatever order the judgements were reached in: the same history renders the same.
  out.comments.sort((a, b) => a.comment - b.comment);
  return out;
}

function judgeOne(input: IssuanceReportsInput, { comment, parsed }: IssuanceCandidate, out: IssuanceReports): void {
  if (!parsed.ok) {
    out.comments.push({ comment, runId: 0, part: 0, accepted: false, reason: parsed.reason });
    return;
  }
  const { block } = parsed;
  const about = {
    comment,
    runId: block.runId,
    part: block.part,
    parts: block.parts,
    runAttempt: block.runAttempt,
    runUrl: block.runUrl,
    tokens: block.issued.length,
  };
  const refuse = (reason: string) => {
    out.refused.push({ comment, reason });
    out.comments.push({ ...about, accepted: false, reason });
  };
  // The checks that need no API call come first: a report that fails them costs no request.
  // Only the protected environment holds the token signing key: without the published JWKS no
  // report can prove it came from there (a run on a tag named like the default branch, or a
  // forged report naming the genuine run, would otherwise pass the run checks).
  if (!input.proofs) return refuse(NO_JWKS);
  const proof = input.proofs.get(comment);
  if (!proof?.ok) return refuse(proof?.reason ?? "the issuance block carries no proof");
  // No request in effect: no devices to judge the tokens against yet (see NO_REQUEST).
  if (input.devices.length === 0) {
    out.comments.push({ ...about, accepted: false, pending: true, reason: NO_REQUEST });
    return;
  }
  const entries = judgeIssuedEntries(block, input.devices, input.certificates);
  if (entries.verdict === "refused") return refuse(entries.reason);
  // One report per part of an attempt: a copy posted again (by another workflow, say) would
  // otherwise ride on the genuine run's success.
  const earlier = out.comments.find(
    (j) =>
      (j.accepted || j.pending) &&
      j.runId === block.runId &&
      j.runAttempt === block.runAttempt &&
      j.part === block.part,
  );
  if (earlier)
    return refuse(
      `run ${block.runId} (attempt ${block.runAttempt}) part ${block.part} was already reported in comment ${earlier.comment}`,
    );
  const key = attemptKey(block.runId, block.runAttempt);
  if (!input.runs.has(key)) {
    out.missingRuns.push({ runId: block.runId, attempt: block.runAttempt });
    out.comments.push({ ...about, accepted: false, pending: true, reason: "its run has not been looked up yet" });
    return;
  }
  const judgement = judgeIssuanceRun(block, input.runs.get(key)!, input.expected);
  if (judgement.verdict === "pending") {
    out.comments.push({ ...about, accepted: false, pending: true, reason: judgement.reason });
    return;
  }
  if (judgement.verdict === "refused") return refuse(judgement.reason);
  // The tokens take effect when the run completed, not when it signed them: a block written in
  // between wins (see `replayIssuance` in src/app/state/reduce.ts).
  const { updated_at: completed, actor } = input.runs.get(key)!;
  const known = new Set(out.issuance.map((t) => t.jti));
  const fresh = issuanceRecordsFrom(block, { by: actor ?? TOKEN_WORKFLOW_BOT, at: completed }).map((t) => ({
    ...t,
    comment,
  }));
  out.issuance.push(...fresh.filter((t) => !known.has(t.jti)));
  out.comments.push({ ...about, accepted: true });
}

/**
 * Whether a run whose report proved itself (accepted, or pending on its run) has a part the
 * record holds no judgement of (issue 22's review: a part a listing skipped — comments deleted
 * between its pages shift the rest, or a comment shows late — must not be lost). The next event
 * then lists every comment, as every event did before, until each part is read. The count of
 * parts comes only from a proven report (it is under the proof, so a forged report cannot ask for
 * the whole thread); a part counts as read whatever its verdict, so one refused for good does not
 * keep the run incomplete.
 */
export function hasIncompleteRun(comments: readonly IssuanceCommentRecord[]): boolean {
  const parts = new Map<string, number>();
  for (const j of comments) {
    if ((j.accepted || j.pending) && j.parts !== undefined && j.runAttempt !== undefined)
      parts.set(attemptKey(j.runId, j.runAttempt), j.parts);
  }
  const read = new Map<string, Set<number>>();
  for (const j of comments) {
    if (j.runAttempt === undefined) continue;
    const key = attemptKey(j.runId, j.runAttempt);
    if (!read.has(key)) read.set(key, new Set());
    read.get(key)!.add(j.part);
  }
  return [...parts].some(([key, count]) => (read.get(key)?.size ?? 0) < count);
}
