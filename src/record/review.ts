import type { AccessRecord } from "./schema.js";

/**
 * The periodic access review (issue 19; SOC 2 CC6.2–CC6.3, HIPAA §164.308(a)(4)), decided at a
 * time, pure. A request that went live is due for review `access.reviewEvery` days after it went
 * live or after its last `/recertify`, whichever is later; `access.reviewGrace` days after that
 * its tokens are suspended (the status list says so) until a reviewer recertifies. Null for a
 * request that never went live, and for an ended or rejected one (nothing left to review).
 */
export function reviewOf(
  record: Pick<AccessRecord, "stage" | "transitions" | "reviews">,
  access: { reviewEvery: number; reviewGrace: number },
  now: string,
): NonNullable<AccessRecord["review"]> | null {
  if (record.stage === "ended" || record.stage === "rejected") return null;
  const wentLive = record.transitions.find((t) => t.to === "live")?.at;
  const reviewed = record.reviews?.at(-1)?.at;
  const base = [wentLive, reviewed]
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  if (!base) return null;
  const day = 86_400_000;
  const due = Date.parse(base) + access.reviewEvery * day;
  const suspend = due + access.reviewGrace * day;
  const at = Date.parse(now);
  return {
    dueAt: new Date(due).toISOString(),
    suspendAt: new Date(suspend).toISOString(),
    state: at >= suspend ? "suspended" : at >= due ? "due" : "current",
  };
}

/**
 * When the review next needs the app to look at the request (the expiry watch's due-date index):
 * at the due date to remind the reviewers, at the end of the grace to suspend the tokens; null
 * once suspended (a `/recertify` is an event of its own) or without a review.
 */
export function reviewNextAt(record: Pick<AccessRecord, "review">): string | null {
  const review = record.review;
  if (!review || review.state === "suspended") return null;
  return review.state === "current" ? review.dueAt : review.suspendAt;
}
