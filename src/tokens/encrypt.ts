import type { KeyObject } from "node:crypto";
import { CompactEncrypt } from "jose";
import { deliverableKey, DELIVERABLE_KEYS_TEXT } from "../certificates/deliverable-key.js";
import { OneRecordError } from "../errors.js";
import type { DeviceCertificate } from "./certificate.js";

export const CONTENT_ENCRYPTION = "A256GCM";
export const KEY_MANAGEMENT_ALGORITHMS = ["RSA-OAEP-256", "ECDH-ES+A256KW"] as const;
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number];

/**
 * The JWE key management for a device's public key: RSA-OAEP-256 for RSA, ECDH-ES+A256KW for the
 * NIST curves. Which keys qualify is defined once, with the certificate judge
 * (src/certificates/deliverable-key.ts); anything else is refused rather than delivered some
 * weaker way.
 */
export function keyManagementFor(publicKey: KeyObject): KeyManagementAlgorithm {
  const verdict = deliverableKey(publicKey);
  if (verdict.ok) return verdict.algorithm;
  throw refuse(verdict.why);
}

/**
 * Encrypts a signed token to the device certificate's public key, so only the holder of the
 * device's private key can read it. `cty: "JWT"` marks the nested token (RFC 7519 §5.2);
 * `x5t#S256` tells the customer which device key opens it.
 */
export async function encryptForDevice(
  jwt: string,
  certificate: Pick<DeviceCertificate, "publicKey" | "x5tS256">,
): Promise<string> {
  const alg = keyManagementFor(certificate.publicKey);
  return new CompactEncrypt(new TextEncoder().encode(jwt))
    .setProtectedHeader({ alg, enc: CONTENT_ENCRYPTION, cty: "JWT", "x5t#S256": certificate.x5tS256 })
    .encrypt(certificate.publicKey);
}

function refuse(what: string): OneRecordError {
  return new OneRecordError("input-invalid", `the device certificate has ${what}; ${DELIVERABLE_KEYS_TEXT}`, {
    field: "certificate",
  });
}
