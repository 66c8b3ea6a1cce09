import { ledgerFileText, signRecord, type AccessRecord } from "../../../src/record/index.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../../src/record/record-signing-key.js";
import { signingSecret } from "../../helpers/pki.js";

/**
 * The signed ledger as the token workflow reads it: record keys generated at test time (never a
 * committed key), files signed exactly as the app signs them, and the configuration lines that
 * publish the public key set.
 */
export const LEDGER_BRANCH = "onerecord-access/records";

/** A fresh record key (ES256 by default): the app's RECORD_SIGNING_KEY stand-in. */
export async function recordKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<RecordSigningKey> {
  return loadRecordSigningKey(signingSecret(alg).pem);
}

/** `records/<issue>.json` as the app writes it: the record signed, as indented flattened JWS text. */
export async function ledgerText(record: AccessRecord, key: RecordSigningKey): Promise<string> {
  return ledgerFileText(await signRecord(record, key));
}

/** The ledger text with one character of the signed payload changed (a tampered record). */
export function tamperPayload(text: string): string {
  const file = JSON.parse(text) as { protected: string; payload: string; signature: string };
  const i = Math.floor(file.payload.length / 2);
  const swapped = file.payload[i] === "A" ? "B" : "A";
  return JSON.stringify({ ...file, payload: `${file.payload.slice(0, i)}${swapped}${file.payload.slice(i + 1)}` });
}

/** `records.jwks` as the parsed configuration holds it: the public keys of these record keys. */
export function jwksOf(...keys: RecordSigningKey[]): { keys: Array<Record<string, unknown>> } {
  return { keys: keys.flatMap((k) => k.jwks.keys.map((jwk) => ({ ...jwk }))) };
}

/** `records:` of .github/onerecord-access.yml publishing these keys (JSON is YAML flow syntax). */
export function recordsConfig(keys: RecordSigningKey[], extra: Record<string, string> = {}): string[] {
  return [
    "records:",
    `  jwks: ${JSON.stringify(jwksOf(...keys))}`,
    ...Object.entries(extra).map(([k, v]) => `  ${k}: ${v}`),
  ];
}
