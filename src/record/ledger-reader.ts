import { OneRecordError } from "../errors.js";
import { readBoundedBody } from "./bounded-body.js";
import { gitBlobSha } from "./git-blob.js";
import { ledgerFilePath, MAX_HISTORY_BYTES, MAX_LEDGER_FILE_BYTES } from "./ledger-file.js";
import type { LedgerVersion, ListedVersion } from "./ledger-history.js";
import { provenanceOf, type CommitProvenance, type ListedCommit } from "./provenance.js";

/**
 * The ledger's read routes, one client for the app (src/app/github/ledger.ts, which adds the
 * writes) and the token workflow (action/ledger.ts): `records/<issue>.json` on the ledger branch
 * as the commit that last touched it left it, the file's versions, and the rules in force on the
 * branch. Only `octokit.rest.*` and `octokit.graphql`, so the app's Probot client and the
 * Action's @actions/github client both fit `LedgerOctokit`. Nothing here judges a file (that is
 * `verifyRecordFile` / `verifyLedgerHistory`). GitHub's errors are thrown as they came, each
 * caller saying them in its own terms (the app by status, the Action as `io-error`).
 */

export interface LedgerLocation {
  owner: string;
  repo: string;
  branch: string;
}

/** Who made the commit that last touched the file (src/record/provenance.ts). */
export type HeadCommit = CommitProvenance;

/** A file's text and its blob sha (the contents API's `sha`, for compare-and-swap). */
export interface CachedFile {
  text: string;
  sha: string;
}

/**
 * The file at the branch head: its text, its blob sha, and the commit that put it there. What is
 * trusted is the commit (who made it), never the content alone: a byte-identical copy of a
 * genuine version, committed by someone else, has the same blob sha and a different commit.
 */
export interface LedgerHead extends CachedFile {
  commit: HeadCommit;
}

export type LedgerRead = LedgerHead | { deleted: HeadCommit } | null;

/** A file's first bytes at a ref, at most MAX_LEDGER_FILE_BYTES + 1, and whether there were more. */
export interface FileBytes {
  bytes: Uint8Array;
  truncated: boolean;
}

