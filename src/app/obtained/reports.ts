import { createHash } from "node:crypto";
import { isAuthoredBy, type AuthoredComment } from "../../record/codec.js";
import { parseObtainedComment, type ObtainedBlock } from "../../record/obtained-comment.js";
import type { ProofResult } from "../../record/block-proof.js";
import type { AccessRecord } from "../../record/schema.js";
import { TOKEN_WORKFLOW_BOT } from "../../record/token-workflow.js";
import { attemptKey } from "../issuance/reports.js";
import type { RunFacts } from "../issuance/judge.js";
import { judgeObtainedReport, type ObtainedExpectations } from "./judge.js";

/**
 * The obtain workflow's reports (option 2), judged once each (pure): a report posted as the
 * workflow account, not yet in the record, with a valid proof and a run that checks out, becomes
 * `obtained` entries in the record, and the pull request that commits its certificates is opened
 * (`pulls`). A refused report is logged and never acted on. Reports the record already holds are
 * not judged again.
 */

export type ObtainedRecord = NonNullable<AccessRecord["obtained"]>[number];

export interface ObtainedCandidate {
  comment: number;
  /** When GitHub says the comment was posted: when the keys went on display. */
  postedAt: string;
  block: ObtainedBlock;
}

export interface PullToOpen {
  /** The branch the app creates from the default branch (one per report: opening twice is a no-op). */
  branch: string;
  title: string;
  body: string;
  files: Array<{ path: string; content: string }>;
}

/** Reports posted by the workflow account that the record does not hold yet: what `judgeObtained` needs observed. */
export function obtainedCandidates(
  comments: ReadonlyArray<AuthoredComment & { created_at: string }>,
  prior: Pick<AccessRecord, "obtained"> | null,
): ObtainedCandidate[] {
  const known = new Set((prior?.obtained ?? []).map((o) => o.comment));
  const out: ObtainedCandidate[] = [];
  for (const c of comments) {
    if (known.has(c.id) || !isAuthoredBy(c, TOKEN_WORKFLOW_BOT)) continue;
    const parsed = parseObtainedComment(c.body);
    if (parsed.ok) out.push({ comment: c.id, postedAt: c.created_at, block: parsed.block });
  }
  return out;
}

export function judgeObtained(input: {
  candidates: readonly ObtainedCandidate[];
  prior: Pick<AccessRecord, "obtained"> | null;
  /** The request is rejected or its access ended: no certificate is committed for it any more. */
  closed: boolean;
  proofs: ReadonlyMap<number, ProofResult> | null;
  runs: ReadonlyMap<string, RunFacts | null>;
  expected: ObtainedExpectations;
}): { obtained: ObtainedRecord[]; pulls: PullToOpen[]; refused: Array<{ comment: number; reason: string }> } {
  const obtained = [...(input.prior?.obtained ?? [])];
  const pulls: PullToOpen[] = [];
  const refused: Array<{ comment: number; reason: string }> = [];
  for (const { comment, postedAt, block } of input.candidates) {
    const proof = input.proofs?.get(comment);
    const reason = !proof
      ? "no report is accepted until the configuration publishes tokens.jwks"
      : !proof.ok
        ? proof.reason
        : input.closed
          ? "the request is rejected or its access ended"
          : (replayed(block, obtained) ??
            verdictReason(block, input.runs.get(attemptKey(block.runId, block.runAttempt)) ?? null, input.expected));
    if (reason) {
      refused.push({ comment, reason });
      continue;
    }
    for (const e of block.obtained)
      obtained.push({
        device: e.device,
        x5tS256: e.x5tS256,
        orderUrl: e.orderUrl,
        keyJweSha256: sha256(e.keyJwe),
        comment,
        runId: block.runId,
        at: postedAt,
      });
    pulls.push(pullOf(block, comment));
  }
  return { obtained: obtained.slice(-1000), pulls, refused };
}

/**
 * A copy of a report already accepted (another comment with the same content: a workflow on any
 * branch can post as github-actions[bot]) is refused: a key is delivered once, and its comment
 * once removed stays removed. Known by the key's SHA-256, and by the run attempt and device.
 */
function replayed(block: ObtainedBlock, known: readonly ObtainedRecord[]): string | null {
  const keys = new Set(known.map((o) => o.keyJweSha256));
  const runs = new Set(known.map((o) => `${o.runId}\u0000${o.device.toLowerCase()}`));
  for (const e of block.obtained) {
    if (keys.has(sha256(e.keyJwe))) return `it delivers again a key already delivered (${e.device})`;
    if (runs.has(`${block.runId}\u0000${e.device.toLowerCase()}`))
      return `run ${block.runId} already reported ${e.device}`;
  }
  return null;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

function verdictReason(block: ObtainedBlock, run: RunFacts | null, expected: ObtainedExpectations): string | null {
  const judged = judgeObtainedReport(block, run, expected);
  return judged.verdict === "accepted" ? null : judged.reason;
}

function pullOf(block: ObtainedBlock, comment: number): PullToOpen {
  const devices = block.obtained.map((e) => `\`${e.device}\``).join(", ");
  return {
    branch: `onerecord-access/obtained/${block.request}-${block.runId}-${block.runAttempt}-${comment}`,
    title: `Certificates obtained by OneRecord for request #${block.request}`,
    body: [
      `Device certificates OneRecord obtained on the customer's behalf (option 2) for request #${block.request}: ${devices}.`,
      "",
      ...block.obtained.map((e) => `- \`${e.device}\`: \`${e.identifier}\`, ACME order \`${e.orderUrl}\``),
      "",
      `From the obtain workflow's run ${block.runId} (attempt ${block.runAttempt}), whose signed report the app verified. The certificate check runs on this pull request as on any other; merge it once it passes.`,
    ].join("\n"),
    files: block.obtained.map((e) => ({ path: e.path, content: e.chainPem })),
  };
}
