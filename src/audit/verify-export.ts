import { parseRecordJwks } from "../record/record-keys.js";
import { auditLedger } from "./audit-ledger.js";
import { auditExportSchema, type AuditExport } from "./export-json.js";
import { ROW_COLUMNS, type AuditFailure, type AuditRow, type TrustedKey } from "./types.js";

/**
 * `onerecord-access audit verify EXPORT.json --jwks record-jwks.json` (issue 21): an export
 * re-checked with no GitHub access. Only the keys of the auditor's own JWKS are trusted (with the
 * time each was published, as the export says); every version is verified again and the rows and
 * failures recomputed from the signed versions, then compared with what the export says. An
 * export edited by hand (a row removed or changed, a version dropped or altered, a failure taken
 * out) fails with the place it was changed. What cannot be re-checked offline, and is said: that
 * the app's bot made each commit (`byApp`, GitHub's word) and when each key was published.
 */
export interface ExportProblem {
  /** Where: "export", "request #3", "request #3, version abc123", "request #3, row 4". */
  place: string;
  reason: string;
}

export async function verifyExport(
  value: unknown,
  jwks: unknown,
): Promise<{ ok: boolean; problems: ExportProblem[]; export: AuditExport | null }> {
  const parsed = auditExportSchema.safeParse(value);
  if (!parsed.success) {
    const at = parsed.error.issues[0]?.path.map(String).join(".") || "(root)";
    return { ok: false, problems: [{ place: "export", reason: `not an audit export (at ${at})` }], export: null };
  }
  const exported = parsed.data;
  const trusted = new Map(parseRecordJwks(jwks).keys.map((k) => [k.kid, JSON.stringify(sorted(k))]));
  const keys: TrustedKey[] = exported.keys
    .filter((k) => trusted.get(k.kid) === JSON.stringify(sorted(k.jwk)))
    .map((k) => ({ kid: k.kid, jwk: k.jwk as TrustedKey["jwk"], entered: k.entered, removed: k.removed }));
  const again = await auditLedger(
    exported.requests.map((r) => ({ issue: r.issue, versions: r.versions })),
    keys,
    exported.repository,
    exported.since,
  );
  // What only the online audit can see (the ledger's protection, place and keys, a request with no
  // record) is kept as the export says it: it fails the export, it cannot be recomputed here.
  const online = exported.failures.filter((f) => f.request === null || f.rule === "missing-record");
  const problems: ExportProblem[] = [
    ...online.map((f) => ({
      place: f.request === null ? "the ledger" : `request #${f.request}`,
      reason: `${f.rule}: ${f.reason}`,
    })),
    ...failureProblems(
      exported.failures.filter((f) => !online.includes(f)),
      again.failures,
    ),
    ...rowProblems(exported.rows, again.rows),
  ];
  for (const r of again.requests) {
    const said = exported.requests.find((e) => e.issue === r.issue);
    if (said && said.verified !== r.verified)
      problems.push({
        place: `request #${r.issue}`,
        reason: `the export says ${said.verified ? "verified" : "failed"}; the versions say otherwise`,
      });
  }
  return { ok: problems.length === 0 && again.failures.length === 0, problems, export: exported };
}

function failureProblems(said: readonly AuditFailure[], found: readonly AuditFailure[]): ExportProblem[] {
  const key = (f: AuditFailure) => `${f.request} ${f.version ?? ""} ${f.rule} ${f.reason}`;
  const saidKeys = new Set(said.map(key));
  const foundKeys = new Set(found.map(key));
  const place = (f: AuditFailure) =>
    `${f.request === null ? "the ledger" : `request #${f.request}`}${f.version ? `, version ${f.version.slice(0, 12)}` : ""}`;
  return [
    ...found.filter((f) => !saidKeys.has(key(f))).map((f) => ({ place: place(f), reason: `${f.rule}: ${f.reason}` })),
    ...said
      .filter((f) => !foundKeys.has(key(f)))
      .map((f) => ({ place: place(f), reason: `the export lists a failure the versions do not show (${f.rule})` })),
  ];
}

/** The first difference per request between the rows exported and the rows the versions give. */
function rowProblems(said: readonly AuditRow[], found: readonly AuditRow[]): ExportProblem[] {
  const problems: ExportProblem[] = [];
  const requests = [...new Set([...said, ...found].map((r) => r.request))].sort((a, b) => a - b);
  for (const request of requests) {
    const a = said.filter((r) => r.request === request);
    const b = found.filter((r) => r.request === request);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const place = `request #${request}, row ${i + 1}`;
      if (!a[i] || !b[i]) {
        const which = a[i] ? "a row the versions do not give" : `a row is missing (${b[i]!.action} at ${b[i]!.time})`;
        problems.push({ place, reason: `the export has ${which}` });
        break;
      }
      const column = ROW_COLUMNS.find((c) => a[i]![c] !== b[i]![c]);
      if (column) {
        problems.push({
          place,
          reason: `${column} is "${String(a[i]![column])}" in the export, "${String(b[i]![column])}" in the signed versions`,
        });
        break;
      }
    }
  }
  return problems;
}

function sorted(jwk: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).sort(([x], [y]) => x.localeCompare(y)));
}
