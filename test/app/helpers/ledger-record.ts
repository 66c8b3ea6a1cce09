import { parseLedgerFile } from "../../../src/record/ledger-file.js";
import { recordSchema, type AccessRecord } from "../../../src/record/schema.js";

/**
 * The record a ledger file carries, read without verifying (tests that judge the signature call
 * `verifyRecordFile` or `verifyLedgerHistory` themselves).
 */
export function readLedgerRecord(text: string): AccessRecord {
  const parsed = parseLedgerFile(text);
  if (!parsed.ok) throw new Error(`not a ledger file: ${parsed.reason}`);
  return recordSchema.parse(JSON.parse(Buffer.from(parsed.file.payload, "base64url").toString("utf8")));
}
