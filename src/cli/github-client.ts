import { Octokit } from "@octokit/rest";
import { OneRecordError } from "../errors.js";
import { VERSION } from "./version.js";

/**
 * The GitHub client of the CLI's commands that read a repository (`audit`, `report`): the token
 * from GITHUB_TOKEN only (never an argument: arguments end up in shell history), GITHUB_API_URL
 * for GitHub Enterprise, and `--repo OWNER/NAME` checked once.
 */
export function githubClient(env: Record<string, string | undefined>, fetchImpl?: typeof fetch): Octokit {
  if (!env.GITHUB_TOKEN)
    throw new OneRecordError("usage", "set GITHUB_TOKEN (read access to the repository and its ledger)");
  return new Octokit({
    auth: env.GITHUB_TOKEN,
    baseUrl: (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/$/, ""),
    userAgent: `onerecord-access/${VERSION}`,
    ...(fetchImpl ? { request: { fetch: fetchImpl } } : {}),
  });
}

export function repoOption(value: unknown): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})$/.exec(typeof value === "string" ? value : "");
  if (!match) throw new OneRecordError("usage", "--repo OWNER/NAME is required");
  return { owner: match[1]!, repo: match[2]! };
}
