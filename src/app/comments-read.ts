import { findStatusComment } from "../record/codec.js";
import type { AccessRecord } from "../record/schema.js";
import type { SyncDeps, Trigger } from "./deps.js";
import type { CommentData } from "./github/rest.js";
import { hasIncompleteRun } from "./issuance/reports.js";

/**
 * Which of the issue's comments an event reads (issue 22): what changed since the record, not
 * the whole thread. I/O only.
 *
 * The record the app verified at the ledger head says how far the comments were read
 * (`commentsRead.through`: the newest `updated_at` the observation behind it listed; each comment
 * listed then is accounted for in that record — its command lines in `commands` or `ignored`, an
 * issuance report in `issuanceComments`, an obtain report in `obtained`). So an event lists only
 * the comments GitHub last updated since then (`since`, one second before, for GitHub's
 * one-second times), and reads by id the two kinds of older comment it still needs: the status
 * comment the record names (`commentsRead.status`; its body decides whether the view is written
 * again) and the issuance reports the record holds as pending (judged again until their run has
 * completed). Nothing in a comment is trusted for this: which comments to read comes from the
 * signed record, and `since` filters on GitHub's own time, which no edit can set back (an edit
 * moves `updated_at` forward, so an edited comment is read again, and judged as before: a
 * comment the record has seen keeps what the record says of it).
 *
 * Every comment is listed, as before, whenever there is no such record: a new request, a record
 * from before this field, a head that is not the app's verified record (tampering, deletion, a
 * rebuild, a migration) — what the ledger then decides from may depend on any comment.
 */
export interface CommentsRead {
  /** The comments read: the listing (with the triggering comment), then those read by id. */
  comments: CommentData[];
  /** Whether `comments` is the whole thread (no `since`). */
  full: boolean;
  status: CommentData | null;
  /** What the record written from this observation says of the reading; absent while no comment was listed. */
  read: AccessRecord["commentsRead"];
}

export async function readComments(
  deps: SyncDeps,
  issue: number,
  trigger: Trigger,
  record: AccessRecord | null,
): Promise<CommentsRead> {
  // A run with a part never read (a listing skipped it) is read whole, until every part is.
  const since = record && !hasIncompleteRun(record.issuanceComments) ? record.commentsRead?.through : undefined;
  // The reports held as pending are listed again from the oldest of them (one listing), not read
  // one by id: a 500-device run's 28 parts were 28 requests at its completion.
  const pendingSince = record?.commentsRead?.pendingSince;
  const from = since && oldest([since, pendingSince]);
  const listed = await deps.io.listComments(issue, from ? secondBefore(from) : undefined);
  const seen = withTriggerComment(listed, trigger);
  const comments = record ? [...seen, ...(await readOlder(deps, seen, record))] : seen;
  // Only the listing moves the horizon: a comment read by id may have changed after the listing,
  // and a comment written in between must not fall behind it.
  const through = newest([since, ...listed.map((c) => c.updated_at)]);
  const status = findStatusComment(comments, deps.botLogin) ?? null;
  return {
    comments,
    full: !since,
    status,
    read: through ? { through, ...(status ? { status: status.id } : {}) } : undefined,
  };
}

/**
 * The older comments still needed that the listing did not give (not changed since): the status
 * comment the record names, and the issuance reports it holds as pending. Gone (404): left out.
 */
async function readOlder(deps: SyncDeps, listed: readonly CommentData[], record: AccessRecord): Promise<CommentData[]> {
  const have = new Set(listed.map((c) => c.id));
  // A pending report the listing did not hold is read by id, `pendingSince` or not: comments
  // deleted between a listing's pages shift the rest, so a listing can skip one that is there.
  const pending = record.issuanceComments.filter((j) => j.pending);
  const wanted = [
    ...(record.commentsRead?.status ? [record.commentsRead.status] : []),
    ...pending.map((j) => j.comment),
  ];
  const out: CommentData[] = [];
  for (const id of new Set(wanted)) {
    if (have.has(id)) continue;
    const comment = await deps.io.getComment(id);
    if (comment) out.push(comment);
  }
  return out;
}

/** The listing, with the triggering comment as the payload carried it (see `Trigger`). */
function withTriggerComment(listed: CommentData[], trigger: Trigger): CommentData[] {
  if (trigger.kind !== "comment") return listed;
  const c = trigger.created ? { ...trigger.comment, updated_at: trigger.comment.created_at } : trigger.comment;
  if (!listed.some((l) => l.id === c.id)) return [...listed, c];
  return trigger.created ? listed.map((l) => (l.id === c.id ? c : l)) : listed;
}

/** The latest of ISO times (absent ones left out), or undefined when there is none. */
export function newest(times: ReadonlyArray<string | undefined>): string | undefined {
  return pick(times, (t, best) => Date.parse(t) > Date.parse(best));
}

/** The earliest of ISO times (absent ones left out), or undefined when there is none. */
export function oldest(times: ReadonlyArray<string | undefined>): string | undefined {
  return pick(times, (t, best) => Date.parse(t) < Date.parse(best));
}

function pick(
  times: ReadonlyArray<string | undefined>,
  better: (t: string, best: string) => boolean,
): string | undefined {
  let best: string | undefined;
  for (const t of times) if (t && (!best || better(t, best))) best = t;
  return best;
}

function secondBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
