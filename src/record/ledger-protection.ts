/**
 * The ledger branch's protection, a checked precondition (../shared/SPEC.md G; issue 18): the
 * git history of `records/<n>.json` is the audit trail and the only memory of a rejection, so a
 * branch that can be deleted or force-pushed can lose a `/reject` (the app would rebuild the
 * request) or be rolled back to an older genuine commit (the token workflow would issue for a
 * rejected request). The app and the token workflow read the rules in force on the branch —
 * GitHub's "Get rules for a branch" (`GET /repos/{owner}/{repo}/rules/branches/{branch}`), which
 * needs only read access and lists the active rules of every ruleset that targets the branch —
 * and neither advances nor issues without the rules below. Linear history, because a merge
 * commit whose tree holds an older genuine version hides, in the path-filtered commit listing
 * both read, the versions after it (git's history simplification). Pure.
 *
 * Classic branch protection is not read: what it allows (force pushes, deletions) is visible
 * only to administrators, so a ruleset is required (docs/app.md, "The ledger branch's ruleset").
 */

/** The rules that must be in force on the ledger branch, as GitHub names their types. */
export const REQUIRED_LEDGER_RULES = ["deletion", "non_fast_forward", "required_linear_history"] as const;
export type RequiredLedgerRule = (typeof REQUIRED_LEDGER_RULES)[number];

/** What each missing rule is called in GitHub's ruleset editor. */
const RULE_NAMES: Record<RequiredLedgerRule, string> = {
  deletion: "Restrict deletions",
  non_fast_forward: "Block force pushes",
  required_linear_history: "Require linear history",
};

export const LEDGER_RULESET_DOCS = "docs/app.md#the-ledger-branchs-ruleset";

/** The required rules that are not in force, given the rules GitHub lists for the branch. */
export function missingLedgerRules(rules: ReadonlyArray<{ type?: unknown }>): RequiredLedgerRule[] {
  const active = new Set(rules.map((r) => r.type));
  return REQUIRED_LEDGER_RULES.filter((rule) => !active.has(rule));
}

/**
 * Why the ledger cannot be trusted, naming exactly what to configure; null when both rules are
 * in force. `where`: the branch and repository, e.g. "onerecord-access/records of acme/requests".
 */
export function ledgerProtectionProblem(
  rules: ReadonlyArray<{ type?: unknown }>,
  at: { owner: string; repo: string; branch: string },
): string | null {
  const missing = missingLedgerRules(rules);
  if (missing.length === 0) return null;
  const quoted = missing.map((m) => `“${RULE_NAMES[m]}”`);
  const names = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}` : quoted[0]!;
  return (
    `the ledger branch ${at.branch} of ${at.owner}/${at.repo} is not protected: add a branch ruleset ` +
    `targeting it with ${names} (Settings → Rules → Rulesets; ${LEDGER_RULESET_DOCS}); ` +
    `without it the branch could be deleted or force-pushed back and a rejection lost`
  );
}
