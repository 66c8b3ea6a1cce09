import {
  RECORD_SCHEMA_VERSION,
  type AccessRecord,
  type CertificateRecord,
  type FormLogEntry,
  type FormProblem,
  type FormState,
  type IgnoredComment,
  type PullRequestRecord,
} from "../../record/schema.js";
import { currentCertificates } from "../../record/tokens.js";
import type { FormResult } from "../intake/parse.js";
import { pruneCommands, pruneIssuance } from "./bounds.js";
import type { ReduceOutput } from "./types.js";

/** The record of one request assembled from what was observed and what `reduce` decided. Pure. */

/** Newest observation wins; a merge is final. */
export function upsertPullRequest(list: readonly PullRequestRecord[], pr: PullRequestRecord): PullRequestRecord[] {
  const existing = list.find((p) => p.number === pr.number);
  if (!existing) return [...list, pr].sort((a, b) => a.number - b.number);
  if (existing.state === "merged") return [...list];
  if (pr.state !== "merged" && Date.parse(pr.at) < Date.parse(existing.at)) return [...list];
  const merged: PullRequestRecord = pr.state === "open" && existing.state === "open" ? existing : pr;
  return list.map((p) => (p.number === pr.number ? merged : p));
}

/**
 * Replaces the records of one PR by a fresh re-validation. Superseded records (an older merge for
 * a device that has a newer one) are dropped once the list grows past twice the devices, so a
 * 500-device request that rotates certificates still fits its comment.
 */
export function replaceCertificates(
  list: readonly CertificateRecord[],
  pr: number,
  fresh: readonly CertificateRecord[],
  deviceCount: number,
): CertificateRecord[] {
  const next = [...list.filter((c) => c.pr !== pr), ...fresh];
  if (next.length <= Math.max(2 * deviceCount, 10)) return next;
  const current = new Set(currentCertificates(next).values());
  return next.filter((c) => current.has(c));
}

const MAX_FORM_LOG = 50;
const LOGGED_PROBLEMS = 3;
const LOGGED_PROBLEM_CHARS = 200;

/**
 * An invalid version's problems as the form log keeps them: few, bounded, and plain text — the
 * messages are Markdown (bold labels, people's input backslash-escaped), and the audit trail
 * escapes what it shows itself.
 */
function loggedProblems(problems: readonly FormProblem[]): string[] {
  const plain = problems.map((p) => {
    const text = p.message.replace(/\*\*/g, "").replace(/\\([!-/:-@[-`{-~])/g, "$1");
    return text.length > LOGGED_PROBLEM_CHARS ? `${text.slice(0, LOGGED_PROBLEM_CHARS - 1)}…` : text;
  });
  if (plain.length <= LOGGED_PROBLEMS) return plain;
  return [...plain.slice(0, LOGGED_PROBLEMS - 1), `and ${plain.length - (LOGGED_PROBLEMS - 1)} more problems`];
}

/** The form snapshot and its log entry when the body changed. */
export function nextForm(
  prior: AccessRecord | null,
  snapshot: { at: string; bodySha256: string; writtenAt?: string | undefined },
  form: FormResult,
  applied: boolean,
): { form: FormState; formLog: FormLogEntry[] } {
  const valid = form.recognized && form.valid;
  const problems = form.recognized
    ? form.problems
    : [
        {
          field: "(form)",
          message:
            "The request form's headings are missing: edit the issue and keep the headings of the production-access form",
        },
      ];
  const state: FormState = {
    at: snapshot.at,
    bodySha256: snapshot.bodySha256,
    valid,
    problems,
    applied,
    ...(snapshot.writtenAt ? { writtenAt: snapshot.writtenAt } : {}),
  };
  const log = [...(prior?.formLog ?? [])];
  const last = log.at(-1);
  if (!last || last.bodySha256 !== snapshot.bodySha256 || last.applied !== applied)
    log.push({
      at: snapshot.at,
      bodySha256: snapshot.bodySha256,
      valid,
      applied,
      ...(valid ? {} : { problems: loggedProblems(problems) }),
    });
  return { form: state, formLog: log.length > MAX_FORM_LOG ? [log[0]!, ...log.slice(-(MAX_FORM_LOG - 1))] : log };
}

export function assembleRecord(parts: {
  repository: string;
  issue: number;
  issueUrl: string;
  requester: string;
  requesterId?: number | undefined;
  /** The account that commits the record (the app's bot): `AccessRecord.writer`. */
  writer: string;
  /** Observed facts carried over from the prior record. */
  reclosed?: AccessRecord["reclosed"];
  reduced: ReduceOutput;
  form: FormState;
  formLog: FormLogEntry[];
  ignored: IgnoredComment[];
  pullRequests: PullRequestRecord[];
  certificates: CertificateRecord[];
  issuance: AccessRecord["issuance"];
  issuanceComments: AccessRecord["issuanceComments"];
  integrity?: AccessRecord["integrity"];
  rebuilt?: AccessRecord["rebuilt"];
}): AccessRecord {
  const r = parts.reduced;
  const { commands, ignored } = pruneCommands(r.commands, parts.ignored, {
    login: parts.requester,
    id: parts.requesterId,
  });
  return {
    version: RECORD_SCHEMA_VERSION,
    repository: parts.repository,
    issue: parts.issue,
    issueUrl: parts.issueUrl,
    requester: parts.requester,
    ...(parts.requesterId !== undefined ? { requesterId: parts.requesterId } : {}),
    writer: parts.writer,
    stage: r.stage,
    checklist: r.checklist,
    certification: r.certification,
    hold: r.hold,
    rejection: r.rejection,
    ...(r.ended ? { ended: r.ended } : {}),
    ...(r.revocations.length ? { revocations: r.revocations } : {}),
    ...(r.reviews.length ? { reviews: r.reviews } : {}),
    reissueRequested: r.reissueRequested,
    voidedRuns: r.voidedRuns,
    voidedTicks: r.voidedTicks,
    reclosed: parts.reclosed ?? [],
    transitions: r.transitions,
    request: r.request,
    form: parts.form,
    formLog: parts.formLog,
    commands,
    ignored,
    pullRequests: parts.pullRequests,
    certificates: parts.certificates,
    issuance: pruneIssuance(parts.issuance, parts.certificates, r.reissueRequested),
    issuanceComments: parts.issuanceComments,
    integrity: parts.integrity ?? [],
    ...(parts.rebuilt ? { rebuilt: parts.rebuilt } : {}),
  };
}
