import {
  calculateJwkThumbprint,
  compactVerify,
  errors,
  flattenedVerify,
  importJWK,
  type FlattenedJWSInput,
} from "jose";
import { OneRecordError } from "../errors.js";
import { parseJwks } from "../tokens/jwks.js";

/**
 * The algorithms a record may be signed with (RFC 7518 §3.4 ES256, RFC 8037 §3.1 EdDSA with
 * Ed25519). RS256 is deliberately not among them, although device tokens may use it: the record
 * key is the app's own and new, so there is no legacy to carry, and both of these are small,
 * fast and have no padding modes to get wrong. Everything else (`none`, HS256, RS256, PS256, …)
 * is refused on signing, on loading the key and on verification.
 */
export const RECORD_ALGORITHMS = ["ES256", "EdDSA"] as const;
export type RecordAlgorithm = (typeof RECORD_ALGORITHMS)[number];

export function isRecordAlgorithm(value: unknown): value is RecordAlgorithm {
  return typeof value === "string" && (RECORD_ALGORITHMS as readonly string[]).includes(value);
}

/** The one key type each algorithm verifies with (RFC 7518 §6.2, RFC 8037 §2). */
const KEY_TYPE: Record<RecordAlgorithm, { kty: string; crv: string; members: readonly string[] }> = {
  ES256: { kty: "EC", crv: "P-256", members: ["x", "y"] },
  EdDSA: { kty: "OKP", crv: "Ed25519", members: ["x"] },
};

/** An RFC 7638 SHA-256 thumbprint, base64url without padding: 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** A public record key as published in `records.jwks`. */
export interface RecordPublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg?: RecordAlgorithm;
  use?: "sig";
  [member: string]: unknown;
}

export interface RecordJwks {
  keys: RecordPublicJwk[];
}

/** The algorithm a published key verifies, or null when it is no record key. */
export function algorithmOfKey(jwk: Record<string, unknown>): RecordAlgorithm | null {
  for (const alg of RECORD_ALGORITHMS) {
    const type = KEY_TYPE[alg];
    if (jwk.kty === type.kty && jwk.crv === type.crv) return alg;
  }
  return null;
}

/**
 * Why one published key cannot be a record key, or null when it can: EC P-256 or OKP Ed25519
 * with its public coordinates, a `kid` shaped as an RFC 7638 thumbprint (verification checks it
 * is the key's thumbprint), an `alg` (when present) matching the key type, `use` (when present)
 * `sig`. Pure and synchronous, so the configuration schema checks `records.jwks` with it.
 */
export function recordKeyProblem(jwk: Record<string, unknown>): string | null {
  const alg = algorithmOfKey(jwk);
  if (!alg) return "is not an EC P-256 (ES256) or OKP Ed25519 (EdDSA) public key";
  const missing = KEY_TYPE[alg].members.filter((m) => typeof jwk[m] !== "string");
  if (missing.length > 0) return `has no ${missing.join(", ")}`;
  if (typeof jwk.kid !== "string" || !THUMBPRINT.test(jwk.kid))
    return "has no kid, or a kid that is not an RFC 7638 SHA-256 thumbprint (43 base64url characters)";
  if (jwk.alg !== undefined && jwk.alg !== alg)
    return `says alg ${typeof jwk.alg === "string" ? jwk.alg.slice(0, 20) : "(not text)"} but is a ${alg} key`;
  if (jwk.use !== undefined && jwk.use !== "sig") return 'has a use other than "sig"';
  return null;
}

/** Problems of a whole key set: each key's, then duplicate kids (a kid must name one key). */
export function recordJwksProblems(keys: ReadonlyArray<Record<string, unknown>>): Array<[number, string]> {
  const problems: Array<[number, string]> = [];
  const seen = new Set<unknown>();
  keys.forEach((key, index) => {
    const problem = recordKeyProblem(key);
    if (problem) problems.push([index, problem]);
    else if (seen.has(key.kid)) problems.push([index, "has the same kid as an earlier key"]);
    seen.add(key.kid);
  });
  return problems;
}

/**
 * Checks `records.jwks` before verification trusts it: public members only (src/tokens/jwks.ts),
 * and every key a record key. A broken set is the verifier's configuration problem, not the
 * ledger file's: it throws (the configuration schema refuses such a set first).
 */
export function parseRecordJwks(value: unknown): RecordJwks {
  let keys: Array<Record<string, unknown>>;
  try {
    keys = parseJwks(value).keys;
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : "the JWKS is not valid");
  }
  const [problem] = recordJwksProblems(keys);
  if (problem) throw invalid(`key ${problem[0] + 1} ${problem[1]}`);
  return { keys: keys as RecordPublicJwk[] };
}

/**
 * The key a record names (RFC 7515 §4.1.4 `kid`), and whether it may verify `alg`: a key of
 * another type (an Ed25519 key named by an ES256 header, or the reverse) is never tried.
 */
