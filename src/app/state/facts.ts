import { RECORD_SCHEMA_VERSION, type AccessRecord, type CertificateRecord, type CommandName, type FormLogEntry, type FormState, type IgnoredComment, type PullRequestRecord } from "../../record/schema.js";
import { currentCertificates } from "../../record/tokens.js";
import { parseCommands } from "../commands/parse.js";
import type { FormResult } from "../intake/parse.js";
import type { ReduceOutput } from "./types.js";

/** Pure bookkeeping of what the app observed: which lines are new, PR and form snapshots. */

export interface CommentLike {
  id: number;
  body: string;
  created_at: string;
  updated_at: string;
  user: { login: string; type: string } | null;
}

export interface NewLine {
  comment: number;
  index: number;
  by: string;
  at: string;
  name: CommandName;
  args: string;
}

/** Bots never command the app (the app's own comments above all). */
export function isBot(user: { login: string; type?: string | null } | null | undefined): boolean {
  return !user || user.type === "Bot" || user.login.toLowerCase().endsWith("[bot]");
}

/**
 * Command lines in comments the record has not seen yet, oldest comment first. A comment edited
 * before the app first read it is not executed (GitHub keeps no original body, so what was
 * "created" cannot be known): it is listed as ignored, to be answered once. Comments the record
 * has seen keep the lines recorded then, whatever their body says now.
 */
export function unseenLines(comments: readonly CommentLike[], prior: Pick<AccessRecord, "commands" | "ignored"> | null): { lines: NewLine[]; ignored: IgnoredComment[] } {
  const seen = new Set<number>([...(prior?.commands ?? []).map((c) => c.comment), ...(prior?.ignored ?? []).map((i) => i.comment)]);
  const lines: NewLine[] = [];
  const ignored: IgnoredComment[] = [];
  for (const comment of [...comments].sort((a, b) => a.id - b.id)) {
    if (seen.has(comment.id) || isBot(comment.user)) continue;
    const parsed = parseCommands(comment.body);
    if (parsed.length === 0) continue;
    const by = comment.user!.login;
    if (comment.updated_at !== comment.created_at) {
      ignored.push({ comment: comment.id, by, reason: "edited" });
      continue;
    }
    parsed.forEach((p, index) => lines.push({ comment: comment.id, index, by, at: comment.created_at, name: p.name, args: p.args }));
  }
  return { lines, ignored };
}

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
export function replaceCertificates(list: readonly CertificateRecord[], pr: number, fresh: readonly CertificateRecord[], deviceCount: number): CertificateRecord[] {
  const next = [...list.filter((c) => c.pr !== pr), ...fresh];
  if (next.length <= Math.max(2 * deviceCount, 10)) return next;
  const current = new Set(currentCertificates(next).values());
  return next.filter((c) => current.has(c));
}

const MAX_FORM_LOG = 50;

/** The form snapshot and its log entry when the body changed. */
export function nextForm(prior: AccessRecord | null, snapshot: { at: string; bodySha256: string }, form: FormResult, applied: boolean): { form: FormState; formLog: FormLogEntry[] } {
  const valid = form.recognized && form.valid;
  const problems = form.recognized
    ? form.problems
    : [{ field: "(form)", message: "The request form's headings are missing: edit the issue and keep the headings of the production-access form" }];
  const state: FormState = { at: snapshot.at, bodySha256: snapshot.bodySha256, valid, problems, applied };
  const log = [...(prior?.formLog ?? [])];
  const last = log.at(-1);
  if (!last || last.bodySha256 !== snapshot.bodySha256 || last.applied !== applied) log.push({ at: snapshot.at, bodySha256: snapshot.bodySha256, valid, applied });
  return { form: state, formLog: log.length > MAX_FORM_LOG ? [log[0]!, ...log.slice(-(MAX_FORM_LOG - 1))] : log };
}

export function assembleRecord(parts: {
  repository: string;
  issue: number;
  issueUrl: string;
  requester: string;
  reduced: ReduceOutput;
  form: FormState;
  formLog: FormLogEntry[];
  ignored: IgnoredComment[];
  pullRequests: PullRequestRecord[];
  certificates: CertificateRecord[];
  issuance: AccessRecord["issuance"];
  issuanceComments: AccessRecord["issuanceComments"];
}): AccessRecord {
  const r = parts.reduced;
  return {
    version: RECORD_SCHEMA_VERSION,
    repository: parts.repository,
    issue: parts.issue,
    issueUrl: parts.issueUrl,
    requester: parts.requester,
    stage: r.stage,
    checklist: r.checklist,
    certification: r.certification,
    hold: r.hold,
    rejection: r.rejection,
    reissueRequested: r.reissueRequested,
    transitions: r.transitions,
    request: r.request,
    form: parts.form,
    formLog: parts.formLog,
    commands: r.commands,
    ignored: parts.ignored,
    pullRequests: parts.pullRequests,
    certificates: parts.certificates,
    issuance: parts.issuance,
    issuanceComments: parts.issuanceComments,
  };
}
