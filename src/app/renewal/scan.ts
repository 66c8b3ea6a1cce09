import type { AccessConfig } from "../../config/schema.js";
import type { RecordSigner } from "../../record/signature.js";
import { verifyRecordFile } from "../../record/signature.js";
import type { ScannedFile } from "../github/ledger-scan.js";
import { watchNextAt } from "./due.js";
import { writeDueEntries, type IndexDeps, type IndexRead } from "./index-io.js";

/**
 * Completing the due-date index from every record on the ledger (docs/app.md, "Expiry watch"):
 * when the index was never scanned — the first sweep after an upgrade from before the index,
 * whose live requests have no entry yet, or after an index that did not verify and was started
 * afresh — the sweep first reads every record, verifies it (`records.jwks`, its own repository
 * and issue), and enters each watched request at its next reminder or review step. An entry the
 * index already holds stays when it is earlier (an index is early, never late). The index is then
 * marked `scannedAt` and the sweep goes on with it. A record that does not verify enters nothing:
 * its request's next event recovers it, as any event does.
 */
export interface ScanDeps extends IndexDeps {
  config: AccessConfig;
  /** Every record file at the ledger branch head (src/app/github/ledger-scan.ts). */
  records: () => Promise<ScannedFile[]>;
}

export async function completeIndex(
  deps: ScanDeps,
  key: RecordSigner,
  read: IndexRead,
  at: string,
): Promise<IndexRead> {
  if (read.index.scannedAt && !read.problem) return read;
  const files = await deps.records();
  const changes = new Map<number, string>();
  let unverified = 0;
  for (const file of files) {
    const verdict = await verifyRecordFile(file.text, deps.jwks, { repository: deps.repository, issue: file.issue });
    if (!verdict.ok) {
      unverified++;
      continue;
    }
    const next = watchNextAt(
      verdict.record,
      deps.config.renewal.reminderDays,
      deps.config.certificates.onBehalf?.keyCommentDays,
    );
    if (next !== null) changes.set(file.issue, next);
  }
  deps.log.info(
    { records: files.length, watched: changes.size, unverified },
    "due-date index completed from the records",
  );
  const written = await writeDueEntries(deps, key, changes, read, { keepEarlier: true, scannedAt: at });
  // Other writers kept winning: sweep with what was read and scan again next time.
  return written ?? read;
}
