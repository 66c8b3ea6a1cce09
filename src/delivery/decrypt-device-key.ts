import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { compactDecrypt, decodeProtectedHeader } from "jose";
import { OneRecordError } from "../errors.js";
import { DELIVERY_ALG, DELIVERY_CTY, DELIVERY_ENC } from "./encrypt-device-key.js";

/**
 * The customer's side of a key delivery (`onerecord-access decrypt-key`): the JWE decrypted with
 * the delivery private key, checked to be a private key (PKCS#8 PEM), and, when the certificate
 * is given, to be the certificate's key. Messages never quote key material.
 */
export interface DecryptedDeviceKey {
  pem: string;
  device: string | null;
  x5tS256: string | null;
}

export async function decryptDeviceKey(
  jwe: string,
  deliveryKey: KeyObject,
  certificatePublicKey?: KeyObject,
): Promise<DecryptedDeviceKey> {
  const token = jwe.trim();
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalid("the input is not a compact JWE (five base64url parts separated by dots)");
  }
  if (header.alg !== DELIVERY_ALG || header.enc !== DELIVERY_ENC || header.cty !== DELIVERY_CTY)
    throw invalid(`this is not a OneRecord key delivery (${DELIVERY_ALG}, ${DELIVERY_ENC}, ${DELIVERY_CTY})`);
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(token, deliveryKey, {
      keyManagementAlgorithms: [DELIVERY_ALG],
      contentEncryptionAlgorithms: [DELIVERY_ENC],
    }));
  } catch {
    throw invalid("the delivery key does not open this JWE: it was encrypted to another delivery key, or altered");
  }
  const pem = new TextDecoder().decode(plaintext);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw invalid("the JWE holds no private key");
  }
  if (certificatePublicKey && !samePublicKey(createPublicKey(key), certificatePublicKey))
    throw invalid("the key delivered is not the key of the certificate given");
  return {
    // Re-exported: whatever else the plaintext held does not reach the key file.
    pem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    device: typeof header.device === "string" ? header.device : null,
    x5tS256: typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : null,
  };
}

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const der = (k: KeyObject) => k.export({ type: "spki", format: "der" });
  return der(a).equals(der(b));
}

function invalid(message: string): OneRecordError {
  return new OneRecordError("input-invalid", message, { field: "jwe" });
}
