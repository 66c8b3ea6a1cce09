import type { KeyObject } from "node:crypto";

/**
 * The one definition of a device key a token can be delivered to, shared by the certificate
 * judge (`undeliverable-key`) and the token code (which encrypts the token to that key as a JWE):
 * RSA of 2048 to 16384 bits (RSA-OAEP-256, RFC 7518 §4.3) or EC on P-256, P-384 or P-521
 * (ECDH-ES+A256KW, RFC 7518 §4.6). Anything else — Ed25519/Ed448 (no JWE key agreement for
 * signature keys), RSA-PSS-only keys (RFC 4055 bars them from encryption), other curves — would
 * pass the handshake yet leave the request stuck at token issuance, so it is refused up front.
 */
export const DELIVERABLE_RSA_BITS = { min: 2048, max: 16384 } as const;
export const DELIVERABLE_EC_CURVES: ReadonlySet<string> = new Set(["prime256v1", "secp384r1", "secp521r1"]);

export type DeliverableKey = { ok: true; algorithm: "RSA-OAEP-256" | "ECDH-ES+A256KW" } | { ok: false; why: string };

/** What the definition looks at: the key's type, RSA modulus length and EC curve (Node's names). */
export interface KeyShape {
  type: string | undefined;
  bits: number | undefined;
  curve: string | undefined;
}

export function deliverableKey(publicKey: KeyObject): DeliverableKey {
  const details = publicKey.asymmetricKeyDetails ?? {};
  return deliverableShape({
    type: publicKey.asymmetricKeyType,
    bits: details.modulusLength,
    curve: details.namedCurve,
  });
}

/** The judge's entry: the shape it already read from the certificate (inspect.ts `key`). */
export function deliverableShape(key: KeyShape): DeliverableKey {
  const type = key.type;
  if (type === "rsa") {
    const bits = key.bits ?? 0;
    if (bits >= DELIVERABLE_RSA_BITS.min && bits <= DELIVERABLE_RSA_BITS.max)
      return { ok: true, algorithm: "RSA-OAEP-256" };
    return { ok: false, why: `an RSA ${bits || "?"}-bit key` };
  }
  if (type === "ec") {
    if (DELIVERABLE_EC_CURVES.has(key.curve ?? "")) return { ok: true, algorithm: "ECDH-ES+A256KW" };
    return { ok: false, why: `an EC key on curve ${key.curve ?? "unknown"}` };
  }
  return { ok: false, why: `a key of type ${type ?? "unknown"}` };
}

/** The sentence both the judge and the token code end a refusal with. */
export const DELIVERABLE_KEYS_TEXT = `tokens can be encrypted only to RSA (${DELIVERABLE_RSA_BITS.min} to ${DELIVERABLE_RSA_BITS.max} bits) or EC P-256/P-384/P-521 keys`;
