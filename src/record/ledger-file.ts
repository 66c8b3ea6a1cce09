/**
 * One ledger file, `records/<issue>.json` on the ledger branch: a JWS in the flattened JSON
 * serialization (RFC 7515 §7.2.2), exactly
 *
 *   { "protected": "<base64url header>", "payload": "<base64url record JSON>", "signature": "…" }
 *
 * so a person opening the file sees at once that it is a signed object, and `git log -p` of the
 * file is the audit trail. No unprotected `header` member: everything that steers verification
 * is under the signature.
 */
export interface LedgerFile {
  protected: string;
  payload: string;
  signature: string;
}

/** The largest record JSON the app signs: the same bound as the status comment's codec. */
export const MAX_RECORD_JSON_BYTES = 4 * 1024 * 1024;
/**
 * The largest ledger file read (bytes of UTF-8): the largest record base64url-encoded (4/3 of
 * it) plus room for the header, signature and JSON punctuation. Anything larger is refused
 * before it is parsed, so a hostile file costs bounded time and memory. (GitHub's contents API
 * returns files above 1 MB only with the `raw` media type: the reader must ask for it.)
 */
export const MAX_LEDGER_FILE_BYTES = Math.ceil((MAX_RECORD_JSON_BYTES * 4) / 3) + 16 * 1024;

/**
 * The most bytes of ledger-file versions one reader fetches from a file's history in one go (the
 * app's recovery, the token workflow's replay check): about four records of the largest size.
 * Versions past it are not read (`unread`): someone who pads the history with huge versions
 * costs each event a bounded read, and at worst hides older versions, as padding past the
 * number of versions read already does (docs/app.md, "What this does not protect against").
 */
export const MAX_HISTORY_BYTES = 4 * MAX_LEDGER_FILE_BYTES;

const MEMBERS = ["payload", "protected", "signature"] as const;
/** The nesting of a flattened JWS: one object whose members are strings. */
const MAX_NESTING = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Where a request's signed token status list is published on the ledger branch (issue 19). */
export function statusListPath(issue: number): string {
  if (!Number.isSafeInteger(issue) || issue <= 0) throw new RangeError("an issue number is a positive integer");
  return `status/${issue}.jwt`;
}

/** Where a request's record lives on the ledger branch. */
export function ledgerFilePath(issue: number): string {
  if (!Number.isSafeInteger(issue) || issue <= 0) throw new RangeError("an issue number is a positive integer");
  return `records/${issue}.json`;
}

/** The file's text: the JWS object, indented for people, with a final newline. */
export function ledgerFileText(file: LedgerFile): string {
  return `${JSON.stringify({ protected: file.protected, payload: file.payload, signature: file.signature }, null, 2)}\n`;
}

export type LedgerFileProblem = { code: "too-large" | "not-json" | "not-jws"; reason: string };

/**
 * The first stages of reading a file, before any cryptography: bounded size, JSON, and the
 * flattened JWS shape with nothing else in it. Never throws.
 */
export function parseLedgerFile(text: unknown): { ok: true; file: LedgerFile } | ({ ok: false } & LedgerFileProblem) {
  if (typeof text !== "string") return { ok: false, code: "not-json", reason: "the ledger file is not text" };
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap length check comes first.
  if (text.length > MAX_LEDGER_FILE_BYTES || Buffer.byteLength(text, "utf8") > MAX_LEDGER_FILE_BYTES)
    return { ok: false, code: "too-large", reason: `the ledger file is larger than ${MAX_LEDGER_FILE_BYTES} bytes` };
  // A flattened JWS is one object of strings: nesting deeper than that is refused by a linear
  // scan before JSON.parse builds anything (5 MB of `[[[[…]]]]` costs a parser seconds and
  // gigabytes; this scan, one pass of the text).
  if (nestingDepth(text, MAX_NESTING) > MAX_NESTING)
    return { ok: false, code: "not-jws", reason: "the ledger file nests deeper than a flattened JWS" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "not-json", reason: "the ledger file is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, code: "not-jws", reason: "the ledger file is not a JSON object" };
  const keys = Object.keys(value).sort();
  if (keys.length !== MEMBERS.length || keys.some((k, i) => k !== MEMBERS[i]))
    return {
      ok: false,
      code: "not-jws",
      reason: "the ledger file is not a flattened JWS with exactly protected, payload and signature",
    };
  const members = value as Record<string, unknown>;
  if (!MEMBERS.every((m) => typeof members[m] === "string" && BASE64URL.test(members[m])))
    return { ok: false, code: "not-jws", reason: "a member of the JWS is not base64url text" };
  return { ok: true, file: value as LedgerFile };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * How deep `[` and `{` nest in JSON text, brackets inside strings not counted; the scan stops as
 * soon as it passes `limit`. Linear in the text, no allocation; malformed JSON is left to
 * JSON.parse, which runs only on text that passed.
 */
export function nestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPENERS.has(c)) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (CLOSERS.has(c)) depth--;
  }
  return deepest;
}
