import {
  currentCertificates,
  devicesNeedingTokens,
  thumbprintFromFingerprint,
  type AccessRecord,
  type CertificateRecord,
} from "../../src/record/index.js";
import type { AccessConfig } from "../../src/config/schema.js";
import { reviewOf } from "../../src/record/review.js";
import { deviceKey } from "../../src/request/device-id.js";
import type { RequestIssue } from "../github.js";
import type { RecordLookup } from "./1-load.js";
import type { RunInfo } from "./run-info.js";
import {
  accountProblem,
  certificationProblems,
  requestRecord,
  refusal,
  runProblems,
  type Refusal as CheckRefusal,
} from "../request-checks.js";

export { refusal };

export type RefusalCode =
  | "wrong-run"
  | "not-a-request"
  | "records-unconfigured"
  | "ledger-unprotected"
  | "no-record"
  | "record-unverified"
  | "record-mismatch"
  | "rejected"
  | "access-ended"
  | "on-hold"
  | "wrong-stage"
  | "not-certified"
  | "self-approved"
  | "request-changed"
  | "no-devices"
  | "account-not-an-id"
  | "certificate-missing"
  | "certificate-duplicate"
  | "certificate-invalid"
  | "certificate-expired"
  | "file-missing"
  | "file-duplicate"
  | "file-invalid"
  | "path-mismatch"
  | "fingerprint-mismatch"
  | "issuance-pending"
  | "cannot-issue"
  | "status-unallocated"
  | "review-overdue";

/** Why nothing is issued. The code is stable (tests and people match on it); the message says what to do. */
export type Refusal = CheckRefusal<RefusalCode>;

/** A device's certificate as the app recorded it at merge: what the checkout must still hold. */
export interface DevicePlan {
  device: string;
  path: string;
  fingerprintSha256: string;
  /** RFC 8705 thumbprint of the same certificate: what the token will be bound to. */
  x5tS256: string;
  /** The token's index in the request's status list, as the app allocated it in the record. */
  statusIdx?: number;
}

export type Decision =
  | { kind: "refuse"; reasons: Refusal[] }
  | { kind: "nothing"; reason: string }
  | {
      kind: "issue";
      account: string;
      /** Every device of the request: all are re-validated before anything is issued. */
      certificates: DevicePlan[];
      /** The devices that get a token now. */
      issue: DevicePlan[];
    };

export interface DecideInput {
  /** The `request` input. */
  request: number;
  /** "owner/name" of this repository. */
  repository: string;
  issue: RequestIssue;
  record: RecordLookup;
  run: Pick<RunInfo, "eventName" | "ref" | "refType" | "defaultBranch" | "workflowPath">;
  /** The configured workflow file (`tokenWorkflowPath` of config tokens.workflow). */
  workflow: string;
  now: Date;
  /** `tokens.statusList` is configured: every token carries a status list index the app allocated. */
  statusList?: boolean;
  /** The access review settings: no token for a request whose review is overdue past its grace. */
  access?: AccessConfig["access"];
}

/**
 * Step 2 (pure): whether to issue, and for which devices. The state comes from the app's signed
 * record only (labels and comments are not an input; step 1 verified the signature); who approved
 * is compared with the issue's author as the API reports it now, not with the requester the
 * record names. Every reason found is reported.
 */
export function decide(input: DecideInput): Decision {
  const checked = requestRecord<RefusalCode>(input, runProblems(input));
  if (!checked.ok) return { kind: "refuse", reasons: checked.reasons };
  const { record, reasons } = checked;

  reasons.push(...stageProblems(record), ...certificationProblems(record, input.issue));
  const devices = record.request?.devices ?? [];
  if (devices.length === 0) reasons.push(refusal("no-devices", "the record lists no devices for the request"));
  const account = accountProblem(record);
  if (account) reasons.push(account);
  reasons.push(...pendingReports(record));
  if (reasons.length > 0) return { kind: "refuse", reasons };
  const review = input.access ? reviewOf(record, input.access, input.now.toISOString()) : null;
  if (review?.state === "suspended")
    return {
      kind: "refuse",
      reasons: [
        refusal(
          "review-overdue",
          `the request's periodic access review was due on ${review.dueAt} and its grace ended on ${review.suspendAt}: its tokens are suspended until a reviewer runs /recertify`,
        ),
      ],
    };
  return withStatusIndexes(whatToIssue(record, input.now), input.statusList ?? false);
}

