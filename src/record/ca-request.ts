import * as z from "zod";
import { OneRecordError } from "../errors.js";
import { ledgerFileText } from "./ledger-file.js";
import { signTypedPayload, verifyTypedFile, type RecordFailureCode, type RecordSigner } from "./signature.js";

/**
 * The app's record of one *Add a certificate authority* request (issue 20, part 2;
 * ../shared/SPEC.md I): `ca-requests/<issue>.json` on the ledger branch, a flattened JWS signed
 * with the record key like `records/<issue>.json`, under its own `typ` (RFC 8725 §3.11) so a CA
 * request never passes for a production-access record nor the reverse.
 *
 * It keeps the facts the app cannot observe again: each `/approve-ca` and `/reject` line it
 * processed, whether its author was a reviewer then and which version of the form (content hash)
 * it was bound to, and the pull request the app opened. `stage` is derived from those by
 * src/app/ca-request/plan.ts on every event and stored for readers. The git history of the file
 * is the audit trail of the request.
 */
export const CA_REQUEST_JWS_TYPE = "onerecord-ca-request+json";
/** The first line of the app's status comment on a CA request. */
export const CA_STATUS_MARKER = "<!-- onerecord-access:ca-status -->";
export const CA_DECISION_COMMANDS = ["approve-ca", "reject"] as const;
export const CA_STAGES = ["submitted", "needs-changes", "approved", "added", "rejected", "already-approved"] as const;
export type CaStage = (typeof CA_STAGES)[number];
/**
 * Bounds what one record holds: accepted decisions are few (an approval, a rejection); refused
 * lines past MAX_REFUSALS are dropped oldest first and counted (`prunedRefusals`), so no number of
 * comments makes the record too large to sign.
 */
export const MAX_REFUSALS = 100;
const MAX_DECISIONS = 200;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const colonFingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

const isoTime = z.string().min(1).max(40);
const login = z.string().min(1).max(100);

export const caDecisionSchema = z.object({
  /** The comment the line was in (processed once: a redelivered or edited comment is not a new decision). */
  comment: z.number().int().positive(),
  command: z.enum(CA_DECISION_COMMANDS),
  by: login,
  byId: z.number().int().positive().optional(),
  at: isoTime,
  url: z.string().min(1).max(500),
  /** The note or reason given (person's text, cut to 500 characters; escaped wherever shown). */
  args: z.string().max(500),
  /** Whether the author was a reviewer when the app first saw the line. */
  reviewer: z.boolean(),
  /** The form content the line was decided against (null: the form was not valid then). */
  contentSha256: sha256Hex.nullable(),
  /** `accepted`, or the stable refusal code (src/app/ca-request/rules.ts). */
  outcome: z.string().min(1).max(40),
});
export type CaDecision = z.infer<typeof caDecisionSchema>;

export const caRequestRecordSchema = z.object({
  version: z.literal(1),
  kind: z.literal("ca-request"),
  repository: z.string().min(3).max(200),
  issue: z.number().int().positive(),
  requester: z.object({ login, id: z.number().int().positive().optional() }),
  /** When this version was signed. */
  at: isoTime,
  /** The form as last read valid: what an approval binds to (free text by hash only). */
  content: z
    .object({
      sha256: sha256Hex,
      name: z.string().min(1).max(120),
      fingerprintSha256: colonFingerprint,
      publishedAt: z.string().min(1).max(500),
    })
    .nullable(),
  decisions: z.array(caDecisionSchema).max(MAX_DECISIONS),
  /** The newest comment whose lines are decided: older comments are never read for commands again. */
  decidedThrough: z.number().int().min(0),
  /** Refused lines dropped from `decisions` (oldest first) past MAX_REFUSALS. */
  prunedRefusals: z.number().int().min(0),
  stage: z.enum(CA_STAGES),
  /** The pull request the app opened to add the root to `certificates.extraCAs`. */
  pull: z
    .object({
      number: z.number().int().positive(),
      branch: z.string().min(1).max(200),
      /** The content hash it carries (the approved version), and that version's root. */
      contentSha256: sha256Hex,
      fingerprintSha256: colonFingerprint,
      /** The commit the app made on the branch: a different head means someone else pushed to it. */
      commit: z.string().regex(/^[0-9a-f]{40}$/),
      /** A head other than `commit` the app saw on the pull request (pushed by someone else). */
      foreignHead: z
        .string()
        .regex(/^[0-9a-f]{40}$/)
        .nullable(),
      at: isoTime,
    })
    .nullable(),
  /** When the app first saw the pull request's root trusted by the configuration on the default branch. */
  addedAt: isoTime.nullable(),
  /** The app closed the issue (once: a person who reopens it is not overruled). */
  closedByApp: z.boolean(),
});
export type CaRequestRecord = z.infer<typeof caRequestRecordSchema>;

export type CaRequestVerification =
  { ok: true; record: CaRequestRecord } | { ok: false; code: RecordFailureCode | "foreign-record"; reason: string };

/** Where a CA request's record lives on the ledger branch. */
export function caRequestPath(issue: number): string {
  if (!Number.isSafeInteger(issue) || issue <= 0) throw new RangeError("an issue number is a positive integer");
  return `ca-requests/${issue}.json`;
}

/** The file's text: a flattened JWS like a ledger file (src/record/ledger-file.ts). */
export async function signCaRequest(record: CaRequestRecord, key: RecordSigner): Promise<string> {
  const checked = caRequestRecordSchema.safeParse(record);
  if (!checked.success) {
    const field = checked.error.issues[0]?.path.map(String).join(".") || "(root)";
    throw new OneRecordError("input-invalid", `the CA request record does not fit its schema at ${field}`, { field });
  }
  const payload = new TextEncoder().encode(JSON.stringify(checked.data));
  return ledgerFileText(await signTypedPayload(payload, key, CA_REQUEST_JWS_TYPE));
}

/**
 * Judges the file like a record (`verifyTypedFile`: bytes, header, key, signature, same stable
 * codes), then its payload and its subject (this repository and issue). Never throws for a bad file.
 */
export async function verifyCaRequest(
  text: unknown,
  jwks: unknown,
  expected: { repository: string; issue: number },
): Promise<CaRequestVerification> {
  const verified = await verifyTypedFile(text, jwks, CA_REQUEST_JWS_TYPE);
  if (!verified.ok) return verified;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(verified.payload));
  } catch {
    return { ok: false, code: "not-a-record", reason: "the signed CA request is not UTF-8 JSON" };
  }
  const parsed = caRequestRecordSchema.safeParse(value);
  if (!parsed.success)
    return { ok: false, code: "not-a-record", reason: "the signed CA request does not fit its schema" };
  if (
    parsed.data.repository.toLowerCase() !== expected.repository.toLowerCase() ||
    parsed.data.issue !== expected.issue
  )
    return { ok: false, code: "foreign-record", reason: "the CA request names another repository or issue" };
  return { ok: true, record: parsed.data };
}
