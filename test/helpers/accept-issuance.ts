import { reduce } from "../../src/app/state/reduce.js";
import type { AccessRecord, CommandRecord, IssuanceRecord } from "../../src/record/schema.js";

/**
 * What the app does with the issuance records it accepted from a token run (src/app/sync.ts):
 * they join the record's issuance and the request's history is replayed (`reduce`), which moves
 * the request to `live` once every device holds a current token and drops the reissue requests a
 * newer token satisfied. The record must carry the command lines that certified it
 * (`withCertifyingHistory`): the stage is recomputed from the history, never copied.
 */
export function acceptIssuance(
  record: AccessRecord,
  issued: readonly IssuanceRecord[],
  checklistItems: readonly string[] = record.checklist.map((c) => c.item),
): AccessRecord {
  const issuance = [...record.issuance, ...issued];
  const { formApplied: _formApplied, ...reduced } = reduce({
    checklistItems,
    requester: record.requester,
    issueUrl: record.issueUrl,
    form: { valid: true, request: record.request },
    priorRequest: record.request,
    commands: record.commands,
    pullRequests: record.pullRequests,
    certificates: record.certificates,
    issuance,
  });
  return { ...record, ...reduced, issuance };
}

/**
 * The record with the command lines that produced its checklist and its certification, as a
 * reviewer typed them: one `/check ITEM` per ticked item at the time it was ticked, then
 * `/approve-certification` bound to the approved request.
 */
export function withCertifyingHistory(record: AccessRecord, extra: readonly CommandRecord[] = []): AccessRecord {
  const comment = (url: string, fallback: number) => Number(/#issuecomment-(\d+)$/.exec(url)?.[1] ?? fallback);
  const checks = record.checklist.map((c, index): CommandRecord => ({
    comment: comment(c.url, 1),
    index,
    by: c.by,
    at: c.at,
    name: "check",
    args: c.item,
    reviewer: true,
    outcome: "accepted",
  }));
  const certification = record.certification;
  const approval: CommandRecord[] = certification
    ? [
        {
          comment: comment(certification.url, 2),
          index: 0,
          by: certification.by,
          at: certification.at,
          name: "approve-certification",
          args: "",
          reviewer: true,
          requestSha256: certification.requestSha256,
          outcome: "accepted",
        },
      ]
    : [];
  return { ...record, commands: [...checks, ...approval, ...extra] };
}
