import { createHash, type KeyObject } from "node:crypto";
import { CompactEncrypt, importJWK, type JWK } from "jose";
import type { DeliveryJwk } from "./delivery-jwk.js";

/**
 * A device's private key, encrypted to the customer's delivery public key (issue 20, option 2):
 * a compact JWE (RFC 7516) with ECDH-ES key agreement (RFC 7518 §4.6, direct: the agreed key is
 * the content key) and A256GCM, whose plaintext is the key as PKCS#8 PEM. The protected header
 * names the device and the certificate it belongs to (`x5t#S256`) and `cty` the content type, so
 * the customer's tool says which file it writes; the header is authenticated, the key is not in it.
 * The record keeps the JWE's SHA-256, never the JWE.
 */

export const DELIVERY_ALG = "ECDH-ES";
export const DELIVERY_ENC = "A256GCM";
export const DELIVERY_CTY = "application/pkcs8";

export interface DeviceKeyDelivery {
  jwe: string;
  sha256: string;
}

export async function encryptDeviceKey(
  privateKey: KeyObject,
  to: DeliveryJwk,
  about: { device: string; x5tS256: string; request: number },
): Promise<DeviceKeyDelivery> {
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const key = await importJWK(to as JWK, DELIVERY_ALG);
  const jwe = await new CompactEncrypt(new TextEncoder().encode(pem))
    .setProtectedHeader({
      alg: DELIVERY_ALG,
      enc: DELIVERY_ENC,
      cty: DELIVERY_CTY,
      "x5t#S256": about.x5tS256,
      device: about.device,
      request: about.request,
    })
    .encrypt(key);
  return { jwe, sha256: createHash("sha256").update(jwe).digest("hex") };
}
