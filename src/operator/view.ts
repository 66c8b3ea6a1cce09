import { outstandingNeeds } from "../app/state/progress.js";
import { watchedDevices } from "../app/renewal/due.js";
import type { AccessRecord } from "../record/schema.js";
import { currentCertificates } from "../record/tokens.js";
import { deviceKey } from "../request/device-id.js";

/**
 * The operator's view of every request (issue 21, part 2; docs/audit.md): its stage, **who it
 * waits on** and since when, its devices, what expires or is due for the access review soon, what
 * was revoked. Sorted so the oldest wait comes first. Pure: from the verified head records and
 * the time of the report.
 */
export type WaitsOn = "customer" | "reviewers" | "maintainer" | "nobody";

export interface RequestLine {
  issue: number;
  url: string;
  requester: string;
  stage: string;
  waitsOn: WaitsOn;
  /** What for, in a few words. */
  waitingFor: string;
  since: string;
  devices: Array<{ device: string; state: string }>;
  /** Devices whose certificate or token ends within the window, and when. */
  expiring: Array<{ device: string; at: string }>;
  /** When the periodic access review falls due, if within the window (or past). */
  reviewDue: string | null;
  revoked: number;
}

export interface OperatorReport {
  at: string;
  windowDays: number;
  requests: RequestLine[];
  /** Requests whose head record does not verify: listed, never judged (run `audit`). */
  unreadable: Array<{ issue: number; reason: string }>;
}

const DAY = 86_400_000;

export function operatorReport(
  records: readonly AccessRecord[],
  unreadable: OperatorReport["unreadable"],
  options: { at: string; windowDays?: number; checklistItems: readonly string[] },
): OperatorReport {
  const windowDays = options.windowDays ?? 30;
  const horizon = Date.parse(options.at) + windowDays * DAY;
  const lines = records.map((r) => requestLine(r, options.checklistItems, horizon));
  const rank = (l: RequestLine) => (l.waitsOn === "nobody" ? 1 : 0);
  lines.sort((a, b) => rank(a) - rank(b) || Date.parse(a.since) - Date.parse(b.since) || a.issue - b.issue);
  return { at: options.at, windowDays, requests: lines, unreadable: [...unreadable].sort((a, b) => a.issue - b.issue) };
}

function requestLine(record: AccessRecord, checklistItems: readonly string[], horizon: number): RequestLine {
  const wait = waiting(record, checklistItems, horizon);
  const expiring = watchedDevices(record)
    .filter((d) => Date.parse(d.due) <= horizon)
    .map((d) => ({ device: d.device, at: d.due }));
  const review = record.review && Date.parse(record.review.dueAt) <= horizon ? record.review.dueAt : null;
  return {
    issue: record.issue,
    url: record.issueUrl,
    requester: record.requester,
    stage: record.hold ? `${record.stage} (on hold)` : record.stage,
    waitsOn: expiring.length && wait.waitsOn === "nobody" ? "customer" : wait.waitsOn,
    waitingFor: expiring.length && wait.waitsOn === "nobody" ? "renewed certificates or tokens" : wait.what,
    since: record.transitions.at(-1)?.at ?? record.formLog[0]?.at ?? record.form.at,
    devices: deviceStates(record),
    expiring,
    reviewDue: review,
    revoked: (record.revocations ?? []).length,
  };
}

function waiting(
  record: AccessRecord,
  checklistItems: readonly string[],
  horizon: number,
): { waitsOn: WaitsOn; what: string } {
  if (record.stage === "ended" || record.stage === "rejected") return { waitsOn: "nobody", what: record.stage };
  if (record.hold) return { waitsOn: "reviewers", what: "lifting the hold (/unhold)" };
  const needs = outstandingNeeds(record, checklistItems);
  if (needs.includes("request-info")) return { waitsOn: "customer", what: "a complete, valid form" };
  if (needs.includes("certification"))
    return { waitsOn: "reviewers", what: "certification (checklist, /approve-certification)" };
  if (needs.includes("certificates"))
    return record.request?.certificateOption === 2
      ? { waitsOn: "maintainer", what: "the obtain workflow (option 2), then the merge of its pull request" }
      : { waitsOn: "customer", what: "a certificate pull request for each device" };
  if (needs.includes("tokens")) return { waitsOn: "maintainer", what: "a run of the token workflow" };
  if (needs.includes("access-review")) return { waitsOn: "reviewers", what: "the periodic access review (/recertify)" };
  if (record.review && Date.parse(record.review.dueAt) <= horizon)
    return { waitsOn: "nobody", what: "access review due soon" };
  return { waitsOn: "nobody", what: "live" };
}

function deviceStates(record: AccessRecord): RequestLine["devices"] {
  const certificates = currentCertificates(record.certificates);
  const revoked = new Set((record.revocations ?? []).map((r) => r.jti));
  return (record.request?.devices ?? []).map((device) => {
    const cert = certificates.get(deviceKey(device));
    const tokens = record.issuance.filter((t) => deviceKey(t.device) === deviceKey(device));
    const token = tokens.at(-1);
    const state = !cert
      ? "no certificate"
      : cert.verdict !== "valid"
        ? "certificate invalid"
        : !token
          ? "certificate valid, no token"
          : revoked.has(token.jti)
            ? "token revoked"
            : `token until ${token.expiresAt.slice(0, 10)}`;
    return { device, state };
  });
}
