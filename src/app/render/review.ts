import type { AccessConfig } from "../../config/schema.js";
import type { AccessRecord } from "../../record/schema.js";
import { formatTime, inlineCode } from "./markdown.js";

/**
 * The reminder that a request's periodic access review is due: a new comment (an edited one
 * notifies nobody) mentioning the configured reviewer teams and logins — names from the
 * configuration on the default branch, validated by its schema.
 */
export function reviewReminder(config: AccessConfig, review: NonNullable<AccessRecord["review"]>): string {
  const who = [...config.reviewers.teams, ...config.reviewers.logins].map((name) => `@${name}`).join(" ");
  const overdue = review.state === "suspended";
  return [
    `${who || "Reviewers"}: the periodic access review of this request was due on ${formatTime(review.dueAt)}.`,
    "",
    overdue
      ? `Its tokens are **suspended** since ${formatTime(review.suspendAt)}: the API refuses them until a reviewer who is not the requester runs ${inlineCode("/recertify [note]")}.`
      : `A reviewer who is not the requester confirms the access is still needed with ${inlineCode("/recertify [note]")}, or ends it with ${inlineCode("/revoke-access REASON")}. Without a review, its tokens are suspended on ${formatTime(review.suspendAt)}.`,
  ].join("\n");
}

/** The status comment's lines on the review: when it is due, and what is suspended. */
export function reviewLines(record: AccessRecord): string[] {
  const review = record.review;
  if (!review) return [];
  const last = record.reviews?.at(-1);
  const since = last ? `last reviewed on ${formatTime(last.at)}` : "not reviewed since it went live";
  const state =
    review.state === "suspended"
      ? `**suspended**: the tokens are suspended in the status list since ${formatTime(review.suspendAt)} until a reviewer runs ${inlineCode("/recertify")}`
      : review.state === "due"
        ? `**due** since ${formatTime(review.dueAt)}: a reviewer runs ${inlineCode("/recertify")}; otherwise the tokens are suspended on ${formatTime(review.suspendAt)}`
        : `next due on ${formatTime(review.dueAt)}`;
  return ["### Access review", "", `Access review (${since}): ${state}.`, ""];
}
