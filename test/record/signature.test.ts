import { createHmac } from "node:crypto";
import { decodeProtectedHeader, FlattenedSign, type CryptoKey } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { isOneRecordError } from "../../src/errors.js";
import {
  ledgerFilePath,
  ledgerFileText,
  MAX_LEDGER_FILE_BYTES,
  type LedgerFile,
} from "../../src/record/ledger-file.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import { RECORD_JWS_TYPE, signRecord, verifyRecordFile } from "../../src/record/signature.js";
import { loadSigningKey } from "../../src/tokens/signing-key.js";
import { signingSecret } from "../helpers/pki.js";
import { sampleRecord, SUBJECT } from "./helpers.js";

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A flattened JWS made by hand with any header and payload: what an attacker can write. */
async function forge(header: Record<string, unknown>, payload: unknown, privateKey: CryptoKey | Uint8Array) {
  const bytes = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  const jws = await new FlattenedSign(bytes).setProtectedHeader(header).sign(privateKey);
  return JSON.stringify(jws);
}

describe.each(["ES256", "EdDSA"] as const)("a record signed with %s", (alg) => {
  let key: RecordSigningKey;
  beforeAll(async () => {
    key = await loadRecordSigningKey(signingSecret(alg).pem);
  });

  it("is a flattened JWS a person can recognise, with the header { alg, kid, typ }, and verifies", async () => {
    const file = await signRecord(sampleRecord(), key);
    const text = ledgerFileText(file);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["protected", "payload", "signature"]);
    expect(decodeProtectedHeader(file)).toEqual({ alg, kid: key.kid, typ: RECORD_JWS_TYPE });
    expect(JSON.parse(Buffer.from(file.payload, "base64url").toString("utf8"))).toEqual(sampleRecord());
    const result = await verifyRecordFile(text, key.jwks, SUBJECT);
    expect(result).toEqual({ ok: true, record: sampleRecord(), kid: key.kid, alg });
  });

  it("compares the repository case-insensitively and the issue exactly (foreign-record)", async () => {
    const text = ledgerFileText(await signRecord(sampleRecord(), key));
    const upper = await verifyRecordFile(text, key.jwks, { repository: "ACME/Access-Requests", issue: 7 });
    expect(upper.ok).toBe(true);
    for (const expected of [
      { repository: "acme/other", issue: 7 },
      { repository: "acme/access-requests", issue: 8 },
      { repository: "evil/access-requests", issue: 7 },
    ]) {
      expect(await verifyRecordFile(text, key.jwks, expected)).toMatchObject({ ok: false, code: "foreign-record" });
    }
  });
});

describe("signRecord", () => {
  let key: RecordSigningKey;
  beforeAll(async () => {
    key = await loadRecordSigningKey(signingSecret("ES256").pem);
  });

  it("refuses a record that does not fit the schema, naming the field", async () => {
    const broken = { ...sampleRecord(), issue: -1 };
    await expect(signRecord(broken, key)).rejects.toMatchObject({ code: "input-invalid", field: "issue" });
  });

  it("refuses an RS256 signer (records are ES256 or EdDSA only)", async () => {
    const rsa = await loadSigningKey(signingSecret("RS256").pem);
    await expect(signRecord(sampleRecord(), rsa)).rejects.toMatchObject({
      code: "input-invalid",
      field: "record-signing-key",
    });
  });

  it("refuses a record beyond the size the reader accepts (record-too-large)", async () => {
    const huge = sampleRecord({ requester: "jane", formLog: [] });
    huge.request!.account = "a".repeat(4 * 1024 * 1024);
    const error: unknown = await signRecord(huge, key).catch((e: unknown) => e);
    expect(isOneRecordError(error, "record-too-large")).toBe(true);
  });

  it("names the file records/<issue>.json", () => {
    expect(ledgerFilePath(7)).toBe("records/7.json");
    expect(() => ledgerFilePath(0)).toThrow(RangeError);
    expect(() => ledgerFilePath(1.5)).toThrow(RangeError);
  });
});

