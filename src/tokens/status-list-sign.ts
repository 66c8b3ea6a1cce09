import { SignJWT } from "jose";
import { OneRecordError } from "../errors.js";
import { isRecordAlgorithm, RECORD_ALGORITHMS } from "../record/record-keys.js";
import type { RecordSigner } from "../record/signature.js";
import { buildStatusList } from "./status-list-format.js";
import { statusUriProblem } from "./status-uri.js";

/**
 * The JWS `typ` of a Status List Token (draft-ietf-oauth-status-list §5.1; RFC 8725 §3.11
 * explicit typing): signed by the app's record key, it can never pass for a record version
 * (`onerecord-record+json`) nor for a device token (`JWT`), and neither can pass for it.
 */
export const STATUS_LIST_JWT_TYPE = "statuslist+jwt";

export interface StatusListInput {
  /** The list's URI: its `sub` (draft §5.1), the `uri` its tokens name (src/tokens/status-uri.ts). */
  uri: string;
  /** One status per index: 0 VALID, 1 INVALID (revoked), 2 SUSPENDED (draft §7.1). */
  statuses: ReadonlyArray<number> | Uint8Array;
  /** How long a verifier may cache the list before fetching it again (draft §5.1 `ttl`). */
  ttlSeconds: number;
  /** `exp` − `iat`: after `exp` the list must not be relied upon (draft §13.7). */
  lifetimeSeconds: number;
  now?: Date;
}

/**
 * Signs a Status List Token as a compact JWS (draft §5.1) with the protected header
 * `{ alg, kid, typ: "statuslist+jwt" }` and the claims `sub`, `iat`, `exp`, `ttl` and
 * `status_list` (2 bits per token). Throws `input-invalid` for a key that is no record key, a URI
 * outside the rule, or a ttl / lifetime that is not a whole positive number of seconds with
 * ttl ≤ lifetime (a cache never keeps a list past `exp`, so a longer ttl would only mislead).
 */
export async function signStatusList(input: StatusListInput, key: RecordSigner): Promise<string> {
  if (!isRecordAlgorithm(key.alg))
    throw invalid(`status lists are signed with the record key (${RECORD_ALGORITHMS.join(" or ")})`, "key");
  const uriProblem = statusUriProblem(input.uri);
  if (uriProblem) throw invalid(uriProblem, "uri");
  const { ttlSeconds, lifetimeSeconds } = input;
  if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 1)
    throw invalid("the lifetime must be a whole number of seconds, at least 1", "lifetimeSeconds");
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > lifetimeSeconds)
    throw invalid("the ttl must be a whole number of seconds from 1 to the lifetime", "ttlSeconds");
  const statusList = buildStatusList(input.statuses, 2);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ sub: input.uri, iat, exp: iat + lifetimeSeconds, ttl: ttlSeconds, status_list: statusList })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: STATUS_LIST_JWT_TYPE })
    .sign(key.privateKey);
}

function invalid(message: string, field: string): OneRecordError {
  return new OneRecordError("input-invalid", `status list: ${message}`, { field });
}
