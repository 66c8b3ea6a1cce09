import type { AccessRecord, CertificateRecord } from "../record/schema.js";
import type { AuditRule } from "./types.js";

/**
 * The rules an audit replays on a request's newest valid version (issue 21). Its facts accumulate
 * the earlier versions' (commands, pull requests, tokens, revocations), so one version holds the
 * whole story; certificates a renewal replaced are given from the earlier versions (`everMerged`).
 * Pure.
 */
export interface RuleFailure {
  rule: AuditRule;
  reason: string;
}

export function ruleFailures(record: AccessRecord, everMerged: readonly CertificateRecord[]): RuleFailure[] {
  return [
    ...approvalFailures(record),
    ...certificateFailures(record, everMerged),
    ...tokenFailures(record, everMerged),
  ];
}

/** Every approval by a reviewer then, who is not the requester (by user id), of the form version in effect. */
function approvalFailures(record: AccessRecord): RuleFailure[] {
  const out: RuleFailure[] = [];
  const approvals = record.commands.filter((c) => c.name === "approve-certification" && c.outcome === "accepted");
  for (const a of approvals) {
    const where = `the approval of ${a.at} by ${a.by}`;
    if (!a.reviewer) out.push({ rule: "approval-not-reviewer", reason: `${where}: not a reviewer when it was given` });
    const sameId = a.byId !== undefined && record.requesterId !== undefined;
    const requester = sameId ? a.byId === record.requesterId : a.by.toLowerCase() === record.requester.toLowerCase();
    if (requester)
      out.push({ rule: "approval-by-requester", reason: `${where}: the requester approved their own request` });
    if (a.beforeForm || !a.requestSha256)
      out.push({ rule: "approval-form-version", reason: `${where}: not bound to the form version in effect` });
  }
  const c = record.certification;
  if (c) {
    if (!approvals.some((a) => a.by === c.by && a.requestSha256 === c.requestSha256))
      out.push({
        rule: "approval-not-reviewer",
        reason: `certification by ${c.by} at ${c.at} has no accepted approval behind it`,
      });
    if (record.request && record.request.sha256 !== c.requestSha256)
      out.push({ rule: "approval-form-version", reason: "the request in effect is not the version that was approved" });
  }
  return out;
}

/** Certificates recorded only from merged pull requests, judged valid at the merge. */
function certificateFailures(record: AccessRecord, everMerged: readonly CertificateRecord[]): RuleFailure[] {
  const out: RuleFailure[] = [];
  const merged = new Map(record.pullRequests.filter((p) => p.state === "merged").map((p) => [p.number, p]));
  for (const cert of everMerged) {
    const pr = merged.get(cert.pr);
    if (!pr || (pr.mergedCommit && pr.mergedCommit !== cert.mergedCommit))
      out.push({
        rule: "certificate-not-merged",
        reason: `${cert.device}'s certificate names pull request #${cert.pr}, which the record does not have merged at ${cert.mergedCommit.slice(0, 12)}`,
      });
  }
  return out;
}

/**
 * Tokens only after an approval, for a certificate recorded valid before them, from a run of this
 * repository (the app checked the run's workflow file, branch and success when it accepted the
 * report, src/app/issuance/); revocations after the token they revoke.
 */
function tokenFailures(record: AccessRecord, everMerged: readonly CertificateRecord[]): RuleFailure[] {
  const out: RuleFailure[] = [];
  const approvals = record.commands
    .filter((c) => c.name === "approve-certification" && c.outcome === "accepted")
    .map((c) => Date.parse(c.at));
  const runs = new Set(record.issuanceComments.filter((i) => i.accepted && i.runUrl).map((i) => i.runUrl));
  // The host the request lives on (github.com, or a GitHub Enterprise server), from its own address.
  const origin = /^https:\/\/[^/]+/.exec(record.issueUrl)?.[0] ?? "https://github.com";
  const runOfRepository = new RegExp(
    `^${escapeRegExp(origin)}/${escapeRegExp(record.repository)}/actions/runs/\\d+`,
    "i",
  );
  // A token pruned to a stand-in (src/app/state/bounds.ts: no jti, its thumbprint dropped once its
  // certificate was) keeps its device, run and time only: those are checked, its binding cannot be.
  for (const token of record.issuance) {
    const at = Date.parse(token.issuedAt ?? token.at);
    const what = `token ${token.jti || "(pruned)"} for ${token.device}`;
    if (!approvals.some((t) => t <= at))
      out.push({
        rule: "token-before-approval",
        reason: `${what}: issued at ${token.issuedAt ?? token.at}, before any approval`,
      });
    const bound =
      !token.x5tS256 ||
      everMerged.some(
        (c) =>
          c.verdict === "valid" &&
          c.fingerprintSha256 &&
          x5tOf(c.fingerprintSha256) === token.x5tS256 &&
          Date.parse(c.mergedAt) <= at,
      );
    if (!bound)
      out.push({
        rule: "token-unknown-certificate",
        reason: `${what}: bound to a certificate not recorded valid before it`,
      });
    if (!runOfRepository.test(token.runUrl) || (runs.size > 0 && !runs.has(token.runUrl)))
      out.push({
        rule: "token-run",
        reason: `${what}: its run is not an accepted run of this repository's token workflow`,
      });
  }
  for (const r of record.revocations ?? []) {
    const token = record.issuance.find((t) => t.jti === r.jti);
    if (token && Date.parse(r.at) < Date.parse(token.at))
      out.push({ rule: "revocation-order", reason: `the revocation of ${r.jti} at ${r.at} comes before the token` });
  }
  return out;
}

/** RFC 8705 `x5t#S256` from the colon-hex SHA-256 the record keeps of a certificate's DER. */
export function x5tOf(colonHex: string): string {
  return Buffer.from(colonHex.replace(/:/g, ""), "hex").toString("base64url");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