/** A rejected, held, or not yet ready request: at most one reason, the most final first. */
function stageProblems(record: AccessRecord): Refusal[] {
  if (record.rejection || record.stage === "rejected")
    return [
      refusal(
        "rejected",
        `the request was rejected${record.rejection ? ` by ${record.rejection.by} (${record.rejection.reason})` : ""}`,
      ),
    ];
  if (record.ended || record.stage === "ended")
    return [
      refusal(
        "access-ended",
        `the request's access was ended${record.ended ? ` by ${record.ended.by} (${record.ended.reason})` : ""}; every token is revoked`,
      ),
    ];
  if (record.hold)
    return [
      refusal(
        "on-hold",
        `the request is on hold (${record.hold.by}: ${record.hold.reason}); a reviewer lifts it with /unhold`,
      ),
    ];
  if (record.stage !== "tokens" && record.stage !== "live")
    return [
      refusal(
        "wrong-stage",
        `the request is at stage "${record.stage}"; tokens are issued at stage "tokens", once every device has a valid merged certificate`,
      ),
    ];
  return [];
}

/**
 * A report the app has not confirmed yet names tokens that may well be live: its run had not
 * completed when the app last looked. Issuing now could give those devices a second token.
 */
function pendingReports(record: AccessRecord): Refusal[] {
  const pending = record.issuanceComments.filter((j) => j.pending);
  if (pending.length === 0) return [];
  const runs = [...new Set(pending.map((j) => j.runId))].join(", ");
  return [
    refusal(
      "issuance-pending",
      `the issuance report of run ${runs} is not confirmed by the app yet (it waits for that run to complete); once the status comment shows it accepted or refused — /status asks the app to look again — run this workflow again`,
    ),
  ];
}

/** For a request nothing refuses: the devices that need a token now, bound to which certificate. */
function whatToIssue(record: AccessRecord, now: Date): Decision {
  if (record.stage === "live" && devicesNeedingTokens(record).length === 0) {
    return {
      kind: "nothing",
      reason:
        "the request is live: every device holds a token and no reissue was asked for (a reviewer asks with /reissue-tokens DEVICE|all REASON)",
    };
  }

  const { plans, problems } = certificatePlans(record, now);
  if (problems.length > 0) return { kind: "refuse", reasons: problems };

  const needing = new Set(devicesNeedingTokens(record).map(deviceKey));
  const allocated = new Map((record.statusIndexes ?? []).map((a) => [deviceKey(a.device), a.idx]));
  const issue = plans
    .filter((p) => needing.has(deviceKey(p.device)))
    .map((p) => (allocated.has(deviceKey(p.device)) ? { ...p, statusIdx: allocated.get(deviceKey(p.device))! } : p));
  if (issue.length === 0)
    return {
      kind: "nothing",
      reason:
        "every device already holds a token bound to its current certificate; nothing to issue (a reviewer asks for a reissue with /reissue-tokens DEVICE|all REASON)",
    };
  return { kind: "issue", account: record.request!.account, certificates: plans, issue };
}

/**
 * With a status list configured, every token needs the index the app allocated in the signed
 * record (never one this run picks: an index is never reused). The app allocates when a device
 * starts waiting for a token; a record from before the list was configured has none until the
 * app's next event on the request (a `/status` does it).
 */
