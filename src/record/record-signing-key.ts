import { OneRecordError } from "../errors.js";
import { loadSigningKey, type SigningKey } from "../tokens/signing-key.js";
import { isRecordAlgorithm, RECORD_ALGORITHMS, type RecordAlgorithm } from "./record-keys.js";

/** The app's record key: only ES256 or EdDSA (see RECORD_ALGORITHMS). */
export interface RecordSigningKey extends SigningKey {
  alg: RecordAlgorithm;
}

const FIELD = "RECORD_SIGNING_KEY";

/**
 * Loads the app's record signing key from the `RECORD_SIGNING_KEY` secret: PEM (PKCS#8, SEC1) or
 * a private JWK, read by `loadSigningKey` (src/tokens/signing-key.ts), so the kid is the RFC 7638
 * thumbprint of the public key and the private key is non-extractable. `jwks` is what goes into
 * `records.jwks`: public members only.
 *
 * Refused with `input-invalid` (field RECORD_SIGNING_KEY): anything `loadSigningKey` refuses, and
 * RSA keys. Messages describe the problem and never quote the secret; no error carries a cause.
 */
export async function loadRecordSigningKey(secret: string): Promise<RecordSigningKey> {
  let key: SigningKey;
  try {
    key = await loadSigningKey(secret);
  } catch (error) {
    // loadSigningKey's messages are written never to quote the secret; anything else is dropped.
    const message = error instanceof OneRecordError ? error.message : "the record signing key secret could not be read";
    throw new OneRecordError("input-invalid", `RECORD_SIGNING_KEY: ${message}`, { field: FIELD });
  }
  if (!isRecordAlgorithm(key.alg))
    throw new OneRecordError(
      "input-invalid",
      `RECORD_SIGNING_KEY: a ${key.alg} key cannot sign records; use an EC P-256 (ES256) or Ed25519 (EdDSA) key (${RECORD_ALGORITHMS.join(", ")})`,
      { field: FIELD },
    );
  return key as RecordSigningKey;
}
