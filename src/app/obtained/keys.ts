import type { AccessRecord } from "../../record/schema.js";

/**
 * When the comments holding option 2's encrypted device keys go (issue 20; docs/option-2.md),
 * pure: after the requester's `/keys-received` written after the comment, or
 * `certificates.onBehalf.keyCommentDays` after it was posted, whichever is first. The keys are
 * encrypted to the customer's delivery key; removing them bounds how long a ciphertext is on
 * display. The record notes each removal before the comment is deleted.
 */

export type KeysRemoved = NonNullable<AccessRecord["keysRemoved"]>[number];

const DAY = 86_400_000;

/** `certificates.onBehalf.keyCommentDays`'s default, for a record read under a configuration without it. */
export const DEFAULT_KEY_COMMENT_DAYS = 14;

/** Each key comment not removed yet, with when it was posted. */
function keyComments(record: Pick<AccessRecord, "obtained" | "keysRemoved">): Map<number, string> {
  const removed = new Set((record.keysRemoved ?? []).map((r) => r.comment));
  const posted = new Map<number, string>();
  for (const o of record.obtained ?? [])
    if (!removed.has(o.comment) && (!posted.has(o.comment) || o.at < posted.get(o.comment)!))
      posted.set(o.comment, o.at);
  return posted;
}

export function keyCommentsToRemove(
  record: Pick<AccessRecord, "obtained" | "keysRemoved" | "commands">,
  keyCommentDays: number,
  now: string,
): KeysRemoved[] {
  const received = record.commands.filter((c) => c.name === "keys-received" && c.outcome === "accepted");
  const out: KeysRemoved[] = [];
  for (const [comment, at] of keyComments(record)) {
    const by = received.find((c) => Date.parse(c.at) >= Date.parse(at));
    if (by) out.push({ comment, at: now, why: "keys-received", by: by.by });
    else if (Date.parse(now) >= Date.parse(at) + keyCommentDays * DAY) out.push({ comment, at: now, why: "expired" });
  }
  return out;
}

/** When the next key comment expires (the expiry watch looks then), or null. */
export function nextKeyExpiry(
  record: Pick<AccessRecord, "obtained" | "keysRemoved">,
  keyCommentDays: number,
): string | null {
  const times = [...keyComments(record).values()].map((at) => Date.parse(at) + keyCommentDays * DAY);
  return times.length ? new Date(Math.min(...times)).toISOString() : null;
}
