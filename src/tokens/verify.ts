import { timingSafeEqual } from "node:crypto";
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";
import { isValidDeviceId } from "../request/device-id.js";
import { certificateDer, type CertificateInput } from "./certificate.js";
import type { DeviceClaims } from "./claims.js";
import { parseJwks } from "./jwks.js";
import { SIGNING_ALGORITHMS } from "./signing-key.js";
import { x5tS256 } from "./thumbprint.js";
import { looksLikeCompactJws } from "./compact.js";
import { checkTokenStatus, type StatusFailureCode, type StatusListSource } from "./status-check.js";

export type VerifyFailureCode =
  "no-certificate" | "bad-signature" | "bad-claims" | "thumbprint-mismatch" | "malformed" | StatusFailureCode;

export type VerifyResult = { ok: true; claims: DeviceClaims } | { ok: false; code: VerifyFailureCode; reason: string };

export interface VerifyOptions {
  /** The issuer's published key set (public keys only). */
  jwks: JSONWebKeySet;
  issuer: string;
  audience: string;
  /**
   * The client certificate of the TLS connection the token arrived on: DER, a Node
   * X509Certificate, or `tlsSocket.getPeerCertificate(true)` (which is `{}` when none was sent).
   */
  peerCertificate: CertificateInput | null | undefined;
  now?: Date;
  /** Allowed clock skew for exp/nbf, in seconds (default 0). */
  clockToleranceSeconds?: number;
  /**
   * Checks the token's status (draft-ietf-oauth-status-list §8.3) after everything else
   * verified: a verified list, a cache (createStatusListCache), or a function fetching the
   * list's JWT by URI (`true`: the bounded default fetcher). Without it, status is not checked.
   */
  statusList?: StatusListSource;
  /** `records.jwks`: required when `statusList` is a fetching function. */
  statusListJwks?: unknown;
  /**
   * With `statusList`: tokens issued at or after this instant must carry a status claim
   * (`status-missing`); older ones are judged without it. Set it to the issuer's upgrade time.
   */
  statusRequiredAfter?: Date;
}

const MAX_TOKEN_LENGTH = 8 * 1024;
const REQUIRED_CLAIMS = ["iss", "aud", "sub", "account", "iat", "nbf", "exp", "jti", "cnf"];

// createLocalJWKSet imports keys lazily and keeps them; reuse it for the same JWKS object.
const keySets = new WeakMap<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>();

/**
 * How the OneRecord API decides on a device token: the signature must verify under a key of the
 * published JWKS with an allowlisted algorithm, the claims must be current and meant for this
 * API, and `cnf["x5t#S256"]` must equal the thumbprint of the certificate the client presented in
 * the TLS handshake. Never throws for a bad token; the `code` is stable, the `reason` for logs.
 */
export async function verifyDeviceToken(token: string, options: VerifyOptions): Promise<VerifyResult> {
  const der = certificateDer(options.peerCertificate);
  if (!der)
    return fail(
      "no-certificate",
      "the client presented no TLS certificate; device tokens are only accepted over mutual TLS",
    );
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !looksLikeCompactJws(token)) {
    return fail("malformed", "the token is not a compact JWS (three base64url parts separated by dots)");
  }

  // A broken JWKS is the verifier's configuration problem, not the token's: it throws.
  const keys = keySet(options.jwks);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...SIGNING_ALGORITHMS],
      typ: "JWT",
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: options.clockToleranceSeconds ?? 0,
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (error) {
    return classify(error);
  }

  const shape = claimsProblem(payload);
  if (shape) return fail("bad-claims", shape);
  const claims = payload as DeviceClaims;
  const presented = Buffer.from(x5tS256(der));
  const bound = Buffer.from(claims.cnf["x5t#S256"]);
  if (presented.length !== bound.length || !timingSafeEqual(presented, bound)) {
    return fail(
      "thumbprint-mismatch",
      `the token is bound to another certificate (cnf x5t#S256 ${claims.cnf["x5t#S256"]}, presented ${presented.toString()})`,
    );
  }
  // Draft §8.3: the token's own checks come first; its status is looked up only when they pass.
  if (options.statusList === undefined) return { ok: true, claims };
  const status = await checkTokenStatus(claims, {
    statusList: options.statusList,
    statusListJwks: options.statusListJwks,
    ...(options.statusRequiredAfter ? { statusRequiredAfter: options.statusRequiredAfter } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return status.ok ? { ok: true, claims } : status;
}

function keySet(jwks: JSONWebKeySet): ReturnType<typeof createLocalJWKSet> {
  let set = keySets.get(jwks);
  if (!set) {
    set = createLocalJWKSet(parseJwks(jwks));
    keySets.set(jwks, set);
  }
  return set;
}

function classify(error: unknown): VerifyResult {
  if (error instanceof errors.JWTExpired) return fail("bad-claims", "the token has expired");
  if (error instanceof errors.JWTClaimValidationFailed)
    return fail("bad-claims", `claim check failed: ${error.message}`);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return fail(
      "bad-signature",
      `the token's algorithm is not accepted; OneRecord signs with ${SIGNING_ALGORITHMS.join(", ")}`,
    );
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return fail("bad-signature", "the signature does not verify");
  if (error instanceof errors.JWKSNoMatchingKey)
    return fail("bad-signature", "no key of the published JWKS matches the token's kid and algorithm");
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return fail("bad-signature", "several JWKS keys match the token and none verifies it");
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return fail("malformed", `the token is malformed (${error.code})`);
  }
  // jose reports keys it cannot use with the header's algorithm as TypeErrors.
  return fail("bad-signature", "the token could not be verified with the published keys");
}

function claimsProblem(payload: JWTPayload): string | undefined {
  if (typeof payload.sub !== "string" || !isValidDeviceId(payload.sub)) return "the sub claim is not a device id";
  if (typeof payload.account !== "string" || payload.account.length === 0) return "the account claim is missing";
  if (typeof payload.jti !== "string" || payload.jti.length === 0) return "the jti claim is missing";
  const cnf = payload.cnf as Record<string, unknown> | undefined;
  if (typeof cnf !== "object" || cnf === null || typeof cnf["x5t#S256"] !== "string")
    return 'the cnf claim has no "x5t#S256" certificate thumbprint';
  return undefined;
}

function fail(code: VerifyFailureCode, reason: string): VerifyResult {
  return { ok: false, code, reason };
}
