import type { AccessConfig } from "../../config/schema.js";
import type { GitHubIO } from "./rest.js";

/**
 * A configured login, or an active member of one of the configured teams (checked in order).
 * Membership is asked of GitHub for the event being handled — never remembered across events,
 * so a reviewer removed from a team loses their power at once. Repeated lookups cost little all
 * the same: they are conditional requests (see ConditionalCache), and a 304 is not counted
 * against the rate limit.
 */
export async function isReviewer(io: GitHubIO, config: AccessConfig, login: string): Promise<boolean> {
  const lower = login.toLowerCase();
  if (config.reviewers.logins.some((l) => l.toLowerCase() === lower)) return true;
  for (const team of config.reviewers.teams) {
    const [org, slug] = team.split("/") as [string, string];
    if (await io.isTeamMember(org, slug, login)) return true;
  }
  return false;
}