/** The routes this module calls, as both clients type them (method syntax: either client's parameters fit). */
export interface LedgerOctokit {
  rest: {
    repos: {
      getContent(params: {
        owner: string;
        repo: string;
        path: string;
        ref?: string;
        mediaType?: { format?: string };
        request?: { parseSuccessResponseBody?: boolean };
      }): Promise<{ headers: Record<string, unknown>; data: unknown }>;
      listCommits(params: {
        owner: string;
        repo: string;
        sha?: string;
        path?: string;
        per_page?: number;
        page?: number;
      }): Promise<{ data: ListedCommit[] }>;
      getBranchRules(params: {
        owner: string;
        repo: string;
        branch: string;
        per_page?: number;
      }): Promise<{ data: Array<{ type: string }> }>;
    };
    git: { getRef(params: { owner: string; repo: string; ref: string }): Promise<unknown> };
  };
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

/**
 * How many of the file's newest commits `history` lists (one request) when it keeps only some:
 * someone with push access would have to push more than this many commits to hide the app's
 * versions (and the ledger's ruleset, with *Restrict updates*, lets nobody but the app push).
 */
export const HISTORY_LISTED = 100;
/** How many versions' texts `history` fetches at once (GitHub discourages bursts of parallel calls). */
const HISTORY_PARALLEL = 4;

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export class LedgerReader {
  constructor(
    private readonly client: LedgerOctokit,
    readonly at: LedgerLocation,
  ) {}

  /**
   * `records/<issue>.json` as the commit that last touched it on the branch left it, with that
   * commit's provenance (see `HeadCommit`): one listing of the file's commits, then the text at
   * that very commit unless `cached` holds it — so what is read and who made it are one pinned
   * pair, and a head the process knows costs one request. `{ deleted }` when the last commit
   * deleted the file; null when no commit touched the path or the branch does not exist.
   * `sha` is git's id of the bytes read, which is the contents API's `sha` of a regular file;
   * were the path made anything else (a symlink, by someone with push access), the next write
   * fails as a conflict: compare-and-swap fails safe, and the caller bounds its retries.
   */
  async read(issue: number, cached?: (commit: string) => CachedFile | undefined): Promise<LedgerRead> {
    const path = ledgerFilePath(issue);
    const [commit] = await this.commitsTouching(path, 1);
    if (!commit) return null;
    const held = cached?.(commit.sha);
    if (held) return { ...held, commit };
    const file = await this.fileAt(path, commit.sha);
    if (file === null) return { deleted: commit };
    const text = Buffer.from(file.bytes).toString("utf8");
    // Larger than any record the app writes: someone else put it there. Its first bytes are
    // given (so verification says `too-large` and the app recovers from the history) with the
    // blob's real sha from the file's metadata (the `object` media type carries no content
    // above 1 MB), so the recovered version can be written over it: no request stalls on it.
    if (file.truncated) return { text, sha: await this.blobSha(path, commit.sha), commit };
    return { text, sha: gitBlobSha(file.bytes), commit };
  }

  /**
   * The file's versions on the branch, newest first, at most `limit`; `text` null where the
   * commit removed the file, and [] when the branch does not exist. A version larger than the
   * bound is given as its first MAX_LEDGER_FILE_BYTES + 1 bytes: enough for `parseLedgerFile`
   * to judge it `too-large`, without buffering it and without one hostile version hiding the
   * valid ones before it. Once the versions read pass MAX_HISTORY_BYTES, the older ones are given
   * `unread`, not fetched. With `wanted`, only the accepted commits of the newest HISTORY_LISTED
   * are given. `parallel`: how many texts are fetched at once (the byte budget is checked
   * before each such batch).
   */
  async history(
    issue: number,
    limit = 50,
    wanted?: (commit: HeadCommit) => boolean,
    parallel = HISTORY_PARALLEL,
  ): Promise<LedgerVersion[]> {
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError("a history limit is a positive integer");
    const path = ledgerFilePath(issue);
    const listed = await this.commitsTouching(path, wanted ? Math.max(limit, HISTORY_LISTED) : limit);
    const commits = (wanted ? listed.filter(wanted) : listed).slice(0, limit).map((c) => c.sha);
    const versions: LedgerVersion[] = [];
    let bytes = 0;
    for (let i = 0; i < commits.length; i += parallel) {
      const batch = commits.slice(i, i + parallel);
      if (bytes > MAX_HISTORY_BYTES) {
        versions.push(...batch.map((commit) => ({ commit, text: null, unread: true as const })));
        continue;
      }
      const files = await Promise.all(batch.map((commit) => this.fileAt(path, commit)));
      files.forEach((file, j) => {
        bytes += file?.bytes.length ?? 0;
        versions.push({ commit: batch[j]!, text: file === null ? null : Buffer.from(file.bytes).toString("utf8") });
      });
    }
    return versions;
  }

  /**
   * The file's versions on the branch, newest first, at most `limit` (at most 100), as listed
   * without their texts: each commit and the file's blob there (null where the commit deleted
   * it), in one GraphQL query (`Commit.history(path:)` with `file(path:)`), the path a variable.
   * [] when the branch does not exist. What the token workflow's replay check reads first
   * (src/record/ledger-history.ts, `replayCandidates`): a few hundred bytes a version.
   */
  async listVersions(issue: number, limit: number): Promise<ListedVersion[]> {
    if (!Number.isSafeInteger(limit) || limit <= 0 || limit > 100)
      throw new RangeError("a version listing is 1 to 100 versions");
    type Node = { oid: string; file: { oid: string; object: { byteSize?: number } | null } | null };
    const data = await this.client.graphql<{
      repository: { ref: { target: { history?: { nodes: Node[] } } | null } | null } | null;
    }>(
      `query ($owner: String!, $name: String!, $branch: String!, $path: String!, $first: Int!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $branch) { target { ... on Commit { history(path: $path, first: $first) { nodes { oid file(path: $path) { oid object { ... on Blob { byteSize } } } } } } } }
  }
}`,
      {
        owner: this.at.owner,
        name: this.at.repo,
        branch: `refs/heads/${this.at.branch}`,
        path: ledgerFilePath(issue),
        first: limit,
      },
    );
    const nodes = data.repository?.ref?.target?.history?.nodes ?? [];
    return nodes.slice(0, limit).map((node) => ({
      commit: node.oid,
      blob:
        node.file && typeof node.file.object?.byteSize === "number"
          ? { oid: node.file.oid, size: node.file.object.byteSize }
          : null,
    }));
  }

  /**
   * `GET /repos/{owner}/{repo}/rules/branches/{branch}`: the rules in force on the ledger branch
   * (every ruleset that targets it; it answers for a branch that does not exist yet too:
   * rulesets target names). Read access suffices. The app asks it as a conditional request
   * (src/app/github/conditional.ts): an unchanged answer is a 304, free of rate limit.
   */
  async rules(): Promise<Array<{ type: string }>> {
    const { data } = await this.client.rest.repos.getBranchRules({
      owner: this.at.owner,
      repo: this.at.repo,
      branch: this.at.branch,
      per_page: 100,
    });
    return data.map((rule) => ({ type: rule.type }));
  }

  /** Whether the branch exists: the exact ref (`git/ref/heads/…`), which, unlike the branches API, follows no rename. */
  async branchExists(): Promise<boolean> {
    try {
      await this.client.rest.git.getRef({ owner: this.at.owner, repo: this.at.repo, ref: `heads/${this.at.branch}` });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * The commits on the branch that touched `path`, newest first, at most `limit`, each with who
   * made it: the GitHub accounts GitHub linked to its author and committer, and whether GitHub
   * verified its signature. A copy of an older genuine version verifies as a record; only this
   * tells whether the app put it there. [] when the branch does not exist.
   */
  async commitsTouching(path: string, limit: number): Promise<HeadCommit[]> {
    const perPage = Math.min(limit, 100);
    const commits: HeadCommit[] = [];
    for (let page = 1; commits.length < limit; page++) {
      let data: ListedCommit[];
      try {
        ({ data } = await this.client.rest.repos.listCommits({
          owner: this.at.owner,
          repo: this.at.repo,
          sha: this.at.branch,
          path,
          per_page: perPage,
          page,
        }));
      } catch (error) {
        // 404: no such branch; 409: an empty repository. Either way the file has no history.
        if (statusOf(error) === 404 || statusOf(error) === 409) return commits;
        throw error;
      }
      commits.push(...data.slice(0, limit - commits.length).map(provenanceOf));
      if (data.length < perPage) break;
    }
    return commits;
  }

  /** The contents API's sha of the file at `ref`, from its metadata only. */
  async blobSha(path: string, ref: string): Promise<string> {
    const { data } = await this.client.rest.repos.getContent({
      owner: this.at.owner,
      repo: this.at.repo,
      path,
      ref,
      mediaType: { format: "object" },
    });
    const sha = (data as { sha?: unknown }).sha;
    if (typeof sha !== "string") throw new OneRecordError("io-error", `${path} on the ledger branch has no sha`);
    return sha;
  }

  /**
   * A file's bytes at a ref, at most MAX_LEDGER_FILE_BYTES + 1 of them (`truncated` when there
   * were more), or null when the file or ref does not exist. The raw media type, because the
   * contents API's JSON carries no content for files over 1 MB; the body is streamed, not parsed
   * by octokit, so a huge file is never held in memory. `declared`: a Content-Length above the
   * bound is taken at its word, the body not read at all (`truncated`, no bytes).
   */
  async fileAt(path: string, ref: string, declared = false): Promise<FileBytes | null> {
    let response;
    try {
      response = await this.client.rest.repos.getContent({
        owner: this.at.owner,
        repo: this.at.repo,
        path,
        ref,
        mediaType: { format: "raw" },
        request: { parseSuccessResponseBody: false },
      });
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
    const length = Number(response.headers["content-length"]);
    if (declared && Number.isFinite(length) && length > MAX_LEDGER_FILE_BYTES) {
      if (response.data instanceof ReadableStream) await response.data.cancel();
      return { bytes: new Uint8Array(), truncated: true };
    }
    // With `parseSuccessResponseBody: false`, `data` is the response's body stream, whatever its type says.
    return readBoundedBody(response.data, MAX_LEDGER_FILE_BYTES);
  }
}
