import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { SigningAlgorithm } from "../../src/tokens/index.js";

/** Issuer signing keys made at test time, as the secret text an environment would hold. */
export interface SigningSecret {
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  pem: string;
  jwk: string;
}

export function signingSecret(alg: SigningAlgorithm): SigningSecret {
  const { privateKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "RS256"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ed25519");
  return {
    alg,
    privateKey,
    pem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    jwk: JSON.stringify(privateKey.export({ format: "jwk" })),
  };
}
