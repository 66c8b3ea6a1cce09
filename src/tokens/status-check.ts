import { OneRecordError } from "../errors.js";
import type { DeviceClaims } from "./claims.js";
import type { StatusListCache, StatusListLookup } from "./status-list-cache.js";
import { fetchStatusListJwt, fetchVerifiedStatusList, type StatusListFetcher } from "./status-list-fetch.js";
import { STATUS_INVALID, STATUS_SUSPENDED, STATUS_VALID } from "./status-list-format.js";
import { type StatusListFailureCode, type VerifiedStatusList } from "./status-list-verify.js";
import { isStatusIndex, statusUriProblem } from "./status-uri.js";

/** Why a token that verified is refused for its status (draft-ietf-oauth-status-list §8.3). */
export type StatusFailureCode =
  | "bad-claims"
  | StatusListFailureCode
  | "status-list-unavailable"
  | "status-missing"
  | "token-revoked"
  | "token-suspended"
  | "token-status-unknown"
  | "status-index-out-of-range";

/**
 * Where the token's status list comes from: a list already verified (verifyStatusList), a cache
 * (createStatusListCache), or a function fetching the list's JWT by URI (then `statusListJwks`
 * is required; `true` uses the bounded default fetcher).
 */
export type StatusListSource = VerifiedStatusList | StatusListCache | StatusListFetcher | true;

export interface StatusOptions {
  statusList: StatusListSource;
  /** `records.jwks`, for lists fetched here (a verified list or a cache has checked its own). */
  statusListJwks?: unknown;
  /**
   * Tokens issued (`iat`) at or after this instant must carry a status claim; older ones,
   * issued before the status list existed, are judged on signature, binding and expiry alone.
   * Set it to the time the issuer was upgraded. Without it, a token without status is accepted.
   */
  statusRequiredAfter?: Date;
  now?: Date;
}

export type StatusCheck = { ok: true } | { ok: false; code: StatusFailureCode; reason: string };

/**
 * The status steps of draft §8.3 for a token whose signature, claims and binding verified: the
 * `status.status_list` claim (step 1), the list (steps 2–4), the status at `idx` (steps 5–7).
 */
export async function checkTokenStatus(claims: DeviceClaims, options: StatusOptions): Promise<StatusCheck> {
  const reference = statusReference(claims.status);
  if (reference === undefined) {
    const cutOff = options.statusRequiredAfter;
    if (cutOff && claims.iat * 1000 >= cutOff.getTime())
      return fail("status-missing", `the token was issued after ${cutOff.toISOString()} without a status claim`);
    return { ok: true };
  }
  if (typeof reference === "string") return fail("bad-claims", reference);
  const found = await resolveList(reference.uri, options);
  if (!found.ok) return found;
  const { list } = found;
  if (list.uri !== reference.uri) return fail("status-list-subject", "the status list is not the one the token names");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now >= list.exp) return fail("status-list-expired", "the status list has expired");
  const status = list.statusAt(reference.idx);
  if (status === null)
    return fail("status-index-out-of-range", `index ${reference.idx} is outside the list (${list.size} statuses)`);
  if (status === STATUS_VALID) return { ok: true };
  if (status === STATUS_INVALID) return fail("token-revoked", "the token is revoked (its status list says INVALID)");
  if (status === STATUS_SUSPENDED)
    return fail("token-suspended", "the token is suspended (its status list says SUSPENDED)");
  return fail("token-status-unknown", `the token's status is ${status}, which OneRecord does not define`);
}

/** The token's `{idx, uri}` (draft §6.2), undefined when it has none, or why it is unusable. */
function statusReference(status: unknown): { idx: number; uri: string } | string | undefined {
  if (status === undefined) return undefined;
  if (typeof status !== "object" || status === null) return "the token's status claim is not an object";
  const reference = (status as Record<string, unknown>).status_list;
  if (typeof reference !== "object" || reference === null) return "the token's status claim has no status_list object";
  const { idx, uri } = reference as Record<string, unknown>;
  if (!isStatusIndex(idx)) return "the token's status_list.idx is not a non-negative integer";
  const problem = statusUriProblem(uri);
  if (problem) return `the token's status_list.uri: ${problem}`;
  return { idx, uri: uri as string };
}

async function resolveList(uri: string, options: StatusOptions): Promise<StatusListLookup> {
  const source = options.statusList;
  if (typeof source === "object" && "statusAt" in source) return { ok: true, list: source };
  if (typeof source === "object" && "get" in source) return source.get(uri);
  if (options.statusListJwks === undefined)
    throw new OneRecordError("input-invalid", "statusListJwks (records.jwks) is required to verify fetched lists", {
      field: "statusListJwks",
    });
  const fetcher: StatusListFetcher = source === true ? (u) => fetchStatusListJwt(u) : source;
  return fetchVerifiedStatusList(fetcher, {
    jwks: options.statusListJwks,
    uri,
    ...(options.now ? { now: options.now } : {}),
  });
}

function fail(code: StatusFailureCode, reason: string): { ok: false; code: StatusFailureCode; reason: string } {
  return { ok: false, code, reason };
}
