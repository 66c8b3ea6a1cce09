import { decodeProtectedHeader, FlattenedSign, type CryptoKey } from "jose";
import { OneRecordError } from "../errors.js";
import { MAX_RECORD_JSON_BYTES, parseLedgerFile, type LedgerFile } from "./ledger-file.js";
import {
  findRecordKey,
  judgeSignedHeader,
  isRecordAlgorithm,
  parseRecordJwks,
  RECORD_ALGORITHMS,
  type RecordAlgorithm,
  type RecordPublicJwk,
  verifyWithRecordKey,
} from "./record-keys.js";
import { recordSchema, type AccessRecord } from "./schema.js";

/**
 * The JWS `typ` of a record version (RFC 7515 §4.1.9; RFC 8725 §3.11 explicit typing): a JWS
 * the app signed for another purpose (the token signing key's issuance proof, a device token)
 * can never pass for a record, even under the same key.
 */
export const RECORD_JWS_TYPE = "onerecord-record+json";

/** What signs a record: `RecordSigningKey` from ./record-signing-key.ts. */
export interface RecordSigner {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
}

/**
 * Signs one record version as a flattened JWS (RFC 7515 §7.2.2) with the protected header
 * `{ alg, kid, typ }`, `kid` being the RFC 7638 thumbprint of the public key. The record is
 * validated first: the app never signs what it could not read back. Throws `record-too-large`
 * for a record beyond MAX_RECORD_JSON_BYTES, so every signed file is within the read limit.
 */
export async function signRecord(record: AccessRecord, key: RecordSigner): Promise<LedgerFile> {
  if (!isRecordAlgorithm(key.alg))
    throw new OneRecordError("input-invalid", `records are signed with ${RECORD_ALGORITHMS.join(" or ")} only`, {
      field: "record-signing-key",
    });
  const checked = recordSchema.safeParse(record);
  if (!checked.success) {
    const field = checked.error.issues[0]?.path.map(String).join(".") || "(root)";
    throw new OneRecordError("input-invalid", `the record to sign does not fit its schema at ${field}`, { field });
  }
  const payload = new TextEncoder().encode(JSON.stringify(checked.data));
  if (payload.byteLength > MAX_RECORD_JSON_BYTES)
    throw new OneRecordError("record-too-large", `the record is ${payload.byteLength} bytes of JSON`);
  const jws = await new FlattenedSign(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: RECORD_JWS_TYPE })
    .sign(key.privateKey);
  return { protected: jws.protected!, payload: jws.payload, signature: jws.signature };
}

export type RecordFailureCode =
  | "too-large"
  | "not-json"
  | "not-jws"
  | "bad-header"
  | "wrong-type"
  | "bad-algorithm"
  | "unknown-key"
  | "key-mismatch"
  | "bad-signature"
  | "not-a-record"
  | "foreign-record";

export type RecordVerification =
  | { ok: true; record: AccessRecord; kid: string; alg: RecordAlgorithm }
  | { ok: false; code: RecordFailureCode; reason: string };

/** The request a ledger file must be about. */
export interface RecordSubject {
  /** `owner/name`, compared case-insensitively (GitHub's names are). */
  repository: string;
  issue: number;
}

/**
 * Judges one ledger file in named stages, each with a stable code: its bytes (size, JSON,
 * flattened JWS shape), the protected header (only alg, kid, typ; `typ` RECORD_JWS_TYPE; `alg`
 * ES256 or EdDSA), the key (`kid` in `records.jwks`, of the type `alg` needs, and `kid` its RFC
 * 7638 thumbprint), the signature (RFC 7515 §5.2), the payload (a record by `recordSchema`) and
 * its subject (this repository and issue). Never throws for a bad file; a broken `jwks` is the
 * verifier's configuration problem and throws (`input-invalid`, field `records.jwks`).
 */
export async function verifyRecordFile(
  text: unknown,
  jwks: unknown,
  expected: RecordSubject,
): Promise<RecordVerification> {
  const verified = await verifyTypedFile(text, jwks, RECORD_JWS_TYPE);
  if (!verified.ok) return verified;
  const record = judgePayload(verified.payload);
  if (!record.ok) return record;
  if (!sameSubject(record.record, expected))
    return fail("foreign-record", "the record names another repository or issue than the one it is read for");
  return { ok: true, record: record.record, kid: verified.kid, alg: verified.alg };
}

