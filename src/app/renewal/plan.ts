import type { AccessConfig } from "../../config/schema.js";
import type { AccessRecord } from "../../record/schema.js";
import { desiredLabels } from "../labels/view.js";
import type { IssueChange } from "../issue-change.js";
import type { SweepFacts } from "./sweep-facts.js";
import { boundReminders, newReminders, watchNextAt } from "./due.js";
import { reminderComment } from "./render.js";

/**
 * The expiry watch's part of a plan (pure; docs/app.md "Expiry watch"): at a sweep, the reminders
 * crossed and not yet recorded go into the record — whose compare-and-swap write makes each one
 * once, whatever the number of sweeps, instances or redeliveries — with one new comment for the
 * requester and the issue reopened; on every event, the request's entry in the due-date index
 * follows its record.
 */

export type { SweepFacts } from "./sweep-facts.js";

/**
 * The request's entry in the due-date index to write: `next` (null: remove it). `before` the
 * record when it moves earlier (a crash in between leaves the index early, never late: an early
 * entry only costs a look), `after` it otherwise, `deferred` in a sweep, which writes the changes
 * of all the requests it visited at once.
 */
export interface DueIndexChange {
  next: string | null;
  order: "before" | "after" | "deferred";
}

export interface RenewalPlan {
  record: AccessRecord;
  reply: string | null;
  reopen: boolean;
  dueIndex: DueIndexChange | null;
}

export function planRenewal(
  o: { prior: AccessRecord | null; config: AccessConfig; sweep?: SweepFacts | null | undefined },
  assembled: AccessRecord,
): RenewalPlan {
  const days = o.config.renewal.reminderDays;
  const carried = o.prior?.reminders ?? [];
  const { reminders: _drop, dueIndexed: _dropped, ...base } = assembled;
  const fresh = o.sweep ? newReminders({ ...base, reminders: carried }, o.sweep.at, days) : [];
  const reminders = boundReminders(base, [...carried, ...fresh]);
  const reminded: AccessRecord = reminders.length ? { ...base, reminders } : base;
  // The sweep looks at the request at its next renewal reminder or access-review step, whichever is first.
  const next = watchNextAt(reminded, days, o.config.certificates.onBehalf?.keyCommentDays);
  // What the index holds for the request: what the sweep read there, else what the record says
  // the app last wrote (a record from before the index has none: its first event enters it).
  const indexed = o.sweep ? o.sweep.indexed : (o.prior?.dueIndexed ?? null);
  const moved = next !== indexed;
  const earlier = next !== null && (indexed === null || Date.parse(next) < Date.parse(indexed));
  const dueIndex: DueIndexChange | null = moved
    ? { next, order: o.sweep ? "deferred" : earlier ? "before" : "after" }
    : null;
  const keep = next !== null || o.prior?.dueIndexed !== undefined;
  const record = keep ? { ...reminded, dueIndexed: next } : reminded;
  return {
    record,
    reply: fresh.length ? reminderComment(record, o.config, fresh) : null,
    reopen: fresh.length > 0,
    dueIndex,
  };
}

/**
 * The views of a plan with the renewal's: the reminder posted with the replies, and the issue
 * reopened when a reminder was recorded now (the requester has something to do). Labels are the
 * record's view already (`needs: renewal`, src/app/labels/view.ts).
 */
export function withRenewal<P extends { replies: string[]; issue: IssueChange | null }>(
  plan: P,
  renewal: RenewalPlan,
  issue: { state: string; labels: ReadonlyArray<{ name: string }> },
  config: AccessConfig,
): P & { dueIndex: DueIndexChange | null } {
  const replies = renewal.reply ? [...plan.replies, renewal.reply] : plan.replies;
  if (!renewal.reopen || issue.state !== "closed") return { ...plan, replies, dueIndex: renewal.dueIndex };
  const labels =
    plan.issue?.labels ??
    desiredLabels(
      issue.labels.map((l) => l.name),
      renewal.record,
      config,
    );
  const reopened: IssueChange = { labels, state: "open", stateReason: "reopened" };
  return { ...plan, replies, issue: reopened, dueIndex: renewal.dueIndex };
}
