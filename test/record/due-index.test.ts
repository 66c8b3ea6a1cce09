import { beforeAll, describe, expect, it } from "vitest";
import { dueEntries, emptyDueIndex, signDueIndex, verifyDueIndex, withDueEntry } from "../../src/record/due-index.js";
import { ledgerFileText } from "../../src/record/ledger-file.js";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import { signRecord, verifyRecordFile } from "../../src/record/signature.js";
import { signingSecret } from "../helpers/pki.js";
import { sampleRecord, SUBJECT } from "./helpers.js";

/** The expiry watch's due-date index (src/record/due-index.ts): signed by the record key under its own typ. */
let key: RecordSigningKey;
let jwks: unknown;
beforeAll(async () => {
  key = await loadRecordSigningKey(signingSecret("ES256").pem);
  jwks = key.jwks;
});

const T = "2026-06-01T10:00:00.000Z";

describe("the due-date index", () => {
  it("round-trips, keeps one entry per request in issue order, and gives the entries whose time has come", async () => {
    let index = emptyDueIndex(SUBJECT.repository, T);
    index = withDueEntry(index, 9, "2026-07-01T00:00:00.000Z", T);
    index = withDueEntry(index, 3, "2026-06-15T00:00:00.000Z", T);
    index = withDueEntry(index, 9, "2026-06-20T00:00:00.000Z", T);
    const verdict = await verifyDueIndex(await signDueIndex(index, key), jwks, "ACME/access-requests");
    if (!verdict.ok) throw new Error(verdict.code);
    expect(verdict.index.entries.map((e) => e.issue)).toEqual([3, 9]);
    expect(dueEntries(verdict.index, "2026-06-16T00:00:00Z").map((e) => e.issue)).toEqual([3]);
    expect(withDueEntry(verdict.index, 3, null, T).entries.map((e) => e.issue)).toEqual([9]);
  });

  it("is never taken for a record, nor a record for an index (explicit typ), and refuses tampering and another repository", async () => {
    const text = await signDueIndex(emptyDueIndex(SUBJECT.repository, T), key);
    expect(await verifyRecordFile(text, jwks, SUBJECT)).toMatchObject({ ok: false, code: "wrong-type" });
    const record = ledgerFileText(await signRecord(sampleRecord(), key));
    expect(await verifyDueIndex(record, jwks, SUBJECT.repository)).toMatchObject({ ok: false, code: "wrong-type" });
    const file = JSON.parse(text) as { payload: string };
    const forged = JSON.stringify({
      ...file,
      payload: Buffer.from(
        JSON.stringify({ version: 1, repository: SUBJECT.repository, at: T, entries: [{ issue: 1, next: T }] }),
      ).toString("base64url"),
    });
    expect(await verifyDueIndex(forged, jwks, SUBJECT.repository)).toMatchObject({ ok: false, code: "bad-signature" });
    expect(await verifyDueIndex(text, jwks, "acme/other")).toMatchObject({ ok: false, code: "foreign-index" });
  });
});