describe("verifyRecordFile on hostile files", () => {
  let key: RecordSigningKey;
  let genuine: LedgerFile;
  beforeAll(async () => {
    key = await loadRecordSigningKey(signingSecret("ES256").pem);
    genuine = await signRecord(sampleRecord(), key);
  });
  const verdict = (text: unknown) => verifyRecordFile(text, key.jwks, SUBJECT);

  it.each([
    { name: "not text", text: null, code: "not-json" },
    { name: "not JSON", text: "this is not json", code: "not-json" },
    { name: "empty", text: "", code: "not-json" },
    { name: "a JSON array", text: "[]", code: "not-jws" },
    { name: "a compact JWS as a JSON string", text: '"eyJhbGciOiJFUzI1NiJ9.e30.AA"', code: "not-jws" },
    { name: "an empty object", text: "{}", code: "not-jws" },
    { name: "a record in plain JSON", text: JSON.stringify(sampleRecord()), code: "not-jws" },
    { name: "larger than the limit", text: " ".repeat(MAX_LEDGER_FILE_BYTES + 1), code: "too-large" },
  ])("$name: $code", async ({ text, code }) => {
    expect(await verdict(text)).toMatchObject({ ok: false, code });
  });

  it("refuses a JWS with an unprotected header, a missing member, or non-base64url members (not-jws)", async () => {
    const cases = [
      { ...genuine, header: { kid: key.kid } },
      { protected: genuine.protected, payload: genuine.payload },
      { ...genuine, signature: `${genuine.signature}=` },
      { ...genuine, payload: 42 },
      { ...genuine, protected: b64("not json") },
      { ...genuine, protected: b64(["alg"]) },
    ];
    for (const file of cases) expect(await verdict(JSON.stringify(file))).toMatchObject({ ok: false, code: "not-jws" });
  });

  it("refuses a wrong or missing typ, even signed with the record key (wrong-type)", async () => {
    for (const typ of ["JWT", "onerecord-issuance-proof+jwt", undefined]) {
      const header = { alg: "ES256", kid: key.kid, ...(typ ? { typ } : {}) };
      expect(await verdict(await forge(header, sampleRecord(), key.privateKey))).toMatchObject({
        ok: false,
        code: "wrong-type",
      });
    }
  });

  it("refuses header members other than alg, kid and typ (bad-header), and a header without kid", async () => {
    const base = { alg: "ES256", kid: key.kid, typ: RECORD_JWS_TYPE };
    for (const extra of [{ jwk: key.publicJwk }, { jku: "https://evil.test/jwks" }, { x5u: "https://evil.test/" }]) {
      const text = await forge({ ...base, ...extra }, sampleRecord(), key.privateKey);
      expect(await verdict(text)).toMatchObject({ ok: false, code: "bad-header" });
    }
    // RFC 7797 unencoded payload: a header asking for it is refused before anything reads it.
    const unencoded = { ...genuine, protected: b64({ ...base, b64: false, crit: ["b64"] }) };
    expect(await verdict(JSON.stringify(unencoded))).toMatchObject({ ok: false, code: "bad-header" });
    const { kid: _kid, ...noKid } = base;
    expect(await verdict(await forge(noKid, sampleRecord(), key.privateKey))).toMatchObject({ code: "bad-header" });
  });

  it("refuses alg none, HS256 and RS256 (bad-algorithm), whatever the kid says", async () => {
    const header = (alg: string) => ({ alg, kid: key.kid, typ: RECORD_JWS_TYPE });
    const none = { protected: b64(header("none")), payload: genuine.payload, signature: "AA" };
    expect(await verdict(JSON.stringify(none))).toMatchObject({ ok: false, code: "bad-algorithm" });
    expect(await verdict(JSON.stringify({ ...none, signature: "" }))).toMatchObject({ ok: false });
    // HS256 "keyed" with the public key's text: the classic confusion of an asymmetric verifier.
    const hsKey = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    expect(await verdict(await forge(header("HS256"), sampleRecord(), hsKey))).toMatchObject({
      code: "bad-algorithm",
    });
    const manualHs = `${b64(header("HS256"))}.${genuine.payload}`;
    const hs = {
      protected: b64(header("HS256")),
      payload: genuine.payload,
      signature: createHmac("sha256", hsKey).update(manualHs).digest("base64url"),
    };
    expect(await verdict(JSON.stringify(hs))).toMatchObject({ code: "bad-algorithm" });
    const rsa = await loadSigningKey(signingSecret("RS256").pem);
    expect(await verdict(await forge(header("RS256"), sampleRecord(), rsa.privateKey))).toMatchObject({
      code: "bad-algorithm",
    });
  });

  it("refuses a record signed by a key not in records.jwks (unknown-key)", async () => {
    const stranger = await loadRecordSigningKey(signingSecret("ES256").pem);
    expect(await verdict(ledgerFileText(await signRecord(sampleRecord(), stranger)))).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
    // A stranger claiming the genuine kid: the key is found, the signature is not its.
    const claimed = await forge(
      { alg: "ES256", kid: key.kid, typ: RECORD_JWS_TYPE },
      sampleRecord(),
      stranger.privateKey,
    );
    expect(await verdict(claimed)).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("refuses an edited payload or signature (bad-signature)", async () => {
    const edited = sampleRecord({ stage: "tokens" });
    const payload = b64(edited);
    expect(await verdict(JSON.stringify({ ...genuine, payload }))).toMatchObject({ ok: false, code: "bad-signature" });
    const flipped = (genuine.signature[0] === "A" ? "B" : "A") + genuine.signature.slice(1);
    expect(await verdict(JSON.stringify({ ...genuine, signature: flipped }))).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
    expect(await verdict(JSON.stringify({ ...genuine, signature: "AAAA" }))).toMatchObject({ ok: false });
  });

  it("refuses a signed payload that is not a record (not-a-record)", async () => {
    const header = { alg: "ES256", kid: key.kid, typ: RECORD_JWS_TYPE };
    for (const payload of [
      { hello: 1 },
      { ...sampleRecord(), stage: "approved-by-me" },
      new Uint8Array([0xff, 0xfe]),
    ]) {
      expect(await verdict(await forge(header, payload, key.privateKey))).toMatchObject({
        ok: false,
        code: "not-a-record",
      });
    }
  });

  it("never throws on any truncation of a genuine file", async () => {
    const text = ledgerFileText(genuine);
    for (let end = 0; end < text.length; end += 7) {
      const result = await verdict(text.slice(0, end));
      expect(result.ok).toBe(false);
    }
  });

  it("throws on a broken records.jwks: the verifier's configuration, not the file", async () => {
    const withPrivate = { keys: [{ ...key.publicJwk, d: "AAAA" }] };
    await expect(verifyRecordFile(ledgerFileText(genuine), withPrivate, SUBJECT)).rejects.toMatchObject({
      code: "input-invalid",
      field: "records.jwks",
    });
    await expect(verifyRecordFile(ledgerFileText(genuine), { keys: [] }, SUBJECT)).rejects.toMatchObject({
      field: "records.jwks",
    });
  });
});