export function findRecordKey(
  jwks: RecordJwks,
  kid: string,
  alg: RecordAlgorithm,
): { ok: true; jwk: RecordPublicJwk } | { ok: false; code: "unknown-key" | "key-mismatch" } {
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return { ok: false, code: "unknown-key" };
  return algorithmOfKey(jwk) === alg ? { ok: true, jwk } : { ok: false, code: "key-mismatch" };
}

function invalid(message: string): OneRecordError {
  return new OneRecordError("input-invalid", `records.jwks: ${message}`, { field: "records.jwks" });
}

/**
 * A key of `records.jwks`, imported to verify with `alg` — only when its `kid` is the RFC 7638
 * thumbprint of the key (§3: then the kid names the key unambiguously). What every signed object
 * of the app (records, token status lists, the due-date index) is verified with. Never throws.
 */
type ImportedRecordKey =
  { ok: true; key: Awaited<ReturnType<typeof importJWK>> } | { ok: false; why: "kid-mismatch" | "unreadable" };

/**
 * Imported public keys, by what they are made of: an audit verifies thousands of versions under
 * one or two keys, and the thumbprint and import are most of one verification's cost. Public
 * material only; bounded.
 */
const IMPORTED = new Map<string, Promise<ImportedRecordKey>>();
const IMPORTED_MAX = 64;

export function importRecordKey(jwk: RecordPublicJwk, alg: RecordAlgorithm): Promise<ImportedRecordKey> {
  const id = `${alg} ${JSON.stringify(Object.entries(jwk).sort(([a], [b]) => a.localeCompare(b)))}`;
  let imported = IMPORTED.get(id);
  if (!imported) {
    if (IMPORTED.size >= IMPORTED_MAX) IMPORTED.delete(IMPORTED.keys().next().value!);
    imported = importUncached(jwk, alg);
    IMPORTED.set(id, imported);
  }
  return imported;
}

async function importUncached(jwk: RecordPublicJwk, alg: RecordAlgorithm): Promise<ImportedRecordKey> {
  const { kid: _kid, alg: _alg, use: _use, ...members } = jwk;
  if ((await calculateJwkThumbprint(members, "sha256")) !== jwk.kid) return { ok: false, why: "kid-mismatch" };
  try {
    return { ok: true, key: await importJWK({ ...members, alg }, alg) };
  } catch {
    return { ok: false, why: "unreadable" };
  }
}

/**
 * A JWS the app signed with a key of `records.jwks`, verified with that key (compact, or the
 * flattened JSON of a ledger file): the payload, or what went wrong — the key (`kid-mismatch`,
 * `unreadable`), the signature (`bad-signature`), or the JWS itself (`not-jws`). Each caller maps
 * the problem to its own stable code. Never throws.
 */
export async function verifyWithRecordKey(
  jws: string | FlattenedJWSInput,
  jwk: RecordPublicJwk,
  alg: RecordAlgorithm,
): Promise<
  | { ok: true; payload: Uint8Array }
  | { ok: false; problem: "kid-mismatch" | "unreadable" | "bad-signature" | "not-jws" }
> {
  const imported = await importRecordKey(jwk, alg);
  if (!imported.ok) return { ok: false, problem: imported.why };
  try {
    const { payload } =
      typeof jws === "string"
        ? await compactVerify(jws, imported.key, { algorithms: [alg] })
        : await flattenedVerify(jws, imported.key, { algorithms: [alg] });
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, problem: error instanceof errors.JWSSignatureVerificationFailed ? "bad-signature" : "not-jws" };
  }
}

/** The protected header members every signed object of the app carries, and no others (RFC 7515 §4.1). */
const SIGNED_HEADER_MEMBERS: readonly string[] = ["alg", "kid", "typ"];

/**
 * The protected header of a JWS the app signed with its record key (a record, a token status
 * list): exactly `alg`, `kid`, `typ`, this `typ`, a record algorithm and a kid. Each caller maps
 * the problem to its own stable code. Pure.
 */
export function judgeSignedHeader(
  header: Record<string, unknown>,
  typ: string,
):
  | { ok: true; alg: RecordAlgorithm; kid: string }
  | { ok: false; problem: "members" | "wrong-type" | "bad-algorithm" | "no-kid"; reason: string } {
  if (Object.keys(header).some((m) => !SIGNED_HEADER_MEMBERS.includes(m)))
    return { ok: false, problem: "members", reason: "the protected header has members other than alg, kid and typ" };
  if (header.typ !== typ) return { ok: false, problem: "wrong-type", reason: `the JWS typ is not ${typ}` };
  if (!isRecordAlgorithm(header.alg))
    return { ok: false, problem: "bad-algorithm", reason: `the JWS alg is not one of ${RECORD_ALGORITHMS.join(", ")}` };
  if (typeof header.kid !== "string" || header.kid.length === 0)
    return { ok: false, problem: "no-kid", reason: "the protected header has no kid" };
  return { ok: true, alg: header.alg, kid: header.kid };
}
