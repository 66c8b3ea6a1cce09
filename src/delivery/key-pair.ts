import { generateKeyPairSync } from "node:crypto";
import { exportJWK } from "jose";
import type { DeliveryJwk } from "./delivery-jwk.js";

/**
 * A delivery key pair, made on the customer's machine (`onerecord-access delivery-key`): an EC
 * P-256 key; the private key as PKCS#8 PEM for the file only the customer holds, the public key
 * as the JWK to paste into the form.
 */
export async function makeDeliveryKeyPair(): Promise<{ privatePem: string; publicJwk: DeliveryJwk }> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = await exportJWK(publicKey);
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicJwk: { kty: "EC", crv: "P-256", x: jwk.x!, y: jwk.y! },
  };
}
