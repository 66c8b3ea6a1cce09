import type { KeyObject } from "node:crypto";
import { CompactEncrypt } from "jose";
import { OneRecordError } from "../errors.js";
import type { DeviceCertificate } from "./certificate.js";

export const CONTENT_ENCRYPTION = "A256GCM";
export const KEY_MANAGEMENT_ALGORITHMS = ["RSA-OAEP-256", "ECDH-ES+A256KW"] as const;
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number];

const EC_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/**
 * The JWE key management for a device's public key: RSA-OAEP-256 for RSA, ECDH-ES+A256KW for the
 * NIST curves. Anything else (Ed25519, RSA-PSS-only keys, other curves) cannot receive a JWE
 * under these algorithms, so it is refused rather than delivered some weaker way.
 */
export function keyManagementFor(publicKey: KeyObject): KeyManagementAlgorithm {
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === "rsa") {
    if ((details.modulusLength ?? 0) < 2048)
      throw refuse(`an RSA ${details.modulusLength ?? "?"}-bit key (at least 2048 bits are needed)`);
    return "RSA-OAEP-256";
  }
  if (type === "ec") {
    if (EC_CURVES.has(details.namedCurve ?? "")) return "ECDH-ES+A256KW";
    throw refuse(`an EC key on curve ${details.namedCurve ?? "unknown"}`);
  }
  throw refuse(`a key of type ${type ?? "unknown"}`);
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
  return new OneRecordError(
    "input-invalid",
    `the device certificate has ${what}; tokens can be encrypted only to RSA (2048 bits or more) or EC P-256/P-384/P-521 keys`,
    { field: "certificate" },
  );
}
