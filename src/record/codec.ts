/** node:zlib when first needed, not at every start of the CLI (it loads node:stream with it). */
const zlib = (): typeof import("node:zlib") => process.getBuiltinModule("node:zlib");
import { OneRecordError } from "../errors.js";
import { recordSchema, type AccessRecord } from "./schema.js";
import { thumbprintFromFingerprint } from "./tokens.js";

/** First line of the app's status comment; with the author check it identifies that comment. */
export const STATUS_MARKER = "<!-- onerecord-access:status -->";
const RECORD_OPEN = "<!-- onerecord-access:record v1 ";
const RECORD_CLOSE = " -->";

/** GitHub refuses comments of 65,536 characters or more. */
export const COMMENT_LIMIT = 65_536;
/** Decompressed records larger than this are refused (a record is tens of kilobytes at most). */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export type RecordEncoding = "json" | "deflate";

/**
 * The hidden block that carried the record inside the status comment before the ledger: read
 * now only to migrate it once (src/app/ledger/), and written by tests that build such comments.
 * Plain JSON while it is
 * small, so a person can read it with "view source"; raw-deflate + base64 for large requests
 * (500 devices with certificates and tokens), where JSON alone would break the comment limit.
 * `<`, `>` and `&` are written as JSON escapes so the block can never close the HTML comment.
 */
export function writeRecord(record: AccessRecord, encoding: RecordEncoding = "json"): string {
  const checked = recordSchema.parse(record);
  if (encoding === "deflate") {
    const json = JSON.stringify(compact(checked));
    return `${RECORD_OPEN}deflate:${zlib().deflateRawSync(Buffer.from(json, "utf8"), { level: 9 }).toString("base64")}${RECORD_CLOSE}`;
  }
  const json = JSON.stringify(checked);
  const safe = json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${RECORD_OPEN}json:${safe}${RECORD_CLOSE}`;
}

/** Whether a comment body carries a v1 record block at all (readable or not). */
export function holdsRecordBlock(commentBody: string): boolean {
  return commentBody.includes(RECORD_OPEN);
}

/**
 * Reads the record from a comment body: null when the body carries none, an `input-invalid`
 * error when it carries one that does not parse or fit the schema (a hand-edited comment).
 * Callers must check separately that the comment was written by the app.
 */
export function readRecord(commentBody: string): AccessRecord | null {
  const start = commentBody.indexOf(RECORD_OPEN);
  if (start < 0) return null;
  const end = commentBody.indexOf(RECORD_CLOSE, start + RECORD_OPEN.length);
  if (end < 0) throw new OneRecordError("input-invalid", "the record block is not closed");
  const payload = commentBody.slice(start + RECORD_OPEN.length, end);
  let json: string;
  if (payload.startsWith("json:")) {
    json = payload.slice(5);
  } else if (payload.startsWith("deflate:")) {
    try {
      json = zlib()
        .inflateRawSync(Buffer.from(payload.slice(8), "base64"), { maxOutputLength: MAX_RECORD_BYTES })
        .toString("utf8");
    } catch (error) {
      throw new OneRecordError("input-invalid", "the record block does not decompress", { cause: error });
    }
    json = JSON.stringify(expand(parseJson(json)));
  } else {
    throw new OneRecordError("input-invalid", "the record block has an unknown encoding");
  }
  const parsed = recordSchema.safeParse(parseJson(json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".") || "(root)";
    throw new OneRecordError("input-invalid", `the record does not fit its schema at ${field}: ${issue.message}`, {
      field,
    });
  }
  return parsed.data;
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new OneRecordError("input-invalid", "the record block is not JSON", { cause: error });
  }
}

/*
 * The compressed form also drops what it can derive, because 500 devices' fingerprints, token
 * thumbprints and ids are random bytes no compressor shrinks: fingerprints lose their colons and
 * a token's `x5tS256` that is the thumbprint of a recorded certificate of its device becomes a
 * reference ("#<index>") to that certificate. `expand` restores the exact record.
 */
function compact(record: AccessRecord): unknown {
  const index = new Map<string, number>();
  record.certificates.forEach((c, i) => {
    if (c.fingerprintSha256) index.set(`${c.device}\u0000${thumbprintFromFingerprint(c.fingerprintSha256)}`, i);
  });
  const devices = new Map((record.request?.devices ?? []).map((d, i) => [d, i]));
  const issuance: unknown[] = [];
  let group: StandInGroup | null = null;
  for (const t of record.issuance) {
    const device = devices.get(t.device);
    const certificate = t.x5tS256 === "" ? -1 : index.get(`${t.device}\u0000${t.x5tS256}`);
    if (t.jti !== "" || device === undefined || certificate === undefined) {
      group = null;
      issuance.push(certificate === undefined || certificate < 0 ? t : { ...t, x5tS256: `#${certificate}` });
      continue;
    }
    const run = {
      at: t.at,
      runUrl: t.runUrl,
      expiresAt: t.expiresAt,
      ...(t.by === undefined ? {} : { by: t.by }),
      ...(t.issuedAt === undefined ? {} : { issuedAt: t.issuedAt }),
    };
    if (!group || JSON.stringify(group.run) !== JSON.stringify(run)) {
      group = { run, d: [] };
      issuance.push(group);
    }
    const last = group.d.at(-1);
    if (
      last &&
      device === last[0] + last[2] + 1 &&
      (last[1] < 0 ? certificate < 0 : certificate === last[1] + last[2] + 1)
    )
      last[2]++;
    else group.d.push([device, certificate, 0]);
  }
  return {
    ...record,
    certificates: record.certificates.map((c) => ({
      ...c,
      fingerprintSha256: c.fingerprintSha256?.replace(/:/g, "") ?? null,
    })),
    issuance,
  };
}

