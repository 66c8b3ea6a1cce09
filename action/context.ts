import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { OneRecordError } from "../src/errors.js";

/**
 * What the runner tells the Action about the run, read from the environment once. Kept apart from
 * @actions/github's `context` (built when the module loads) so tests can hand in any environment.
 */
export interface RunContext {
  eventName: string;
  /** The checked-out repository: the PR head on pull_request events. Read as data, never run. */
  workspace: string;
  /** Where the JSON report goes. */
  tempDir: string;
  apiUrl: string;
  owner: string;
  repo: string;
  pullRequest: PullRequestContext | undefined;
}

export interface PullRequestContext {
  number: number;
  /** The base branch commit: configuration (and so trust) is read from here, never from the head. */
  baseRef: string;
  /** As the event reports it; lets us notice a file list the API truncated. */
  changedFiles: number | undefined;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const payload = readEventPayload(env.GITHUB_EVENT_PATH);
  const [owner, repo] = repository(env, payload);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? "",
    workspace: resolve(env.GITHUB_WORKSPACE || process.cwd()),
    tempDir: env.RUNNER_TEMP || tmpdir(),
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    owner,
    repo,
    pullRequest: pullRequestOf(payload),
  };
}

type Payload = Record<string, unknown>;

function readEventPayload(path: string | undefined): Payload {
  if (!path || !existsSync(path)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return value && typeof value === "object" ? (value as Payload) : {};
  } catch {
    throw new OneRecordError("io-error", "GITHUB_EVENT_PATH does not hold a JSON event payload");
  }
}

function repository(env: NodeJS.ProcessEnv, payload: Payload): [string, string] {
  const full = env.GITHUB_REPOSITORY || stringAt(payload, ["repository", "full_name"]) || "";
  const [owner, repo] = full.split("/");
  return [owner ?? "", repo ?? ""];
}

function pullRequestOf(payload: Payload): PullRequestContext | undefined {
  const pr = payload.pull_request;
  if (!pr || typeof pr !== "object") return undefined;
  const number = (pr as Payload).number;
  const baseRef =
    stringAt(payload, ["pull_request", "base", "sha"]) ?? stringAt(payload, ["pull_request", "base", "ref"]);
  if (typeof number !== "number" || !baseRef) {
    throw new OneRecordError(
      "io-error",
      "the pull_request event payload lacks the pull request number or its base commit",
    );
  }
  const changed = (pr as Payload).changed_files;
  return { number, baseRef, changedFiles: typeof changed === "number" ? changed : undefined };
}

function stringAt(value: unknown, path: string[]): string | undefined {
  let at = value;
  for (const key of path) {
    if (!at || typeof at !== "object") return undefined;
    at = (at as Payload)[key];
  }
  return typeof at === "string" && at.length > 0 ? at : undefined;
}