function withStatusIndexes(decision: Decision, statusList: boolean): Decision {
  if (decision.kind !== "issue" || !statusList) return decision;
  const missing = decision.issue.filter((p) => p.statusIdx === undefined).map((p) => p.device);
  if (missing.length === 0) return decision;
  return {
    kind: "refuse",
    reasons: [
      refusal(
        "status-unallocated",
        `no status list index is allocated in the record for ${missing.join(", ")}; comment /status on the request so the app allocates one, then run again`,
      ),
    ],
  };
}

const isRemoved = (c: CertificateRecord) => c.errors.some((e) => e.code === "removed");
const later = (a: CertificateRecord, b: CertificateRecord) =>
  a.mergedAt > b.mergedAt || (a.mergedAt === b.mergedAt && a.pr > b.pr);

/** Each device's one current certificate, or why there is not exactly one valid one. */
function certificatePlans(record: AccessRecord, now: Date): { plans: DevicePlan[]; problems: Refusal[] } {
  const current = currentCertificates(record.certificates);
  const plans: DevicePlan[] = [];
  const problems: Refusal[] = [];
  for (const device of record.request!.devices) {
    const plan = devicePlan(record, device, current.get(deviceKey(device)), now);
    if ("code" in plan) problems.push(plan);
    else plans.push(plan);
  }
  problems.push(...sharedCertificates(plans));
  return { plans, problems };
}

/** One device: its current certificate, if it is the only one, valid and not expired. */
function devicePlan(
  record: AccessRecord,
  device: string,
  cert: CertificateRecord | undefined,
  now: Date,
): DevicePlan | Refusal {
  if (!cert || isRemoved(cert)) return refusal("certificate-missing", `device ${device} has no merged certificate`);
  const live = liveFiles(record, device);
  if (live.length > 1)
    return refusal(
      "certificate-duplicate",
      `device ${device} has more than one merged certificate (${live
        .map((c) => c.path)
        .sort()
        .join(", ")}); exactly one is allowed`,
    );
  if (cert.verdict !== "valid" || !cert.fingerprintSha256) {
    const why = cert.errors.map((e) => e.code).join(", ");
    return refusal(
      "certificate-invalid",
      `the merged certificate of device ${device} (${cert.path}) is invalid${why ? `: ${why}` : ""}`,
    );
  }
  if (cert.notAfter && !(Date.parse(cert.notAfter) > now.getTime()))
    return refusal(
      "certificate-expired",
      `the certificate of device ${device} (${cert.path}) expired at ${cert.notAfter}; merge a new one`,
    );
  return {
    device,
    path: cert.path,
    fingerprintSha256: cert.fingerprintSha256,
    x5tS256: thumbprintFromFingerprint(cert.fingerprintSha256),
  };
}

/** The device's files no merge removed, the latest record of each path: more than one is a second certificate. */
function liveFiles(record: AccessRecord, device: string): CertificateRecord[] {
  const key = deviceKey(device);
  const latestByPath = new Map<string, CertificateRecord>();
  for (const c of record.certificates) {
    if (deviceKey(c.device) !== key) continue;
    const seen = latestByPath.get(c.path);
    if (!seen || later(c, seen)) latestByPath.set(c.path, c);
  }
  return [...latestByPath.values()].filter((c) => !isRemoved(c));
}

/** One certificate must not serve two devices. */
function sharedCertificates(plans: readonly DevicePlan[]): Refusal[] {
  const byFingerprint = new Map<string, string[]>();
  for (const p of plans)
    byFingerprint.set(p.fingerprintSha256.toUpperCase(), [
      ...(byFingerprint.get(p.fingerprintSha256.toUpperCase()) ?? []),
      p.device,
    ]);
  return [...byFingerprint.values()]
    .filter((shared) => shared.length > 1)
    .map((shared) =>
      refusal("certificate-duplicate", `devices ${shared.join(", ")} share one certificate; each device needs its own`),
    );
}
