import { createHash } from "node:crypto";
import { MAX_LEDGER_FILE_BYTES, parseLedgerFile } from "./ledger-file.js";
import { parseRecordJwks, type RecordAlgorithm } from "./record-keys.js";
import { verifyRecordFile, type RecordFailureCode, type RecordSubject } from "./signature.js";
import type { AccessRecord } from "./schema.js";

/** One version of `records/<issue>.json` in the ledger branch's history. */
export interface LedgerVersion {
  commit: string;
  /** The file's text at that commit; null when the commit deleted it (or it was not read). */
  text: string | null;
  /** Not read: the newer versions used up the read's byte budget (MAX_HISTORY_BYTES). */
  unread?: true;
}

export type HistoryFailureCode = RecordFailureCode | "missing" | "replayed" | "unread";

export type VersionVerdict =
  | { commit: string; ok: true; kid: string; alg: RecordAlgorithm }
  | { commit: string; ok: false; code: HistoryFailureCode; reason: string };

export interface LedgerHistory {
  /** One verdict per version, in the order given (newest first). */
  versions: VersionVerdict[];
  /** Whether the newest version (the branch head's file) is valid. */
  headValid: boolean;
  /** The newest valid version: where the app continues from after tampering. */
  newestValid: { commit: string; record: AccessRecord; kid: string } | null;
}

/**
 * The auditor's replay of a ledger file's history: every version judged on its own by
 * `verifyRecordFile`, then in time order for **replays**. Someone who can push to the ledger
 * branch cannot sign, but can commit a copy of an older genuine version (a rollback past a
 * `/reject`, say); its signature verifies. The app never writes a version equal to an older one
 * except its direct predecessor, because a record only grows (its commands, form log and
 * transitions accumulate), so a valid version whose signed content (RFC 7515 §5.1 signing input,
 * `protected.payload`: compared as signed, so re-encoding or ECDSA's malleable `s` cannot
 * disguise a copy) equals a version older than the last valid one is `replayed`. A copy of the
 * last valid version (an edit reverted) is that same state and counts as valid.
 *
 * `versions` is newest first, as `GET /repos/{owner}/{repo}/commits?path=…` lists them; the
 * cost is one verification per version. Pure and never throws for a bad file; a broken `jwks`
 * throws (`input-invalid`, field `records.jwks`). What this cannot see: history rewritten by a
 * force push, which is why docs/app.md's ruleset forbids force pushes and deletions.
 */
export async function verifyLedgerHistory(
  versions: readonly LedgerVersion[],
  jwks: unknown,
  expected: RecordSubject,
): Promise<LedgerHistory> {
  const keys = parseRecordJwks(jwks);
  const verdicts: VersionVerdict[] = new Array<VersionVerdict>(versions.length);
  let newestValid: LedgerHistory["newestValid"] = null;
  const seen = new Set<string>();
  let last: string | null = null;
  for (let i = versions.length - 1; i >= 0; i--) {
    const { commit, text, unread } = versions[i]!;
    if (unread) {
      verdicts[i] = { commit, ok: false, code: "unread", reason: "not read: newer versions used up the read's budget" };
      continue;
    }
    if (text === null) {
      verdicts[i] = { commit, ok: false, code: "missing", reason: "the commit deleted the ledger file" };
      continue;
    }
    const verdict = await verifyRecordFile(text, keys, expected);
    if (!verdict.ok) {
      verdicts[i] = { commit, ok: false, code: verdict.code, reason: verdict.reason };
      continue;
    }
    const content = signedContent(text);
    if (content !== last && seen.has(content)) {
      verdicts[i] = { commit, ok: false, code: "replayed", reason: "the version is a copy of an older version" };
      continue;
    }
    seen.add(content);
    last = content;
    verdicts[i] = { commit, ok: true, kid: verdict.kid, alg: verdict.alg };
    // Oldest first: the last one accepted is the newest valid.
    newestValid = { commit, record: verdict.record, kid: verdict.kid };
  }
  return { versions: verdicts, headValid: verdicts[0]?.ok === true, newestValid };
}

