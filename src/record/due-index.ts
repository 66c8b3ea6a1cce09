import * as z from "zod";
import { OneRecordError } from "../errors.js";
import { ledgerFileText } from "./ledger-file.js";
import { signTypedPayload, verifyTypedFile, type RecordFailureCode, type RecordSigner } from "./signature.js";

/**
 * The due-date index (issue 19, expiry watch): `index/due.json` on the ledger branch, one entry
 * per request the expiry watch must look at again, with the instant it must (`next`: the earliest
 * reminder threshold not yet recorded for any of its live devices). The sweep reads this one file
 * and syncs only the requests whose `next` has come, so a sweep of 1,000 live requests costs one
 * read plus the due ones (docs/app.md, "Expiry watch").
 *
 * Signed with the record key like the records, under its own `typ`, so an index never passes for
 * a record nor a record for an index. It is derived from the records (each record says, in
 * `dueIndexed`, what the app last wrote here for it) and decides nothing by itself: a stale or
 * replayed index can only make the watch look at a request for nothing, or late.
 */
export const DUE_INDEX_PATH = "index/due.json";
export const DUE_INDEX_JWS_TYPE = "onerecord-due-index+json";
/** More requests than any repository of requests holds; bounds what one read costs. */
export const MAX_DUE_ENTRIES = 100_000;

export const dueEntrySchema = z.object({
  issue: z.number().int().positive(),
  /** When the request's next reminder falls due (ISO time). */
  next: z.string().min(1).max(40),
});
export type DueEntry = z.infer<typeof dueEntrySchema>;

export const dueIndexSchema = z.object({
  version: z.literal(1),
  repository: z.string(),
  /** When this version was signed. */
  at: z.string().min(1),
  /**
   * When the entries were last completed from every record on the ledger (a scan: after an
   * upgrade from before the index, or an index that did not verify); absent: never, and the next
   * sweep scans first (src/app/renewal/scan.ts).
   */
  scannedAt: z.string().min(1).max(40).optional(),
  entries: z.array(dueEntrySchema).max(MAX_DUE_ENTRIES),
});
export type DueIndex = z.infer<typeof dueIndexSchema>;

export type DueIndexVerification =
  { ok: true; index: DueIndex } | { ok: false; code: RecordFailureCode | "foreign-index"; reason: string };

/** The index with `issue`'s entry set to `next` (null: removed), entries in issue order. */
export function withDueEntry(index: DueIndex, issue: number, next: string | null, at: string): DueIndex {
  const entries = index.entries.filter((e) => e.issue !== issue);
  if (next !== null) entries.push({ issue, next });
  entries.sort((a, b) => a.issue - b.issue);
  return { ...index, at, entries };
}

export function emptyDueIndex(repository: string, at: string): DueIndex {
  return { version: 1, repository, at, entries: [] };
}

/** The entries whose reminder has come at `now`. */
export function dueEntries(index: DueIndex, now: string): DueEntry[] {
  const t = Date.parse(now);
  return index.entries.filter((e) => Date.parse(e.next) <= t);
}

/** The file's text: a flattened JWS like a ledger file (src/record/ledger-file.ts). */
export async function signDueIndex(index: DueIndex, key: RecordSigner): Promise<string> {
  const checked = dueIndexSchema.safeParse(index);
  if (!checked.success) throw new OneRecordError("input-invalid", "the due-date index does not fit its schema");
  const payload = new TextEncoder().encode(JSON.stringify(checked.data));
  return ledgerFileText(await signTypedPayload(payload, key, DUE_INDEX_JWS_TYPE));
}

/**
 * Judges the file like a record (`verifyTypedFile`, same stable codes), then its payload and its
 * repository. Never throws for a bad file.
 */
export async function verifyDueIndex(text: unknown, jwks: unknown, repository: string): Promise<DueIndexVerification> {
  const verified = await verifyTypedFile(text, jwks, DUE_INDEX_JWS_TYPE);
  if (!verified.ok) return verified;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(verified.payload));
  } catch {
    return { ok: false, code: "not-a-record", reason: "the signed index is not UTF-8 JSON" };
  }
  const parsed = dueIndexSchema.safeParse(value);
  if (!parsed.success) return { ok: false, code: "not-a-record", reason: "the signed index does not fit its schema" };
  if (parsed.data.repository.toLowerCase() !== repository.toLowerCase())
    return { ok: false, code: "foreign-index", reason: "the index names another repository" };
  return { ok: true, index: parsed.data };
}
