import type { RebuiltFacts } from "../../record/schema.js";
import type { StateChange } from "../github/rest.js";

/**
 * What a rebuild of a lost record starts from (issue 18), decided from the issue's timeline —
 * which no one with write access can edit or delete, unlike the `/reject` comment — and its
 * state now. Pure.
 *
 * - The app closed the issue as not planned at some point: the request had been rejected, and
 *   rejected is final (`rejectedAt`, the newest such closing).
 * - Otherwise, if the issue is closed, or its timeline was too long to read whole, the app cannot
 *   tell: it was live, or rejected and reopened and closed by a person, or its access ended
 *   after it went live (which closes nothing: its issue was closed already), and no event the
 *   app can trust tells these apart. The request is held.
 * - An open issue the app never closed as not planned was never rejected (a rejection closes an
 *   open issue, and a rejected issue reopened by hand was closed as not planned before): it is
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
  return {
    at,
    issueState: issueState === "closed" ? "closed" : "open",
    ...(rejectedAt ? { rejectedAt } : {}),
    ...(changes === null ? { incomplete: true as const } : {}),
  };
}
