import type { AccessConfig } from "../../config/schema.js";
import type { GitHubIO } from "./rest.js";

/**
 * Positive team memberships are remembered this long, per process: a reviewer running several
 * commands costs one membership lookup, and a removed reviewer loses their power within a
 * minute. Negative answers are never cached, so a newly added reviewer works at once.
 */
export const MEMBERSHIP_TTL_MS = 60_000;

export class ReviewerResolver {
  private readonly positive = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A configured login, or an active member of one of the configured teams (checked in order). */
  async isReviewer(io: GitHubIO, config: AccessConfig, login: string): Promise<boolean> {
    const lower = login.toLowerCase();
    if (config.reviewers.logins.some((l) => l.toLowerCase() === lower)) return true;
    for (const team of config.reviewers.teams) {
      const [org, slug] = team.split("/") as [string, string];
      const key = `${org.toLowerCase()}/${slug.toLowerCase()}:${lower}`;
      const until = this.positive.get(key);
      if (until !== undefined && until > this.now()) return true;
      if (await io.isTeamMember(org, slug, login)) {
        if (this.positive.size > 10_000) this.positive.clear();
        this.positive.set(key, this.now() + MEMBERSHIP_TTL_MS);
        return true;
      }
    }
    return false;
  }
}
