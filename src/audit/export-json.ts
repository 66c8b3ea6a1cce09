import * as z from "zod";
import { AUDIT_RULES, type AuditFailure, type AuditRow, type TrustedKey } from "./types.js";
import type { LedgerAudit } from "./audit-ledger.js";

/**
 * The JSON export of an audit (issue 21): what was verified and the rows, **with every signed
 * version**, so `onerecord-access audit verify` re-checks it on a machine with no GitHub access.
 * `auditExportSchema` is published as schema/audit-export.schema.json
 * (scripts/generate-audit-schema.ts).
 */
export const AUDIT_FORMAT = "onerecord-access-audit";

const change = z.object({
  commit: z.string(),
  at: z.string(),
  pull: z.object({ number: z.number().int(), url: z.string(), mergedBy: z.string().nullable() }).nullable(),
});

export const auditRowSchema = z.object({
  request: z.number().int().positive(),
  time: z.string(),
  actor: z.string(),
  actorId: z.string(),
  action: z.string(),
  cause: z.string(),
  formVersion: z.string(),
  device: z.string(),
  x5tS256: z.string(),
  jti: z.string(),
  outcome: z.string(),
});

export const auditExportSchema = z.object({
  format: z.literal(AUDIT_FORMAT),
  version: z.literal(1),
  /** The repository of requests, `owner/name`. */
  repository: z.string(),
  ledger: z.object({ repository: z.string(), branch: z.string() }),
  producedAt: z.string(),
  producedBy: z.string(),
  /** Rows before this time were left out (versions never are). */
  since: z.string().nullable(),
  /** Every record key the audit trusted: its public JWK, and the configuration change that published (and removed) it. */
  keys: z.array(
    z.object({ kid: z.string(), jwk: z.record(z.string(), z.unknown()), entered: change, removed: change.nullable() }),
  ),
  requests: z.array(
    z.object({
      issue: z.number().int().positive(),
      verified: z.boolean(),
      /** Oldest first; `text` is the ledger file as committed (a flattened JWS). */
      versions: z.array(
        z.object({
          commit: z.string(),
          committedAt: z.string(),
          byApp: z.boolean().nullable(),
          text: z.string().nullable(),
        }),
      ),
    }),
  ),
  failures: z.array(
    z.object({
      request: z.number().int().positive().nullable(),
      version: z.string().nullable(),
      rule: z.enum(AUDIT_RULES),
      reason: z.string(),
    }),
  ),
  rows: z.array(auditRowSchema),
});
export type AuditExport = z.infer<typeof auditExportSchema>;

export function auditExport(
  audit: LedgerAudit,
  context: {
    repository: string;
    ledger: { repository: string; branch: string };
    producedAt: string;
    producedBy: string;
    since: string | null;
    keys: readonly TrustedKey[];
  },
): AuditExport {
  return {
    format: AUDIT_FORMAT,
    version: 1,
    repository: context.repository,
    ledger: context.ledger,
    producedAt: context.producedAt,
    producedBy: context.producedBy,
    since: context.since,
    keys: context.keys.map((k) => ({ kid: k.kid, jwk: { ...k.jwk }, entered: k.entered, removed: k.removed })),
    requests: audit.requests,
    failures: audit.failures satisfies AuditFailure[],
    rows: audit.rows satisfies AuditRow[],
  };
}
