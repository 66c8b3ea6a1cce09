import type { ProofResult } from "../../record/block-proof.js";
import { verifyObtainedProof } from "../../record/obtained-comment.js";
import type { AccessRecord } from "../../record/schema.js";
import type { SyncDeps } from "../deps.js";
import type { CommentData } from "../github/rest.js";
import type { RunFacts } from "../issuance/judge.js";
import { attemptKey } from "../issuance/reports.js";
import { obtainedCandidates, type ObtainedCandidate } from "./reports.js";

/** What judging option 2's reports needs, read once (I/O): the candidates, their proofs, their runs. */
export interface ObservedObtained {
  candidates: ObtainedCandidate[];
  proofs: ReadonlyMap<number, ProofResult> | null;
  runs: ReadonlyMap<string, RunFacts | null>;
}

export async function observeObtained(
  deps: SyncDeps,
  comments: readonly CommentData[],
  prior: AccessRecord | null,
): Promise<ObservedObtained | null> {
  const candidates = obtainedCandidates(comments, prior);
  if (candidates.length === 0) return null;
  const jwks = deps.config.tokens.jwks;
  const proofs = jwks ? new Map<number, ProofResult>() : null;
  const runs = new Map<string, RunFacts | null>();
  for (const c of candidates) {
    if (!proofs || !jwks) break;
    let proof: ProofResult;
    try {
      proof = await verifyObtainedProof(c.block, jwks);
    } catch {
      proof = { ok: false, reason: "the configured tokens.jwks holds no usable key" };
    }
    proofs.set(c.comment, proof);
    const key = attemptKey(c.block.runId, c.block.runAttempt);
    // Only a proven report costs a request: anyone can post a block.
    if (proof.ok && !runs.has(key))
      runs.set(key, await deps.io.getWorkflowRunAttempt(c.block.runId, c.block.runAttempt));
  }
  return { candidates, proofs, runs };
}
