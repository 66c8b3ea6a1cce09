import { OneRecordError } from "../src/errors.js";
import { readBoundedBody } from "../src/record/bounded-body.js";
import { ledgerFilePath, MAX_HISTORY_BYTES, MAX_LEDGER_FILE_BYTES } from "../src/record/ledger-file.js";
import type { LedgerVersion } from "../src/record/ledger-history.js";
import { provenanceOf, type CommitProvenance } from "../src/record/provenance.js";
import { httpStatus, statusOf, type Octokit } from "./github.js";

/**
 * The ledger edge of the token workflow: reads `records/<issue>.json` at the head of the ledger
 * branch and the file's recent history, and nothing else. No judgement here (1-load.ts verifies
 * what this returns).
 */
export interface LedgerLocation {
  owner: string;
  repo: string;
  branch: string;
}

export type LedgerRead =
  | { kind: "file"; text: string | undefined; bytes: number }
  | { kind: "too-large" }
  | { kind: "no-file" }
  | { kind: "no-branch" };

/**
 * The raw media type: the file's bytes as they are, for files above 1 MB too (the JSON form
 * returns no content for those). "Repository contents", GitHub REST API documentation.
 */
const RAW = "application/vnd.github.raw+json";

/**
 * The file at the branch head (`ref` = the branch name). A 404 is told apart by asking for the
 * branch itself: a missing file and a missing branch get different reasons. The body is read as a
 * stream and refused beyond MAX_LEDGER_FILE_BYTES, so a hostile file is never buffered whole.
 * Text that is not UTF-8 comes back `undefined` (the verifier refuses it). Any other API failure
 * throws `io-error`: it says nothing about the record.
 */
export async function readLedgerFile(octokit: Octokit, at: LedgerLocation, issue: number): Promise<LedgerRead> {
  const read = await readFileAt(octokit, at, ledgerFilePath(issue), at.branch);
  if (read.kind !== "no-file") return read;
  return (await branchExists(octokit, at)) ? read : { kind: "no-branch" };
}

/**
 * The rules in force on the ledger branch (`GET …/rules/branches/<branch>`: every ruleset that
 * targets it; read access suffices, GITHUB_TOKEN always has it for its own repository), or the
 * HTTP status when they cannot be read (403, 404: a ledger repository this token cannot reach).
 * Any other failure throws `io-error`.
 */
export async function readLedgerRules(
  octokit: Octokit,
  at: LedgerLocation,
): Promise<{ ok: true; rules: Array<{ type: string }> } | { ok: false; status: number }> {
  try {
    const { data } = await octokit.rest.repos.getBranchRules({
      owner: at.owner,
      repo: at.repo,
      branch: at.branch,
      per_page: 100,
    });
    return { ok: true, rules: data.map((rule) => ({ type: rule.type })) };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403 || status === 404) return { ok: false, status };
    throw new OneRecordError(
      "io-error",
      `GitHub API: cannot read the rules of the branch ${at.branch} of ${at.owner}/${at.repo}${statusOf(error)}`,
      { cause: error },
    );
  }
}

/** How many versions of the file the replay check reads: the app's own bound (LedgerIO.history). */
export const LEDGER_HISTORY_LIMIT = 50;

/** The file's recent versions, and who made the newest (the head's commit). */
export interface LedgerHistoryRead {
  versions: LedgerVersion[];
  head: CommitProvenance | null;
}

/**
 * The file's versions on the branch, newest first, at most `limit`: the commits that touched it
 * (`GET commits?sha=<branch>&path=<file>`), then its text at each commit — pinned by commit sha,
 * so a write in between changes nothing read. `text` is null where a commit deleted the file, ""
 * where it is too large or not UTF-8 (the verifier refuses both). `head` is the provenance of
 * the newest commit, from the same listing.
 */
export async function readLedgerHistory(
  octokit: Octokit,
  at: LedgerLocation,
  issue: number,
  limit = LEDGER_HISTORY_LIMIT,
): Promise<LedgerHistoryRead> {
  const path = ledgerFilePath(issue);
  let commits: CommitProvenance[];
  try {
    const { data } = await octokit.rest.repos.listCommits({
      owner: at.owner,
      repo: at.repo,
      sha: at.branch,
      path,
      per_page: limit,
    });
    commits = data.map(provenanceOf);
  } catch (error) {
    throw new OneRecordError(
      "io-error",
      `GitHub API: cannot list the history of ${describe(at, path)}${statusOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const versions: LedgerVersion[] = [];
  let bytes = 0;
  for (const { sha: commit } of commits.slice(0, limit)) {
    // Past the budget the older versions are not fetched (`unread`): bounded work per run.
    if (bytes > MAX_HISTORY_BYTES) {
      versions.push({ commit, text: null, unread: true });
      continue;
    }
    const read = await readFileAt(octokit, at, path, commit);
    // Bytes as read (not UTF-16 units, and text that is not UTF-8 counts too).
    bytes += read.kind === "file" ? read.bytes : read.kind === "too-large" ? MAX_LEDGER_FILE_BYTES : 0;
    versions.push({ commit, text: read.kind === "no-file" ? null : read.kind === "file" ? (read.text ?? "") : "" });
  }
  return { versions, head: commits[0] ?? null };
}

/** The file at a ref (a branch or a commit sha), raw, bounded; a 404 is "no-file". */
async function readFileAt(
  octokit: Octokit,
  at: LedgerLocation,
  path: string,
  ref: string,
): Promise<Exclude<LedgerRead, { kind: "no-branch" }>> {
  let response: { headers: Record<string, unknown>; data: unknown };
  try {
    response = await octokit.rest.repos.getContent({
      owner: at.owner,
      repo: at.repo,
      path,
      ref,
      headers: { accept: RAW },
      request: { parseSuccessResponseBody: false },
    });
  } catch (error) {
    if (httpStatus(error) === 404) return { kind: "no-file" };
    throw new OneRecordError("io-error", `GitHub API: cannot read ${describe(at, path)}${statusOf(error)}`, {
      cause: error,
    });
  }
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_LEDGER_FILE_BYTES) {
    await discard(response.data);
    return { kind: "too-large" };
  }
  const { bytes, truncated } = await readBoundedBody(response.data, MAX_LEDGER_FILE_BYTES);
  if (truncated) return { kind: "too-large" };
  try {
    return { kind: "file", text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), bytes: bytes.length };
  } catch {
    return { kind: "file", text: undefined, bytes: bytes.length };
  }
}

/** "records/7.json on branch onerecord-access/records of acme/access-requests". */
export function describe(at: LedgerLocation, path: string): string {
  return `${path} on branch ${at.branch} of ${at.owner}/${at.repo}`;
}

/** Whether the branch exists: the exact ref (`git/ref/heads/…`), which, unlike the branches API, follows no rename. */
async function branchExists(octokit: Octokit, at: LedgerLocation): Promise<boolean> {
  try {
    await octokit.rest.git.getRef({ owner: at.owner, repo: at.repo, ref: `heads/${at.branch}` });
    return true;
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw new OneRecordError(
      "io-error",
      `GitHub API: cannot read the branch ${at.branch} of ${at.owner}/${at.repo}${statusOf(error)}`,
      { cause: error },
    );
  }
}

async function discard(body: unknown): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel();
}
