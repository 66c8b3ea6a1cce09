import { generateKeyPairSync } from "node:crypto";
import { parse, stringify } from "yaml";
import { loadRecordSigningKey, type RecordSigningKey } from "../../../src/record/record-signing-key.js";

/**
 * The app's record signing key in tests: made at test time (never committed), one per process,
 * given to the app as `RECORD_SIGNING_KEY` and published in every test configuration's
 * `records.jwks` (see `withRecordKeys`), as an operator sets them up (docs/app.md).
 */
let secret: string | undefined;
export function testRecordSecret(): string {
  secret ??= generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return secret;
}

let key: Promise<RecordSigningKey> | undefined;
export function testRecordKey(): Promise<RecordSigningKey> {
  key ??= loadRecordSigningKey(testRecordSecret());
  return key;
}

/** A second key, for rotation tests. */
export function otherRecordSecret(curve: "P-256" | "ed25519" = "ed25519"): string {
  const pair =
    curve === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * The configuration text with `records.jwks` publishing the test record key, unless it already
 * publishes one (or is not a YAML mapping: a test of a broken configuration keeps its text).
 */
export function withRecordKeys(yamlText: string, jwks: unknown): string {
  let doc: unknown;
  try {
    doc = parse(yamlText) ?? {};
  } catch {
    return yamlText;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return yamlText;
  const config = doc as Record<string, unknown>;
  const records = (config.records ?? {}) as Record<string, unknown>;
  if (typeof records !== "object" || records === null || "jwks" in records) return yamlText;
  return stringify({ ...config, records: { ...records, jwks } });
}