/** SHA-256 of the JWS signing input of a file that verified (so it parses). */
export function signedContent(text: string): string {
  const parsed = parseLedgerFile(text);
  const input = parsed.ok ? `${parsed.file.protected}.${parsed.file.payload}` : text;
  return createHash("sha256").update(input).digest("base64url");
}

/** One version as the listing gives it, before any text is read: its commit, and the file's blob there (null: deleted). */
export interface ListedVersion {
  commit: string;
  blob: { oid: string; size: number } | null;
}

/**
 * The bytes of a record's signature: 64 for each record algorithm (ES256: R and S of 32 bytes,
 * RFC 7518 §3.4; EdDSA with Ed25519: RFC 8032 §5.1.6). Keyed by the algorithms so that a new one
 * cannot be added without saying its size here.
 */
const SIGNATURE_BYTES: Record<RecordAlgorithm, number> = { ES256: 64, EdDSA: 64 };
/** `{"protected":"","payload":"","signature":""}`: the JSON a flattened JWS cannot do without. */
const JWS_PUNCTUATION = '{"protected":"","payload":"","signature":""}'.length;

/**
 * The fewest bytes a ledger file can have when it verifies and its signed content is the same
 * as `text`'s (RFC 7515 §5.1 signing input, `protected.payload`, what `signedContent` compares),
 * or null when `text` is no flattened JWS. Such a file holds the same `protected` and `payload`
 * strings (base64url: one byte each in UTF-8, however escaped), a signature of at least the
 * base64url length of the shortest signature a record key makes (nothing shorter decodes to that
 * many bytes), and the JSON around them; whitespace and escapes only add. Pure.
 */
export function smallestCopyBytes(text: string): number | null {
  const parsed = parseLedgerFile(text);
  if (!parsed.ok) return null;
  const signature = Math.ceil((Math.min(...Object.values(SIGNATURE_BYTES)) * 8) / 6);
  return parsed.file.protected.length + parsed.file.payload.length + signature + JWS_PUNCTUATION;
}

/**
 * The versions of `listed` (newest first, the head first) that could be a copy of the head:
 * whose signed content could equal the head's and which could verify. Every other version is,
 * by its size alone, not such a copy: too small to hold the head's signed content with a
 * signature, deleted, or larger than any file that verifies (MAX_LEDGER_FILE_BYTES). Its blob
 * is the head's own (`headSha`): the same bytes, a copy for certain. Pure; the head itself is
 * not among them.
 */
export function replayCandidates(headText: string, headSha: string, listed: readonly ListedVersion[]): ListedVersion[] {
  const least = smallestCopyBytes(headText);
  if (least === null) return [...listed.slice(1)];
  return listed
    .slice(1)
    .filter(
      ({ blob }) =>
        blob !== null && (blob.oid === headSha || (blob.size >= least && blob.size <= MAX_LEDGER_FILE_BYTES)),
    );
}

/**
 * Whether the replay check on a partial read (the head, then only `replayCandidates`, every other
 * version `unread`) could judge the head otherwise than the read of every version: exactly when
 * an older version read verifies with the head's signed content. Otherwise the head's content is
 * no older valid version's, and `verifyLedgerHistory` accepts it (if it verifies) on either read;
 * when it is, whether it is the newest valid older version (an edit reverted, a restore) or
 * a replay depends on versions left unread, so every version must be read. Pure.
 */
export function copyAmongRead(versions: readonly LedgerVersion[], history: LedgerHistory): boolean {
  const head = versions[0]?.text;
  if (typeof head !== "string") return false;
  const content = signedContent(head);
  return history.versions.some((verdict, i) => i > 0 && verdict.ok && signedContent(versions[i]!.text!) === content);
}
