import { beforeAll, describe, expect, it } from "vitest";
import { textBlobSha } from "../../src/record/git-blob.js";
import { ledgerFileText, MAX_LEDGER_FILE_BYTES, type LedgerFile } from "../../src/record/ledger-file.js";
import {
  copyAmongRead,
  replayCandidates,
  smallestCopyBytes,
  verifyLedgerHistory,
  type LedgerVersion,
} from "../../src/record/ledger-history.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import type { AccessRecord } from "../../src/record/schema.js";
import { signRecord, verifyRecordFile } from "../../src/record/signature.js";
import { signingSecret } from "../helpers/pki.js";
import { sampleRecord, SUBJECT, T } from "./helpers.js";

const url = "https://github.com/acme/access-requests/issues/7#issuecomment-9";
/** Three genuine states of one request: each version adds to the one before, as the app's do. */
const states: AccessRecord[] = [
  sampleRecord({ stage: "requested", checklist: [] }),
  sampleRecord({ stage: "certification" }),
  sampleRecord({
    stage: "rejected",
    rejection: { by: "rita", at: T, url, reason: "unknown devices" },
    transitions: [{ at: T, from: "certification", to: "rejected", by: "rita", url, why: "rejected" }],
  }),
];
const commit = (n: number) => String(n).repeat(40).slice(0, 40);
/** Versions as the ledger lists them: newest first. */
const newestFirst = (texts: Array<string | null>): LedgerVersion[] =>
  texts.map((text, i) => ({ commit: commit(i + 1), text })).reverse();

