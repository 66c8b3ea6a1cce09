import type { RebuiltFacts } from "../../record/schema.js";
import type { StateChange } from "../github/rest.js";

/**
 * What a rebuild of a lost record starts from (issue 18), decided from the issue's timeline —
 * which no one with write access can edit or delete, unlike the `/reject` comment — and its
 * state now. Pure.
 *
 * - The app closed the issue as not planned at some point: the request had been rejected, and
 *   rejected is final (`rejectedAt`, the newest such closing).
 * - Otherwise, if the issue is closed, was ever closed (by anyone), or its timeline was too long
 *   to read whole, the app cannot tell: it was live, or rejected while a person had closed it
 *   (a rejection of a closed issue closes nothing), or its access ended after it went live, and
 *   no event the app can trust tells these apart. The request is held.
 * - An issue that was never closed was never rejected (a rejection closes an open issue): it is
 *   rebuilt as before, its old commands not replayed, its reviewers asked again.
 */
export function rebuiltFacts(
  changes: readonly StateChange[] | null,
  issueState: string,
  botLogin: string,
  at: string,
): RebuiltFacts {
  const bot = botLogin.toLowerCase();
  const rejections = (changes ?? []).filter(
    (c) => c.event === "closed" && c.by?.toLowerCase() === bot && c.stateReason === "not_planned",
  );
  const rejectedAt = rejections
    .map((c) => c.at)
    .sort()
    .at(-1);
  const everClosed = (changes ?? []).some((c) => c.event === "closed");
  return {
    at,
    issueState: issueState === "closed" ? "closed" : "open",
    ...(everClosed ? { everClosed: true as const } : {}),
    ...(rejectedAt ? { rejectedAt } : {}),
    ...(changes === null ? { incomplete: true as const } : {}),
  };
}
