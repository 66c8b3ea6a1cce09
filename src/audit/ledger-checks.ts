import { missingLedgerRules } from "../record/ledger-protection.js";
import type { KeyChange, AuditFailure, TrustedKey } from "./types.js";

/**
 * What an audit checks of the ledger as a whole (issue 21), beside each request's versions: that a
 * request the repository has is in it, that it is protected as the app requires, that it stayed
 * where it was, and that every key it trusts came in through a reviewed change. Pure.
 */
export interface LedgerFacts {
  /** The rules GitHub lists for the ledger branch (null: not readable). */
  rules: ReadonlyArray<{ type: string }> | null;
  /** Where each configuration version put the ledger, oldest first. */
  settings: ReadonlyArray<{ change: KeyChange; branch: string; repository?: string }>;
  keys: readonly TrustedKey[];
  /** Issues whose body is a production-access form and that have no record file, ever. */
  unrecorded: readonly number[];
}

export function ledgerFailures(facts: LedgerFacts): AuditFailure[] {
  const out: AuditFailure[] = [];
  const fail = (request: number | null, rule: AuditFailure["rule"], reason: string) =>
    out.push({ request, version: null, rule, reason });
  for (const n of facts.unrecorded)
    fail(n, "missing-record", "the issue is a production-access request, and the ledger has no record of it");
  const missing = facts.rules === null ? null : missingLedgerRules(facts.rules);
  if (missing === null) fail(null, "ledger-unprotected", "the ledger branch's rules could not be read");
  else if (missing.length)
    fail(
      null,
      "ledger-unprotected",
      `the ledger branch lacks the rules ${missing.join(", ")}: its history could be rewritten`,
    );
  const where = (s: LedgerFacts["settings"][number]) => `${s.repository ?? "(this repository)"} ${s.branch}`;
  for (const [i, s] of facts.settings.entries()) {
    const before = facts.settings[i - 1];
    if (before && where(before) !== where(s))
      fail(
        null,
        "ledger-moved",
        `the configuration moved the ledger from ${where(before)} to ${where(s)} at commit ${s.change.commit.slice(0, 12)}: the records before it are not audited here`,
      );
  }
  for (const k of facts.keys)
    if (!k.entered.pull)
      fail(
        null,
        "key-without-review",
        `record key ${k.kid} entered the configuration at commit ${k.entered.commit.slice(0, 12)}, which no merged pull request holds`,
      );
  return out;
}
