import { FlattenedSign } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ledgerFileText } from "../../src/record/ledger-file.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import { RECORD_JWS_TYPE, signRecord, verifyRecordFile } from "../../src/record/signature.js";
import { signingSecret } from "../helpers/pki.js";
import { sampleRecord, SUBJECT } from "./helpers.js";

const load = (alg: "ES256" | "EdDSA") => loadRecordSigningKey(signingSecret(alg).pem);
const fileBy = async (key: RecordSigningKey, extra = {}) => ledgerFileText(await signRecord(sampleRecord(extra), key));

describe.each([
  ["ES256", "ES256"],
  ["ES256", "EdDSA"],
  ["EdDSA", "ES256"],
] as const)("rotating the record key from %s to %s", (oldAlg, newAlg) => {
  let oldKey: RecordSigningKey;
  let newKey: RecordSigningKey;
  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([load(oldAlg), load(newAlg)]);
  });
  const both = () => ({ keys: [...oldKey.jwks.keys, ...newKey.jwks.keys] });

  it("verifies versions signed with the old key and with the new one while records.jwks holds both", async () => {
    const before = await fileBy(oldKey);
    const after = await fileBy(newKey, { stage: "tokens" });
    expect(await verifyRecordFile(before, both(), SUBJECT)).toMatchObject({ ok: true, kid: oldKey.kid, alg: oldAlg });
    expect(await verifyRecordFile(after, both(), SUBJECT)).toMatchObject({ ok: true, kid: newKey.kid, alg: newAlg });
    // The order of the keys in the set does not matter: the kid selects.
    const reversed = { keys: [...newKey.jwks.keys, ...oldKey.jwks.keys] };
    expect(await verifyRecordFile(before, reversed, SUBJECT)).toMatchObject({ ok: true, kid: oldKey.kid });
  });

  it("refuses old versions once the old key is removed (unknown-key): never remove a key that still matters", async () => {
    const before = await fileBy(oldKey);
    expect(await verifyRecordFile(before, newKey.jwks, SUBJECT)).toMatchObject({ ok: false, code: "unknown-key" });
  });

  it("refuses a version signed by a key in neither set (unknown-key)", async () => {
    const stranger = await load(newAlg);
    expect(await verifyRecordFile(await fileBy(stranger), both(), SUBJECT)).toMatchObject({
      ok: false,
      code: "unknown-key",
    });
  });

  it("refuses the new key's signature under the old key's kid", async () => {
    const jws = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(sampleRecord())))
      .setProtectedHeader({ alg: newAlg, kid: oldKey.kid, typ: RECORD_JWS_TYPE })
      .sign(newKey.privateKey);
    const verdict = await verifyRecordFile(JSON.stringify(jws), both(), SUBJECT);
    expect(verdict).toMatchObject({ ok: false, code: oldAlg === newAlg ? "bad-signature" : "key-mismatch" });
  });
});

describe("a key in records.jwks cannot be confused with another of another alg or curve", () => {
  let es: RecordSigningKey;
  let ed: RecordSigningKey;
  beforeAll(async () => {
    [es, ed] = await Promise.all([load("ES256"), load("EdDSA")]);
  });

  it("never tries an Ed25519 key for an ES256 header, or the reverse, even under the right kid (key-mismatch)", async () => {
    const { kid: _kid, ...edMembers } = ed.jwks.keys[0]!;
    // The Ed25519 key published under the ES256 key's kid (an operator's copy-paste slip).
    const swapped = { keys: [{ ...edMembers, kid: es.kid }] };
    expect(await verifyRecordFile(await fileBy(es), swapped, SUBJECT)).toMatchObject({
      ok: false,
      code: "key-mismatch",
    });
    // An EdDSA signature naming the ES256 key's kid.
    const jws = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(sampleRecord())))
      .setProtectedHeader({ alg: "EdDSA", kid: es.kid, typ: RECORD_JWS_TYPE })
      .sign(ed.privateKey);
    expect(
      await verifyRecordFile(JSON.stringify(jws), { keys: [...es.jwks.keys, ...ed.jwks.keys] }, SUBJECT),
    ).toMatchObject({
      ok: false,
      code: "key-mismatch",
    });
  });

  it("refuses a key whose kid is not its own thumbprint (key-mismatch)", async () => {
    const other = await load("ES256");
    const { kid: _kid, ...members } = other.jwks.keys[0]!;
    const relabelled = { keys: [{ ...members, kid: es.kid }] };
    expect(await verifyRecordFile(await fileBy(es), relabelled, SUBJECT)).toMatchObject({
      ok: false,
      code: "key-mismatch",
    });
  });

  it("refuses, as a configuration error, a set that labels a key with another alg or curve", async () => {
    const file = await fileBy(es);
    for (const key of [
      { ...es.jwks.keys[0]!, alg: "EdDSA" },
      { ...es.jwks.keys[0]!, crv: "P-384" },
      { ...ed.jwks.keys[0]!, alg: "ES256" },
      { ...ed.jwks.keys[0]!, crv: "X25519" },
    ]) {
      await expect(verifyRecordFile(file, { keys: [key] }, SUBJECT)).rejects.toMatchObject({
        code: "input-invalid",
        field: "records.jwks",
      });
    }
  });
});
