import type { AccessRecord } from "../record/schema.js";
import { apply } from "./apply.js";
import type { SyncDeps, Trigger } from "./deps.js";
import type { IssueData } from "./github/rest.js";
import { observe, type EventMemo } from "./observe.js";
import { plan } from "./plan.js";

export type { Log, PullTrigger, SyncDeps, Trigger } from "./deps.js";

export interface SyncResult {
  status: "not-a-request" | "synced";
  record?: AccessRecord;
  wroteComment: boolean;
  wroteIssue: boolean;
  replies: number;
  rounds: number;
  /** A sweep's change to the request's due-date index entry (`next`; null: remove), written by the sweep. */
  dueIndex?: { next: string | null };
}

/**
 * Rounds of observe → plan → apply when another instance wrote the ledger first, or a comment
 * appeared while writing (`Applied.raced`).
 * Past them the event ends without writing: its lines are still unseen and the next event (or
 * the other instance's) records them — no lost update, no failed delivery.
 */
const MAX_ROUNDS = 5;

/**
 * One request, brought up to date: observe everything once (`observe.ts`), decide everything
 * from that (`plan.ts`, pure), write only what changed (`apply.ts`). The state is recomputed
 * from the whole recorded history every time. When the ledger's compare-and-swap finds another
 * writer first, go round again:
 * a later round reuses what this event already learnt (reviewer answers, merge verdicts).
 */
export async function syncRequest(deps: SyncDeps, issueIn: IssueData, trigger: Trigger): Promise<SyncResult> {
  const memo: EventMemo = { roles: new Map(), forceLabels: false };
  const total = { wroteComment: false, wroteIssue: false, replies: 0 };
  let issue = issueIn;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const observation = await observe(deps, issue, trigger, round, memo);
    if (!observation) return { status: "not-a-request", ...total, rounds: round };
    const decided = plan(observation);
    memo.forceLabels = decided.forceLabels;
    const applied = await apply(deps, observation.issue, decided);
    const due = decided.dueIndex?.order === "deferred" ? { dueIndex: { next: decided.dueIndex.next } } : {};
    total.wroteComment ||= applied.wroteComment;
    total.wroteIssue ||= applied.wroteIssue;
    total.replies += applied.replies;
    if (!applied.raced)
      return {
        status: "synced",
        ...(decided.record ? { record: decided.record } : {}),
        ...total,
        rounds: round,
        ...due,
      };
    // Another instance wrote the ledger first, or a comment appeared: observe again. The PATCH's
    // answer, when there was one, is the newest issue; its body and time are still the observed ones.
    const current = applied.issue ?? observation.issue;
    issue = { ...current, body: observation.issue.body, updated_at: observation.issue.updated_at };
    deps.log.info({ issue: issue.number, round }, "another writer touched the request meanwhile: recomputing");
  }
  return { status: "synced", ...total, rounds: MAX_ROUNDS };
}

export { configProblemId } from "./config-notice.js";