/**
 * Consecutive stand-in tokens of one run (empty `jti`, see `pruneIssuance` in the app) as
 * segments `[device, certificate, n]`: n + 1 tokens for devices `device…device+n` of the request,
 * bound to certificates `certificate…certificate+n` of the record (-1: no recorded certificate,
 * `x5tS256` empty). A round of tokens for every device is one segment.
 */
interface StandInGroup {
  run: { at: string; runUrl: string; expiresAt: string; by?: string; issuedAt?: string };
  d: Array<[number, number, number]>;
}

function isStandInGroup(value: unknown): value is StandInGroup {
  if (!value || typeof value !== "object" || !("d" in value) || !("run" in value)) return false;
  const { d, run } = value;
  return (
    !!run &&
    typeof run === "object" &&
    Array.isArray(d) &&
    d.every(
      (s) =>
        Array.isArray(s) &&
        s.length === 3 &&
        s.every((n) => Number.isSafeInteger(n)) &&
        s[0] >= 0 &&
        s[2] >= 0 &&
        s[2] < 100_000,
    )
  );
}

function expand(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const record = value as {
    certificates?: Array<{ fingerprintSha256?: unknown }>;
    issuance?: Array<{ x5tS256?: unknown }>;
  };
  const certificates = (record.certificates ?? []).map((c) =>
    typeof c.fingerprintSha256 === "string" && /^[0-9A-F]{64}$/.test(c.fingerprintSha256)
      ? { ...c, fingerprintSha256: c.fingerprintSha256.match(/../g)!.join(":") }
      : c,
  );
  const devices = (value as { request?: { devices?: unknown } | null }).request?.devices;
  const thumbprint = (i: number): string | undefined => {
    const fingerprint = certificates[i]?.fingerprintSha256;
    return typeof fingerprint === "string" ? thumbprintFromFingerprint(fingerprint) : undefined;
  };
  const issuance = (record.issuance ?? []).flatMap((t): unknown[] => {
    if (isStandInGroup(t)) {
      const out: unknown[] = [];
      for (const [device, certificate, n] of t.d) {
        for (let k = 0; k <= n; k++) {
          const name: unknown = Array.isArray(devices) ? devices[device + k] : undefined;
          const x5tS256 = certificate < 0 ? "" : thumbprint(certificate + k);
          if (typeof name !== "string" || x5tS256 === undefined)
            throw new OneRecordError("input-invalid", "the record names a token of an unknown device or certificate");
          out.push({ device: name, jti: "", x5tS256, ...t.run });
        }
      }
      return out;
    }
    const ref = typeof t.x5tS256 === "string" ? /^#(\d+)$/.exec(t.x5tS256) : null;
    const x5tS256 = ref ? thumbprint(Number(ref[1])) : undefined;
    return [ref && x5tS256 !== undefined ? { ...t, x5tS256 } : t];
  });
  return { ...value, certificates, issuance };
}

/** A comment the app wrote, as the REST API returns it (only the fields the check needs). */
export interface AuthoredComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
}

/**
 * The app's status comment among an issue's comments: it carries the marker AND was written by
 * the app's bot account. Anyone can paste the marker; only the app can author as its bot. When
 * two instances raced and both created one, the oldest (lowest id) is the status comment.
 */
export function findStatusComment<C extends AuthoredComment>(comments: readonly C[], botLogin: string): C | undefined {
  let found: C | undefined;
  for (const c of comments) {
    if (!isStatusBody(c, botLogin)) continue;
    if (!found || c.id < found.id) found = c;
  }
  return found;
}

/**
 * The app's status comment: by the app, and *opening* with the marker. A reply of the app that
 * quotes a command holding the marker starts with a mention, so it is never taken for one.
 */
export function isStatusBody(comment: AuthoredComment, botLogin: string): boolean {
  return isAuthoredBy(comment, botLogin) && (comment.body ?? "").trimStart().startsWith(STATUS_MARKER);
}

export function isAuthoredBy(comment: AuthoredComment, botLogin: string): boolean {
  return (
    comment.user !== null &&
    comment.user.login.toLowerCase() === botLogin.toLowerCase() &&
    (comment.user.type ?? "Bot") === "Bot"
  );
}
