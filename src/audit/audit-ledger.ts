import { auditRequest } from "./verify-request.js";
import type { AuditFailure, AuditRow, RequestHistory, TrustedKey } from "./types.js";

/** The audit of every request read (issue 21): one verdict each, every failure, the rows since `since`. */
export interface LedgerAudit {
  requests: Array<{ issue: number; versions: RequestHistory["versions"]; verified: boolean }>;
  failures: AuditFailure[];
  rows: AuditRow[];
}

export async function auditLedger(
  histories: readonly RequestHistory[],
  keys: readonly TrustedKey[],
  repository: string,
  since: string | null,
): Promise<LedgerAudit> {
  const out: LedgerAudit = { requests: [], failures: [], rows: [] };
  const from = since ? Date.parse(since) : -Infinity;
  for (const history of [...histories].sort((a, b) => a.issue - b.issue)) {
    const audited = await auditRequest(history, keys, repository);
    out.requests.push({ issue: history.issue, versions: history.versions, verified: audited.failures.length === 0 });
    out.failures.push(...audited.failures);
    out.rows.push(...audited.rows.filter((r) => Date.parse(r.time) >= from));
  }
  return out;
}
