import { ACCOUNT_ID_RULE, isValidAccountId } from "../request/account-id.js";
import { isValidDeviceId } from "../request/device-id.js";
import { OneRecordError } from "../errors.js";
import { isStatusIndex, statusUriProblem } from "./status-uri.js";

/**
 * The claims of a device token. `cnf["x5t#S256"]` (RFC 8705 §3.1) binds the token to one device
 * certificate: an API accepts it only from a TLS client that presented exactly that certificate,
 * which needs the certificate's private key.
 */
export interface DeviceClaims {
  iss: string;
  aud: string;
  /** The device id from the request. */
  sub: string;
  /** The id of the customer's OneRecord account the device belongs to (src/request/account-id.ts). */
  account: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  cnf: { "x5t#S256": string };
  /**
   * Where the token's status is published (draft-ietf-oauth-status-list §6.2): index `idx` of
   * the Status List Token at `uri`. Absent from tokens issued before the status list existed.
   */
  status?: { status_list: StatusListReference };
  [claim: string]: unknown;
}

/** A token's place in a status list: `idx` a non-negative safe integer, `uri` by statusUriProblem. */
export interface StatusListReference {
  idx: number;
  uri: string;
}

export interface ClaimsInput {
  issuer: string;
  audience: string;
  device: string;
  account: string;
  /** The certificate the token is bound to: its thumbprint and validity. */
  certificate: { x5tS256: string; notBefore: Date; notAfter: Date };
  lifetimeDays: number;
  now: Date;
  /** A fresh unique id; injected so the function stays pure and tests are deterministic. */
  jti: string;
  /** The token's status list entry, allocated by the app in the signed record; optional. */
  status?: StatusListReference;
}

const DAY_SECONDS = 24 * 60 * 60;
const X5T_S256 = /^[A-Za-z0-9_-]{43}$/;

/**
 * Builds the claims, or refuses with a reason. `exp` is the configured lifetime but never later
 * than the certificate's notAfter: a token must not outlive the only certificate that can use it.
 */
export function buildDeviceClaims(input: ClaimsInput): DeviceClaims {
  const { issuer, audience, device, account, certificate, lifetimeDays, now, jti } = input;
  if (!isValidDeviceId(device)) refuse(`"${device.slice(0, 64)}" is not a valid device id`, "device");
  if (account.trim().length === 0) refuse("the account is empty", "account");
  // An id by rule, so the claim an API compares byte for byte never holds prose or hidden characters.
  if (!isValidAccountId(account)) refuse(`the account is not an account id (${ACCOUNT_ID_RULE})`, "account");
  if (issuer.length === 0) refuse("the issuer is empty", "tokens.issuer");
  if (audience.length === 0) refuse("the audience is empty", "tokens.audience");
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1)
    refuse("the token lifetime must be a whole number of days, at least 1", "tokens.lifetimeDays");
  if (!X5T_S256.test(certificate.x5tS256))
    refuse("the certificate thumbprint is not a base64url SHA-256 digest", "certificate");
  if (jti.length === 0) refuse("the token id (jti) is empty", "jti");
  if (input.status !== undefined) statusProblem(input.status);

  const iat = Math.floor(now.getTime() / 1000);
  const notBefore = Math.floor(certificate.notBefore.getTime() / 1000);
  const notAfter = Math.floor(certificate.notAfter.getTime() / 1000);
  if (notBefore > iat)
    refuse(`the certificate of ${device} is not valid before ${certificate.notBefore.toISOString()}`, "certificate");
  if (notAfter <= iat)
    refuse(`the certificate of ${device} expired at ${certificate.notAfter.toISOString()}`, "certificate");

  return {
    iss: issuer,
    aud: audience,
    sub: device,
    account,
    iat,
    nbf: iat,
    exp: Math.min(iat + lifetimeDays * DAY_SECONDS, notAfter),
    jti,
    cnf: { "x5t#S256": certificate.x5tS256 },
    ...(input.status ? { status: { status_list: { idx: input.status.idx, uri: input.status.uri } } } : {}),
  };
}

function statusProblem(status: StatusListReference): void {
  if (!isStatusIndex(status.idx)) refuse("the status list index is not a non-negative safe integer", "status.idx");
  const problem = statusUriProblem(status.uri);
  if (problem) refuse(problem, "status.uri");
}

function refuse(message: string, field: string): never {
  throw new OneRecordError("input-invalid", message, { field });
}