/**
 * The stages `verifyRecordFile` shares with every other file the record key signs (the due-date
 * index, src/record/due-index.ts): bytes, the protected header with exactly this `typ`, the key,
 * the signature. The payload is the caller's to judge.
 */
export async function verifyTypedFile(
  text: unknown,
  jwks: unknown,
  typ: string,
): Promise<{ ok: true; payload: Uint8Array; kid: string; alg: RecordAlgorithm } | Failure> {
  const keys = parseRecordJwks(jwks);
  const parsed = parseLedgerFile(text);
  if (!parsed.ok) return fail(parsed.code, parsed.reason);
  const header = judgeHeader(parsed.file, typ);
  if (!header.ok) return header;
  const found = findRecordKey(keys, header.kid, header.alg);
  if (!found.ok)
    return found.code === "unknown-key"
      ? fail("unknown-key", "the file is signed with a key that is not in records.jwks")
      : fail("key-mismatch", `the key the file names in records.jwks is not a ${header.alg} key`);
  const verified = await verifySignature(parsed.file, found.jwk, header.alg);
  if (!verified.ok) return verified;
  return { ok: true, payload: verified.payload, kid: header.kid, alg: header.alg };
}

/**
 * Signs a JSON payload other than a record with the record key, under its own `typ` (RFC 8725
 * §3.11: a file of one kind never passes for another). The caller validates the payload.
 */
export async function signTypedPayload(payload: Uint8Array, key: RecordSigner, typ: string): Promise<LedgerFile> {
  if (!isRecordAlgorithm(key.alg))
    throw new OneRecordError("input-invalid", `the record key signs with ${RECORD_ALGORITHMS.join(" or ")} only`, {
      field: "record-signing-key",
    });
  const jws = await new FlattenedSign(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
    .sign(key.privateKey);
  return { protected: jws.protected!, payload: jws.payload, signature: jws.signature };
}

type Failure = { ok: false; code: RecordFailureCode; reason: string };

function fail(code: RecordFailureCode, reason: string): Failure {
  return { ok: false, code, reason };
}

function judgeHeader(file: LedgerFile, typ: string): { ok: true; alg: RecordAlgorithm; kid: string } | Failure {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(file);
  } catch {
    return fail("not-jws", "the JWS protected header is not base64url JSON");
  }
  const judged = judgeSignedHeader(header, typ);
  if (judged.ok) return judged;
  const code = {
    members: "bad-header",
    "no-kid": "bad-header",
    "wrong-type": "wrong-type",
    "bad-algorithm": "bad-algorithm",
  } as const;
  return fail(code[judged.problem], judged.reason);
}

async function verifySignature(
  file: LedgerFile,
  jwk: RecordPublicJwk,
  alg: RecordAlgorithm,
): Promise<{ ok: true; payload: Uint8Array } | Failure> {
  const verified = await verifyWithRecordKey(file, jwk, alg);
  if (verified.ok) return verified;
  const why = {
    "kid-mismatch": ["key-mismatch", "the kid in records.jwks is not the RFC 7638 thumbprint of its key"],
    unreadable: ["key-mismatch", `the key in records.jwks cannot be read as a ${alg} key`],
    "bad-signature": ["bad-signature", "the record's signature does not verify"],
    "not-jws": ["not-jws", "the ledger file is not a JWS that can be verified"],
  } as const;
  const [code, reason] = why[verified.problem];
  return fail(code, reason);
}

function judgePayload(payload: Uint8Array): { ok: true; record: AccessRecord } | Failure {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return fail("not-a-record", "the signed payload is not UTF-8 JSON");
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.map(String).join(".") || "(root)";
    return fail("not-a-record", `the signed payload does not fit the record schema at ${field}`);
  }
  return { ok: true, record: parsed.data };
}

function sameSubject(record: AccessRecord, expected: RecordSubject): boolean {
  return record.repository.toLowerCase() === expected.repository.toLowerCase() && record.issue === expected.issue;
}
