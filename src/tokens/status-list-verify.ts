import { decodeProtectedHeader } from "jose";
import {
  findRecordKey,
  judgeSignedHeader,
  parseRecordJwks,
  type RecordAlgorithm,
  type RecordPublicJwk,
  verifyWithRecordKey,
} from "../record/record-keys.js";
import { looksLikeCompactJws } from "./compact.js";
import { decodeStatusList, MAX_STATUS_LIST_BYTES, type StatusListBits } from "./status-list-format.js";
import { STATUS_LIST_JWT_TYPE } from "./status-list-sign.js";

/**
 * Why a Status List Token is refused, stable for callers and tests:
 * - `status-list-malformed`: not a compact JWS, too long, truncated, claims missing or mistyped,
 *   a `lst` that is not a ZLIB stream or inflates past MAX_STATUS_LIST_BYTES.
 * - `status-list-signature`: a header other than `{alg, kid, typ: "statuslist+jwt"}`, an
 *   algorithm other than ES256 / EdDSA, a key not in `records.jwks`, a signature that fails.
 * - `status-list-subject`: its `sub` is not the URI the token names (draft §8.3 step 4a).
 * - `status-list-expired`: outside its validity window (see `verifyStatusList`).
 */
export type StatusListFailureCode =
  "status-list-malformed" | "status-list-signature" | "status-list-subject" | "status-list-expired";

/** A list that verified: read statuses with `statusAt` (null past its end). */
export interface VerifiedStatusList {
  uri: string;
  /** Seconds since the epoch, as signed. */
  iat: number;
  exp: number;
  ttl: number;
  bits: StatusListBits;
  /** Number of statuses the list holds (the last byte's padding included, as the draft has it). */
  size: number;
  statusAt: (idx: number) => number | null;
}

export type StatusListVerification =
  { ok: true; list: VerifiedStatusList } | { ok: false; code: StatusListFailureCode; reason: string };

export interface VerifyStatusListOptions {
  /** `records.jwks`: the public keys of the app's record key (src/record/record-keys.ts). */
  jwks: unknown;
  /** The URI the token names in `status.status_list.uri`: the list's `sub` must equal it. */
  uri: string;
  now?: Date;
  /** Local freshness policy (draft §8.3 step 4b): refuse a list whose `iat` is older than this. */
  maxAgeSeconds?: number;
  /** Allowed clock skew for `iat` in the future and `exp`, in seconds (default 0). */
  clockToleranceSeconds?: number;
}

/** base64url of the largest list (MAX_STATUS_LIST_BYTES, incompressible) plus room for the rest. */
export const MAX_STATUS_LIST_JWT_LENGTH = 2 * MAX_STATUS_LIST_BYTES;

/**
 * Verifies a Status List Token (draft §8.3 step 3–4, RFC 7519 §7.2): its bytes, header, key,
 * signature, claims, subject and time, in that order, each failure with a stable code. Never
 * throws for a bad list; a broken `jwks` is the verifier's configuration problem and throws
 * (`input-invalid`, field `records.jwks`).
 *
 * Time: the list is *expired* (refused with `status-list-expired`) when now ≥ `exp` (the
 * issuer's bound, draft §13.7: "MUST NOT be relied upon any longer"), when its `iat` lies in the
 * future, or, with `maxAgeSeconds`, when now − `iat` > maxAgeSeconds. `ttl` alone never refuses
 * a list: it is relative to when a copy was fetched (draft §13.7) and governs caching only.
 */
export async function verifyStatusList(
  jwt: unknown,
  options: VerifyStatusListOptions,
): Promise<StatusListVerification> {
  const keys = parseRecordJwks(options.jwks);
  if (typeof jwt !== "string" || jwt.length > MAX_STATUS_LIST_JWT_LENGTH || !looksLikeCompactJws(jwt))
    return fail("status-list-malformed", "the status list is not a compact JWS within the size limit");
  const header = judgeHeader(jwt);
  if (!header.ok) return header;
  const found = findRecordKey(keys, header.kid, header.alg);
  if (!found.ok) return fail("status-list-signature", "the status list is signed with a key not in records.jwks");
  const verified = await verifySignature(jwt, found.jwk, header.alg);
  if (!verified.ok) return verified;
  return judgeClaims(verified.payload, options);
}

type Failure = { ok: false; code: StatusListFailureCode; reason: string };

function fail(code: StatusListFailureCode, reason: string): Failure {
  return { ok: false, code, reason };
}

function judgeHeader(jwt: string): { ok: true; alg: RecordAlgorithm; kid: string } | Failure {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    return fail("status-list-malformed", "the JWS protected header is not base64url JSON");
  }
  const judged = judgeSignedHeader(header, STATUS_LIST_JWT_TYPE);
  return judged.ok ? judged : fail("status-list-signature", judged.reason);
}

async function verifySignature(
  jwt: string,
  jwk: RecordPublicJwk,
  alg: RecordAlgorithm,
): Promise<{ ok: true; payload: Uint8Array } | Failure> {
  const verified = await verifyWithRecordKey(jwt, jwk, alg);
  if (verified.ok) return verified;
  const why = {
    "kid-mismatch": ["status-list-signature", "the kid in records.jwks is not the RFC 7638 thumbprint of its key"],
    unreadable: ["status-list-signature", `the key in records.jwks cannot be read as a ${alg} key`],
    "bad-signature": ["status-list-signature", "the status list's signature does not verify"],
    "not-jws": ["status-list-malformed", "the status list is not a JWS that can be verified"],
  } as const;
  const [code, reason] = why[verified.problem];
  return fail(code, reason);
}

function judgeClaims(payload: Uint8Array, options: VerifyStatusListOptions): StatusListVerification {
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload)) as Record<string, unknown>;
  } catch {
    return fail("status-list-malformed", "the signed payload is not UTF-8 JSON");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    return fail("status-list-malformed", "the signed payload is not a JSON object");
  const { sub, iat, exp, ttl } = claims;
  if (typeof sub !== "string") return fail("status-list-malformed", "the sub claim is missing");
  if (!isSeconds(iat) || !isSeconds(exp) || exp <= iat)
    return fail("status-list-malformed", "the iat and exp claims are not whole seconds with exp after iat");
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0)
    return fail("status-list-malformed", "the ttl claim is not a positive number");
  if (sub !== options.uri) return fail("status-list-subject", "the status list's sub is not the URI the token names");
  const late = timeProblem(iat, exp, options);
  if (late) return fail("status-list-expired", late);
  const decoded = decodeStatusList(claims.status_list);
  if (!decoded.ok) return fail("status-list-malformed", decoded.reason);
  const { bits, size, statusAt } = decoded.list;
  return { ok: true, list: { uri: sub, iat, exp, ttl, bits, size, statusAt } };
}

function timeProblem(iat: number, exp: number, options: VerifyStatusListOptions): string | null {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (now >= exp + tolerance) return `the status list expired at ${new Date(exp * 1000).toISOString()}`;
  if (iat > now + tolerance) return "the status list is issued in the future (check the clocks)";
  if (options.maxAgeSeconds !== undefined && now - iat > options.maxAgeSeconds)
    return `the status list was issued more than ${options.maxAgeSeconds} s ago`;
  return null;
}

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
