import { isDeepStrictEqual } from "node:util";
import {
  CompactSign,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  type CryptoKey,
  type JSONWebKeySet,
} from "jose";
import { parseJwks } from "../tokens/jwks.js";
import { SIGNING_ALGORITHMS } from "../tokens/signing-key.js";

/**
 * The proof a protected workflow puts in the block it posts (src/record/hidden-block.ts): a JWS
 * (RFC 7515), under a `typ` of its own per kind, over the block's claims, signed with the token
 * signing key that only the protected environment holds and verified with the published JWKS.
 */

export type ProofResult = { ok: true } | { ok: false; reason: string };

export async function signBlockProof(
  claims: Record<string, unknown>,
  key: { alg: string; kid: string; privateKey: CryptoKey },
  typ: string,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
    .sign(key.privateKey);
}

/**
 * Checks `proof` signs exactly `claims`. Never throws for a bad proof; a broken JWKS is the
 * caller's configuration problem and throws.
 */
export async function verifyBlockProof(
  proof: string | undefined,
  claims: Record<string, unknown>,
  jwks: JSONWebKeySet,
  typ: string,
  what: string,
): Promise<ProofResult> {
  const keys = createLocalJWKSet(parseJwks(jwks));
  if (!proof) return { ok: false, reason: `the ${what} carries no proof` };
  try {
    if (decodeProtectedHeader(proof).typ !== typ) return { ok: false, reason: `the proof's typ is not ${typ}` };
    const { payload } = await compactVerify(proof, keys, { algorithms: [...SIGNING_ALGORITHMS] });
    const signed: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (!isDeepStrictEqual(signed, claims))
      return { ok: false, reason: `the proof was signed for other content than the ${what} holds` };
    return { ok: true };
  } catch {
    return { ok: false, reason: "the proof does not verify with the published keys" };
  }
}
