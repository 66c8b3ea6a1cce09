import * as z from "zod";
import { reminderSchema } from "./reminder.js";

/**
 * The app's record of one production-access request: the source of truth the app signs into its
 * ledger file (`records/<issue>.json`, src/record/signature.ts), and that the token workflow
 * reads and verifies before issuing anything.
 *
 * Two kinds of field live here:
 * - facts the app observed and cannot observe again (the command lines it first processed and
 *   whether their author was a reviewer then, the form snapshot, merged certificates, issuance);
 * - derived fields (`stage`, `checklist`, `certification`, `hold`, `rejection`, command outcomes,
 *   `transitions`, `reissueRequested`) that `reduce` recomputes from the facts on every event.
 *   They are stored so that readers (the token Action, a person reading the JSON) need no config
 *   and no replay to know where the request stands.
 *
 * The record proves nothing by itself: readers verify its signature and subject
 * (`verifyRecordFile`) before they believe it.
 */

export const RECORD_SCHEMA_VERSION = 1 as const;

/** In process order; the two ends last: `ended` (access revoked after it was granted), `rejected`. */
export const STAGES = ["requested", "certification", "certificates", "tokens", "live", "ended", "rejected"] as const;
export type Stage = (typeof STAGES)[number];

export const COMMAND_NAMES = [
  "check",
  "uncheck",
  "approve-certification",
  "revoke-certification",
  "hold",
  "unhold",
  "reject",
  "reissue-tokens",
  "revoke-tokens",
  "revoke-access",
  "recertify",
  "keys-received",
  "status",
  "help",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Names older records may hold, and the name each one goes by now (read both, write the new one). */
export const LEGACY_COMMAND_NAMES: Readonly<Record<string, CommandName>> = { reissue: "reissue-tokens" };
const commandNameSchema = z.preprocess(
  (name) => (typeof name === "string" && Object.hasOwn(LEGACY_COMMAND_NAMES, name) ? LEGACY_COMMAND_NAMES[name] : name),
  z.enum(COMMAND_NAMES),
);

const isoTime = z.string().min(1);
const login = z.string().min(1).max(100);
const url = z.string().min(1).max(500);

/** Who did something, when, and the link to the comment (or run, or PR) that did it. */
export const stampSchema = z.object({ by: login, at: isoTime, url });
export type Stamp = z.infer<typeof stampSchema>;

/** The validated request as submitted with the issue form (free-text fields only by hash). */
export const requestSchema = z.object({
  /**
   * The OneRecord account id (src/request/account-id.ts), the tokens' `account` claim. Records
   * written before the form had that field hold the free text of "Organization and OneRecord
   * account" here: they stay readable, and the token workflow refuses them (account-not-an-id).
   */
  account: z.string(),
  contact: z.string(),
  devices: z.array(z.string()),
  certificateOption: z.union([z.literal(1), z.literal(2)]),
  /**
   * Option 2 only: the customer's delivery public key (src/delivery/delivery-jwk.ts), to which
   * each device key obtained on their behalf is encrypted. Absent with option 1.
   */
  deliveryKey: z
    .object({
      kty: z.literal("EC"),
      crv: z.enum(["P-256", "P-384", "P-521"]),
      x: z.string().max(200),
      y: z.string().max(200),
    })
    .strict()
    .optional(),
  networkPaths: z.array(z.string()),
  /** SHA-256 (hex) of the whole normalised form, free text included: what an approval refers to. */
  sha256: z.string(),
  /** SHA-256 (hex) of each field's normalised value, by form field id: what a tick reviewed. */
  fields: z.record(z.string(), z.string()).optional(),
});
export type RequestContent = z.infer<typeof requestSchema>;

export const formProblemSchema = z.object({ field: z.string(), message: z.string() });
export type FormProblem = z.infer<typeof formProblemSchema>;

/** The latest issue-body snapshot the app has seen. */
export const formSchema = z.object({
  /** The issue's `updated_at` in the payload that carried this body: the newest snapshot wins. */
  at: isoTime,
  bodySha256: z.string(),
  valid: z.boolean(),
  problems: z.array(formProblemSchema),
  /** False when the form was edited after certification was approved: the approved request stands. */
  applied: z.boolean(),
  /**
   * When this body version was written: GitHub's `lastEditedAt` of the issue body (GraphQL), or
   * the issue's creation when never edited. A command line written before it cannot have seen
   * it (records from before it was kept have none).
   */
  writtenAt: isoTime.optional(),
});
export type FormState = z.infer<typeof formSchema>;

export const outcomeSchema = z.enum(["accepted", "refused", "answered"]);
export type Outcome = z.infer<typeof outcomeSchema>;

/** One command line of one comment, as first seen, plus its (recomputed) outcome. */
export const commandRecordSchema = z.object({
  comment: z.number().int().positive(),
  /** Position of the line among the comment's command lines. */
  index: z.number().int().min(0),
  by: login,
  /** The author's GitHub user id (records before ids were kept have none): who they are. */
  byId: z.number().int().positive().optional(),
  /** The comment's `created_at`. */
  at: isoTime,
  name: commandNameSchema,
  args: z.string(),
  /** Whether the author was a reviewer when the app first processed the line (an I/O fact). */
  reviewer: z.boolean(),
  /** For approvals: the request (by hash) that was approved. Bound when first accepted. */
  requestSha256: z.string().optional(),
  /**
   * A tick or approval whose comment was written before the form version in effect when the app
   * first saw it (out-of-order delivery): it cannot have seen that version (an I/O fact).
   */
  beforeForm: z.boolean().optional(),
  /** For ticks: the hashes of the fields the item reviews, in the form when first accepted. */
  fieldsSha256: z.record(z.string(), z.string()).optional(),
  outcome: outcomeSchema,
  /**
   * Why a refused line did not run: a stable code (src/app/commands/refusals.ts). Records
   * written before the codes carried a `reason` text instead; it is dropped on reading, and
   * the code is recomputed on the next event like every outcome.
   */
  refusal: z.string().max(40).optional(),
});
export type CommandRecord = z.infer<typeof commandRecordSchema>;

/**
 * A comment the app saw and does not read again, other than through `commands`:
 * - `edited`: edited before the app first saw it, never executed, answered once;
 * - `pruned`: its command lines could never change the outcome (refused for good, or answered)
 *   and were dropped from `commands` to keep the record small; `lines` counts them;
 * - `no-command`: a comment without a command line, remembered so it is never parsed again;
 * - `rebuilt`: a comment that was there when the app had to rebuild the record (unreadable, or
 *   naming another repository's request): its commands are not replayed, since what they
 *   approved can no longer be known; reviewers give them again;
 * - `pruned-through`: a watermark, at most one: every comment up to `comment` was seen. Old
 *   `edited` and `pruned` entries fold into it (`lines` sums theirs), so spam cannot grow the list.
 */
export const ignoredCommentSchema = z.object({
  comment: z.number().int().positive(),
  by: login,
  reason: z.enum(["edited", "pruned", "rebuilt", "no-command", "pruned-through"]),
  lines: z.number().int().min(0).optional(),
});
export type IgnoredComment = z.infer<typeof ignoredCommentSchema>;

export const checklistEntrySchema = stampSchema.extend({
  item: z.string(),
  note: z.string().optional(),
  /** The reviewed fields' hashes when the tick was given (see `requestSchema.fields`). */
  fields: z.record(z.string(), z.string()).optional(),
});

/** A tick that no longer counts: a field it reviewed changed in the form since. */
export const voidedTickSchema = stampSchema.extend({ item: z.string(), changed: z.array(z.string()) });
export type VoidedTick = z.infer<typeof voidedTickSchema>;
export type ChecklistEntry = z.infer<typeof checklistEntrySchema>;

export const certificationSchema = stampSchema.extend({ note: z.string().optional(), requestSha256: z.string() });
export const holdSchema = stampSchema.extend({ reason: z.string() });
export const rejectionSchema = stampSchema.extend({ reason: z.string() });

export const pullRequestSchema = z.object({
  number: z.number().int().positive(),
  url,
  author: login.optional(),
  state: z.enum(["open", "closed", "merged"]),
  /** When the app last saw the PR change (opened/synchronized/closed/merged). */
  at: isoTime,
  mergedAt: isoTime.optional(),
  mergedCommit: z.string().optional(),
  mergedBy: login.optional(),
});
export type PullRequestRecord = z.infer<typeof pullRequestSchema>;

/** The certificate a device has on the default branch, as the app re-validated it at merge. */
export const certificateRecordSchema = z.object({
  device: z.string(),
  path: z.string(),
  /** SHA-256 of the leaf DER as "AB:CD:…" (null when the file held no readable certificate). */
  fingerprintSha256: z.string().nullable(),
  pr: z.number().int().positive(),
  mergedCommit: z.string(),
  mergedAt: isoTime,
  verdict: z.enum(["valid", "invalid"]),
  /** Finding codes and messages that made it invalid (empty when valid). */
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
  notAfter: isoTime.optional(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

/** One token issued by the token workflow. `x5tS256` is the RFC 8705 thumbprint it is bound to. */
export const issuanceRecordSchema = z.object({
  device: z.string(),
  jti: z.string(),
  x5tS256: z.string(),
  expiresAt: isoTime,
  runUrl: url,
  /** When the issuance took effect: its run completed (older records: when it was signed). */
  at: isoTime,
  /** When the token workflow signed it; what a reissue request is compared with. */
  issuedAt: isoTime.optional(),
  /** Who dispatched the run (its triggering actor); older records: the account that posted the report. */
  by: login.optional(),
  /** The issuance comment that holds this token's JWE (records before it was kept have none). */
  comment: z.number().int().positive().optional(),
  /** Its index in the request's token status list (`status.status_list.idx`); none before status lists. */
  statusIdx: z.number().int().nonnegative().optional(),
});
export type IssuanceRecord = z.infer<typeof issuanceRecordSchema>;

/**
 * One token revoked (issue 19): by `/revoke-tokens` (a reviewer or the requester) or
 * `/revoke-access` (a reviewer), who, when, why, and which token (`jti`, its device). Derived:
 * `reduce` recomputes it from the commands and the issued tokens. Published in the request's
 * token status list (docs/app.md, "Revocation").
 */
export const revocationSchema = stampSchema.extend({
  device: z.string(),
  jti: z.string(),
  /** The token's status list index, kept here so the list stays right after the token is pruned. */
  statusIdx: z.number().int().nonnegative().optional(),
  reason: z.string(),
  command: z.enum(["revoke-tokens", "revoke-access"]),
});
export type Revocation = z.infer<typeof revocationSchema>;

/** A reissue asked with `/reissue-tokens`, still pending (no token issued for the device since). */
export const reissueRequestSchema = stampSchema.extend({ device: z.string(), reason: z.string() });
export type ReissueRequest = z.infer<typeof reissueRequestSchema>;

/**
 * An issuance comment of the token workflow the app has judged (src/record/issuance-comment.ts):
 * accepted ones added their tokens to `issuance`; refused ones are kept so they are checked once.
 * `pending` ones name a run that has not completed yet: not accepted (no tokens count), judged
 * again on every event until the run has completed.
 */
export const issuanceCommentSchema = z.object({
  comment: z.number().int().positive(),
  /** 0 when the block did not even parse. */
  runId: z.number().int().min(0),
  part: z.number().int().min(0),
  accepted: z.boolean(),
  reason: z.string().optional(),
  /** The run has not completed: the tokens wait for its success. */
  pending: z.boolean().optional(),
  /** The run attempt and its link, as the comment names them (for people reading the status). */
  runAttempt: z.number().int().positive().optional(),
  runUrl: url.optional(),
  /** How many tokens the comment reports. */
  tokens: z.number().int().min(0).optional(),
  /** How many parts its run's report has (under the proof): a run with a part not yet read is read whole. */
  parts: z.number().int().positive().optional(),
});
export type IssuanceCommentRecord = z.infer<typeof issuanceCommentSchema>;

/**
 * The tokens of one run that completed after a `/reject`, `/hold` or `/revoke-certification`
 * took effect (derived by `reduce` from the history): they never count, whatever happens later.
 */
export const voidedRunSchema = z.object({
  runUrl: url,
  /** When the run completed: the issuance's effect time. */
  at: isoTime,
  tokens: z.number().int().min(0),
  blockedBy: stampSchema.extend({ kind: z.enum(["reject", "hold", "revoke", "not-approved", "ended"]) }),
});
export type VoidedRun = z.infer<typeof voidedRunSchema>;

export const transitionSchema = z.object({
  at: isoTime,
  from: z.enum(STAGES),
  to: z.enum(STAGES),
  by: login,
  url,
  why: z.string(),
});
export type Transition = z.infer<typeof transitionSchema>;

export const formLogEntrySchema = z.object({
  at: isoTime,
  bodySha256: z.string(),
  valid: z.boolean(),
  applied: z.boolean(),
  /**
   * What was wrong with an invalid version, as *What is missing* said it then (plain text, at most
   * three, each bounded): the audit trail keeps it after the form is fixed. Absent in records
   * written before it was kept.
   */
  problems: z.array(z.string().max(300)).max(3).optional(),
});
export type FormLogEntry = z.infer<typeof formLogEntrySchema>;

/**
 * Something that happened to the record itself, not to the request (docs/app.md, "Tampering"):
 * - `migrated`: the first ledger version, taken from a v1 record in the status comment `comment`;
 * - `tampered`: the ledger head (commit `commit`) did not verify (`code`, a RecordFailureCode or
 *   `not-by-app`); the app continued from the newest valid version (`restoredFrom`, or none);
 * - `deleted`: the ledger file was deleted at `commit`; restored likewise;
 * - `lost`: no valid version was left: the request was rebuilt from what can be observed again.
 */
export const integrityEventSchema = z.object({
  at: isoTime,
  kind: z.enum(["migrated", "tampered", "deleted", "lost"]),
  commit: z.string().max(64).optional(),
  code: z.string().max(40).optional(),
  restoredFrom: z.string().max(64).optional(),
  comment: z.number().int().positive().optional(),
});
export type IntegrityEvent = z.infer<typeof integrityEventSchema>;

/**
 * What the app could observe again when it rebuilt a lost record (issue 18): the issue's state
 * then, and — from the issue's timeline, which nobody with write access can edit — the newest
 * time the app closed the issue as not planned (a rejection). `incomplete`: the timeline was too
 * long to read whole, so nothing could be ruled out. `reduce` starts a rebuilt request from it:
 * rejected when the app had rejected it, on hold when the issue is closed and the app cannot tell.
 */
export const rebuiltSchema = z.object({
  at: isoTime,
  issueState: z.enum(["open", "closed"]),
  /** The issue had been closed before, by anyone, at some point (its timeline says so). */
  everClosed: z.literal(true).optional(),
  rejectedAt: isoTime.optional(),
  incomplete: z.literal(true).optional(),
});
export type RebuiltFacts = z.infer<typeof rebuiltSchema>;

export const recordSchema = z.object({
  version: z.literal(RECORD_SCHEMA_VERSION),
  repository: z.string(),
  issue: z.number().int().positive(),
  issueUrl: url,
  requester: login,
  /** The issue author's GitHub user id: the requester is compared by it (logins can be renamed). */
  requesterId: z.number().int().positive().optional(),
  /**
   * The GitHub account that commits this record to the ledger (the app's bot), under the
   * signature: a reader of the ledger (the token workflow, an auditor) accepts a head only when
   * this account made its commit and GitHub verified it, so a byte-identical copy of a genuine
   * version committed by anyone else is refused without configuring the app's name anywhere.
   * Absent in versions written before issue 18.
   */
  writer: login.optional(),
  /**
   * The git blob sha of the version this one replaces (null: the first version), under the
   * signature (issue 21): the versions of a request form a chain an auditor checks offline, so a
   * version dropped from the history, or from an export of it, is seen where it was dropped.
   * Absent in versions written before issue 21. Set when the version is signed, not by `reduce`.
   */
  previous: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable()
    .optional(),

  // derived
  stage: z.enum(STAGES),
  checklist: z.array(checklistEntrySchema),
  certification: certificationSchema.nullable(),
  hold: holdSchema.nullable(),
  rejection: rejectionSchema.nullable(),
  reissueRequested: z.array(reissueRequestSchema),
  /** `/recertify` reviews, oldest first (derived; absent: none). */
  reviews: z.array(stampSchema.extend({ note: z.string().optional() })).optional(),
  /**
   * The periodic access review as of this version (derived from the reviews, the time the request
   * went live and the configuration, at the time the version was written): when it is due, and
   * whether it is `current`, `due`, or past its grace (`suspended`: the tokens are suspended in
   * the status list).
   */
  review: z.object({ dueAt: isoTime, suspendAt: isoTime, state: z.enum(["current", "due", "suspended"]) }).optional(),
  /** Token workflow runs the app dispatched after a renewal was merged (facts): one per pull request. */
  dispatches: z.array(z.object({ pr: z.number().int().positive(), at: isoTime })).optional(),
  /** The review reminders posted (facts): one per due date. */
  reviewReminders: z.array(z.object({ due: isoTime, at: isoTime })).optional(),
  /** Tokens revoked, oldest first (derived; absent: none). */
  revocations: z.array(revocationSchema).optional(),
  /** `/revoke-access`: access ended for good (derived; stage `ended`; absent: not ended). */
  ended: rejectionSchema.nullable().optional(),
  voidedRuns: z.array(voidedRunSchema).default([]),
  voidedTicks: z.array(voidedTickSchema).default([]),
  /** When the app closed the rejected request again after someone reopened it (newest 20). */
  reclosed: z.array(z.object({ at: isoTime })).default([]),
  transitions: z.array(transitionSchema),

  // facts (request is the effective request: the approved one once certification is approved)
  request: requestSchema.nullable(),
  form: formSchema,
  formLog: z.array(formLogEntrySchema),
  commands: z.array(commandRecordSchema),
  ignored: z.array(ignoredCommentSchema),
  pullRequests: z.array(pullRequestSchema),
  certificates: z.array(certificateRecordSchema),
  issuance: z.array(issuanceRecordSchema),
  issuanceComments: z.array(issuanceCommentSchema).default([]),
  /**
   * Certificates OneRecord obtained on the customer's behalf (option 2, issue 20), as the app
   * accepted them from the obtain workflow's signed report (facts): which device, which
   * certificate (`x5tS256`), the ACME order, the SHA-256 of the key delivered (never the key),
   * the comment that carried it and the run. The obtain workflow orders no device listed here
   * whose certificate is not yet merged: no key is delivered twice for one device's renewal.
   */
  obtained: z
    .array(
      z.object({
        device: z.string(),
        x5tS256: z.string().max(64),
        orderUrl: z.string().max(500),
        keyJweSha256: z.string().max(64),
        comment: z.number().int().positive(),
        runId: z.number().int().positive(),
        at: isoTime,
      }),
    )
    .optional(),
  /**
   * The comments holding option 2's encrypted keys that the app removed (facts): after the
   * requester's `/keys-received` (`why: keys-received`, `by`), or `certificates.onBehalf.keyCommentDays`
   * after they were posted (`why: expired`).
   */
  keysRemoved: z
    .array(
      z.object({
        comment: z.number().int().positive(),
        at: isoTime,
        why: z.enum(["keys-received", "expired"]),
        by: z.string().optional(),
      }),
    )
    .optional(),
  /**
   * Token status list indexes (issue 19) the app allocated for devices waiting for a token and
   * not yet used by an issued token: the token workflow puts a device's index in its token.
   * `statusNext` is the next index to allocate: indexes only grow, never reused. Facts, carried
   * from version to version (absent: no status list configured yet).
   */
  statusIndexes: z.array(z.object({ device: z.string(), idx: z.number().int().nonnegative() })).optional(),
  statusNext: z.number().int().nonnegative().optional(),
  /** The status list last published for this request: its statuses' SHA-256 and when it was signed. */
  statusPublished: z.object({ sha256: z.string().max(64), at: isoTime }).optional(),
  /** Set when the record was rebuilt after it was lost: what its start was decided from. */
  rebuilt: rebuiltSchema.optional(),
  /** What happened to the record itself (newest 20): migration, tampering, loss. */
  integrity: z.array(integrityEventSchema).default([]),
  /** Renewal reminders sent (expiry watch, src/record/reminder.ts); facts, carried over; absent: none. */
  reminders: z.array(reminderSchema).optional(),
  /** The `next` the app last wrote for this request to the due-date index (src/record/due-index.ts); null: no entry. */
  dueIndexed: isoTime.nullable().optional(),
  /**
   * How far the app has read the issue's comments (issue 22), so an event reads only what changed:
   * `through` is the newest `updated_at` (GitHub's time) among the comments the observation behind
   * this version listed — each of them is accounted for in this version (its commands, `ignored`,
   * `issuanceComments`, `obtained`) — and `status` the app's status comment, by id. The next event
   * lists only the comments changed since `through` (src/app/comments-read.ts). Bookkeeping, not a
   * fact: no version is written for it alone. Absent (a record from before, or no comment yet):
   * every comment is listed.
   */
  commentsRead: z
    .object({
      through: isoTime,
      status: z.number().int().positive().optional(),
      /**
       * The oldest `updated_at` of the issuance reports this version holds as pending: the next
       * event lists from there, in one listing, rather than read each report by id.
       */
      pendingSince: isoTime.optional(),
    })
    .optional(),
});
export type AccessRecord = z.infer<typeof recordSchema>;