describe("verifyLedgerHistory", () => {
  let key: RecordSigningKey;
  let genuine: string[];
  beforeAll(async () => {
    key = await loadRecordSigningKey(signingSecret("ES256").pem);
    genuine = await Promise.all(states.map(async (s) => ledgerFileText(await signRecord(s, key))));
  });

  it("finds every version of an untouched history valid, the head newest", async () => {
    const history = await verifyLedgerHistory(newestFirst(genuine), key.jwks, SUBJECT);
    expect(history.headValid).toBe(true);
    expect(history.versions.map((v) => v.ok)).toEqual([true, true, true]);
    expect(history.newestValid).toEqual({ commit: commit(3), record: states[2], kid: key.kid });
  });

  it("continues from the newest valid version when the head was edited outside the app", async () => {
    const file = JSON.parse(genuine[2]!) as LedgerFile;
    const edited = { ...states[2]!, stage: "live", rejection: null };
    const tampered = JSON.stringify({ ...file, payload: Buffer.from(JSON.stringify(edited)).toString("base64url") });
    const history = await verifyLedgerHistory(newestFirst([...genuine, tampered]), key.jwks, SUBJECT);
    expect(history.headValid).toBe(false);
    expect(history.versions[0]).toMatchObject({ commit: commit(4), ok: false, code: "bad-signature" });
    expect(history.newestValid).toEqual({ commit: commit(3), record: states[2], kid: key.kid });
  });

  it("names each kind of tampering in the history by its code", async () => {
    const stranger = await loadRecordSigningKey(signingSecret("ES256").pem);
    const foreign = ledgerFileText(await signRecord({ ...states[1]!, issue: 8 }, key));
    const texts = [
      genuine[0]!,
      null,
      "rm -rf /",
      ledgerFileText(await signRecord(states[2]!, stranger)),
      foreign,
      JSON.stringify(states[2]),
    ];
    const history = await verifyLedgerHistory(newestFirst(texts), key.jwks, SUBJECT);
    expect(history.versions.map((v) => (v.ok ? "ok" : v.code))).toEqual([
      "not-jws",
      "foreign-record",
      "unknown-key",
      "not-json",
      "missing",
      "ok",
    ]);
    expect(history.newestValid?.commit).toBe(commit(1));
  });

  it("refuses a copy of an older genuine version committed later (a rollback past /reject)", async () => {
    const history = await verifyLedgerHistory(newestFirst([...genuine, genuine[1]!]), key.jwks, SUBJECT);
    expect(history.versions[0]).toMatchObject({ commit: commit(4), ok: false, code: "replayed" });
    expect(history.headValid).toBe(false);
    expect(history.newestValid).toMatchObject({ commit: commit(3), record: { stage: "rejected" } });
  });

  it("refuses a rollback disguised by ECDSA's other valid signature (n - s)", async () => {
    const file = JSON.parse(genuine[1]!) as LedgerFile;
    const signature = Buffer.from(file.signature, "base64url");
    const n = BigInt("0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
    const flipped = Buffer.concat([
      signature.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"),
    ]);
    const disguised = JSON.stringify({ ...file, signature: flipped.toString("base64url") });
    expect(disguised).not.toBe(JSON.stringify(file));
    const alone = await verifyRecordFile(disguised, key.jwks, SUBJECT);
    const history = await verifyLedgerHistory(newestFirst([...genuine, disguised]), key.jwks, SUBJECT);
    // WebCrypto accepts the high-s twin: on its own it verifies, so only the signed content
    // (not the signature bytes) can tell that it is a copy.
    expect(alone.ok).toBe(true);
    expect(history.versions[0]).toMatchObject({ ok: false, code: "replayed" });
    expect(history.newestValid?.commit).toBe(commit(3));
  });

  it("accepts a tampered head reverted to the last valid version, and the app's next version after it", async () => {
    const file = JSON.parse(genuine[2]!) as LedgerFile;
    const flipped = (file.signature.startsWith("A") ? "B" : "A") + file.signature.slice(1);
    const tampered = ledgerFileText({ ...file, signature: flipped });
    const reverted = await verifyLedgerHistory(newestFirst([...genuine, tampered, genuine[2]!]), key.jwks, SUBJECT);
    expect(reverted.versions.map((v) => v.ok)).toEqual([true, false, true, true, true]);
    expect(reverted.newestValid?.commit).toBe(commit(5));
    const next = ledgerFileText(await signRecord({ ...states[2]!, formLog: [] }, key));
    const continued = await verifyLedgerHistory(
      newestFirst([genuine[0]!, genuine[1]!, tampered, next]),
      key.jwks,
      SUBJECT,
    );
    expect(continued.headValid).toBe(true);
    expect(continued.versions.map((v) => v.ok)).toEqual([true, false, true, true]);
  });

  it("verifies a history across a key rotation while records.jwks holds both keys", async () => {
    const newKey = await loadRecordSigningKey(signingSecret("EdDSA").pem);
    const after = ledgerFileText(await signRecord({ ...states[2]!, formLog: [] }, newKey));
    const jwks = { keys: [...key.jwks.keys, ...newKey.jwks.keys] };
    const history = await verifyLedgerHistory(newestFirst([...genuine, after]), jwks, SUBJECT);
    expect(history.versions.map((v) => (v.ok ? v.kid : v.code))).toEqual([newKey.kid, key.kid, key.kid, key.kid]);
    const withoutOld = await verifyLedgerHistory(newestFirst([...genuine, after]), newKey.jwks, SUBJECT);
    expect(withoutOld.versions.map((v) => (v.ok ? "ok" : v.code))).toEqual([
      "ok",
      "unknown-key",
      "unknown-key",
      "unknown-key",
    ]);
  });

  it("has no valid version in an empty history", async () => {
    expect(await verifyLedgerHistory([], key.jwks, SUBJECT)).toEqual({
      versions: [],
      headValid: false,
      newestValid: null,
    });
  });
});

describe("replayCandidates: which older versions the token workflow reads (issue 22)", () => {
  const listed = (text: string | null, commit: string) => ({
    commit,
    blob: text === null ? null : { oid: textBlobSha(text), size: Buffer.byteLength(text) },
  });

  it.each(["ES256", "EdDSA"] as const)(
    "the smallest file that verifies with a version's signed content (%s) is exactly its compact JSON",
    async (alg) => {
      const key = await loadRecordSigningKey(signingSecret(alg).pem);
      const text = ledgerFileText(await signRecord(states[1]!, key));
      const compact = JSON.stringify(JSON.parse(text));
      expect((await verifyRecordFile(compact, key.jwks, SUBJECT)).ok).toBe(true);
      expect(smallestCopyBytes(text)).toBe(Buffer.byteLength(compact));
      // One character less is no longer a valid copy: the signature cannot be shortened.
      const file = JSON.parse(text) as LedgerFile;
      const shorter = JSON.stringify({ ...file, signature: file.signature.slice(0, -1) });
      expect((await verifyRecordFile(shorter, key.jwks, SUBJECT)).ok).toBe(false);
    },
  );

  it("keeps every version that could be the head's copy, and leaves out the ones too small, deleted or too large", async () => {
    const key = await loadRecordSigningKey(signingSecret("ES256").pem);
    const [first, second, head] = await Promise.all(states.map(async (s) => ledgerFileText(await signRecord(s, key))));
    const copy = JSON.stringify(JSON.parse(head!));
    const versions = [
      listed(head!, "h"),
      listed(second!, "smaller"),
      listed(copy, "re-encoded"),
      listed(head!, "same-blob"),
      listed(null, "deleted"),
      { commit: "huge", blob: { oid: "f".repeat(40), size: MAX_LEDGER_FILE_BYTES + 1 } },
      listed(`${head!}${" ".repeat(100)}`, "padded"),
      listed(first!, "oldest"),
    ];
    const kept = replayCandidates(head!, textBlobSha(head!), versions).map((v) => v.commit);
    expect(kept).toEqual(["re-encoded", "same-blob", "padded"]);
  });

  it("tells when a partial read cannot judge the head alone: an older version read is a valid copy of it", async () => {
    const key = await loadRecordSigningKey(signingSecret("ES256").pem);
    const [first, , head] = await Promise.all(states.map(async (s) => ledgerFileText(await signRecord(s, key))));
    const partial = (older: string | null): LedgerVersion[] => [
      { commit: commit(3), text: head! },
      { commit: commit(2), text: null, unread: true },
      { commit: commit(1), text: older },
    ];
    for (const [older, copy] of [
      [JSON.stringify(JSON.parse(head!)), true],
      [first!, false],
      [tamper(head!), false],
    ] as const) {
      const versions = partial(older);
      expect(copyAmongRead(versions, await verifyLedgerHistory(versions, key.jwks, SUBJECT))).toBe(copy);
    }
  });
});

/** The same signed content with a signature that does not verify. */
function tamper(text: string): string {
  const file = JSON.parse(text) as LedgerFile;
  const flipped = file.signature.startsWith("A") ? `B${file.signature.slice(1)}` : `A${file.signature.slice(1)}`;
  return JSON.stringify({ ...file, signature: flipped });
}
