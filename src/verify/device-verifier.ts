import type { JSONWebKeySet } from "jose";
import type { DeviceClaims } from "../tokens/claims.js";
import type { PeerCertificateLike } from "../tokens/certificate.js";
import { parseJwks } from "../tokens/jwks.js";
import { createStatusListCache, type StatusListCacheOptions } from "../tokens/status-list-cache.js";
import type { StatusListFetcher } from "../tokens/status-list-fetch.js";
import { verifyDeviceToken, type VerifyFailureCode } from "../tokens/verify.js";
import { bearerToken } from "./bearer.js";

export interface DeviceVerifierOptions {
  /** `tokens.jwks`: the public keys of the token signing key. */
  tokensJwks: unknown;
  /** `records.jwks`: the public keys of the app's record key, which signs the status lists. */
  recordsJwks: unknown;
  issuer: string;
  audience: string;
  /** Tokens issued at or after this instant must carry a status claim (set it to the upgrade time). */
  statusRequiredAfter?: Date;
  /** Fetches a status list's JWT by URI (default: bounded GET with a timeout). */
  fetch?: StatusListFetcher;
  now?: () => Date;
  clockToleranceSeconds?: number;
  /** Cache bounds: entries, response size, shortest refetch interval, oldest list accepted. */
  cache?: Pick<StatusListCacheOptions, "maxEntries" | "maxBytes" | "minTtlSeconds" | "maxAgeSeconds">;
}

/**
 * What `verifyRequest` reads of a request: node:https's IncomingMessage is one (and Express's
 * request; Fastify's `request.raw`). The socket is a TLSSocket on an https server; any other
 * socket has no peer certificate and the request is refused with `no-certificate`.
 */
export interface RequestLike {
  headers: { authorization?: string | string[] | undefined };
  socket: object;
}

export type RequestFailureCode = VerifyFailureCode | "no-token";

export type RequestVerdict =
  { ok: true; claims: DeviceClaims } | { ok: false; code: RequestFailureCode; status: 401 | 403 | 503; reason: string };

/** What `middleware()` writes to: node:http's ServerResponse and Express's response are. */
export interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export type Middleware = (req: RequestLike, res: ResponseLike, next: (error?: unknown) => void) => void;

export interface DeviceVerifier {
  verifyRequest(req: RequestLike): Promise<RequestVerdict>;
  middleware(): Middleware;
  /** The claims of a request the middleware accepted. */
  claimsOf(req: RequestLike): DeviceClaims | undefined;
}

/**
 * The OneRecord API's one call (docs/tokens.md "Revocation: the token status list"): a device
 * token from the `Authorization: Bearer` header, the client certificate from the TLS socket, the
 * token's status from its list (fetched, verified and cached per its ttl). Refusals: 401 for the
 * token or certificate (RFC 6750 §3.1 `invalid_token`, revoked included), 403 for a suspended
 * token (valid, but its access is withheld until recertified), 503 when the status list cannot be
 * had or trusted (`status-list-*`: the API cannot judge now; the token may be fine).
 * Configuration errors (a broken JWKS) throw here, once.
 */
export function createDeviceVerifier(options: DeviceVerifierOptions): DeviceVerifier {
  const jwks: JSONWebKeySet = parseJwks(options.tokensJwks);
  const now = options.now;
  const cache = createStatusListCache({
    ...options.cache,
    jwks: options.recordsJwks,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(now ? { now } : {}),
  });
  const accepted = new WeakMap<object, DeviceClaims>();

  async function verifyRequest(req: RequestLike): Promise<RequestVerdict> {
    const token = bearerToken(req.headers.authorization);
    if (token === null) return { ok: false, code: "no-token", status: 401, reason: "no Authorization: Bearer token" };
    const result = await verifyDeviceToken(token, {
      jwks,
      issuer: options.issuer,
      audience: options.audience,
      peerCertificate: peerCertificate(req.socket),
      statusList: cache,
      ...(options.statusRequiredAfter ? { statusRequiredAfter: options.statusRequiredAfter } : {}),
      ...(now ? { now: now() } : {}),
      ...(options.clockToleranceSeconds ? { clockToleranceSeconds: options.clockToleranceSeconds } : {}),
    });
    if (result.ok) return result;
    return { ok: false, code: result.code, status: httpStatus(result.code), reason: result.reason };
  }

  function middleware(): Middleware {
    return (req, res, next) => {
      verifyRequest(req).then((verdict) => {
        if (verdict.ok) {
          accepted.set(req, verdict.claims);
          next();
        } else refuse(res, verdict);
      }, next);
    };
  }

  return { verifyRequest, middleware, claimsOf: (req) => accepted.get(req) };
}

/** `tlsSocket.getPeerCertificate(true)`: `{}` when the client sent no certificate (Node's way). */
function peerCertificate(socket: object): PeerCertificateLike | null {
  const get = (socket as { getPeerCertificate?: unknown }).getPeerCertificate;
  return typeof get === "function" ? (get.call(socket, true) as PeerCertificateLike | null) : null;
}

export function httpStatus(code: RequestFailureCode): 401 | 403 | 503 {
  if (code === "token-suspended") return 403;
  if (code.startsWith("status-list-")) return 503;
  return 401;
}

/** The refusal: status, a stable code, and for 401 the RFC 6750 §3 challenge. Never the reason. */
function refuse(res: ResponseLike, verdict: Extract<RequestVerdict, { ok: false }>): void {
  res.statusCode = verdict.status;
  res.setHeader("content-type", "application/json");
  res.setHeader("cache-control", "no-store");
  if (verdict.status === 401) res.setHeader("www-authenticate", 'Bearer error="invalid_token"');
  res.end(JSON.stringify({ error: verdict.code }));
}
