import { gitBlobSha, textBlobSha } from "../../record/git-blob.js";
import type { ProbotOctokit } from "probot";
import { OneRecordError } from "../../errors.js";
import { readBoundedBody } from "../../record/bounded-body.js";
import { ledgerFilePath, MAX_HISTORY_BYTES, MAX_LEDGER_FILE_BYTES, statusListPath } from "../../record/ledger-file.js";
import type { LedgerVersion } from "../../record/ledger-history.js";
import { provenanceOf, type ListedCommit } from "../../record/provenance.js";
import type { CachedFile, HeadCommit, LedgerPort, LedgerRead, LedgerWrite } from "../ledger/port.js";

/**
 * The ledger's I/O edge: `records/<issue>.json` on the ledger branch, read, listed and written
 * by compare-and-swap through GitHub's contents API. Nothing here judges a file (that is
 * `verifyRecordFile` / `verifyLedgerHistory`); only `octokit.rest.*`.
 *
 * The ledger repository must have at least one commit: GitHub's git data API refuses to create
 * objects in an empty repository (409), and that error is thrown, not taken for a conflict.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

export type LedgerLocation = LedgerPort["at"];
export type { HeadCommit, LedgerHead, LedgerRead, LedgerWrite } from "../ledger/port.js";

const CONFLICT: LedgerWrite = { ok: false, conflict: true };
/**
 * How many of the file's newest commits `history` lists (one request) when it keeps only some:
 * someone with push access would have to push more than this many commits to hide the app's
 * versions (and the ledger's ruleset, with *Restrict updates*, lets nobody but the app push).
 */
export const HISTORY_LISTED = 100;
/** How many versions' texts `history` fetches at once (GitHub discourages bursts of parallel calls). */
const HISTORY_PARALLEL = 4;

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

/** 409: `sha` is not the current blob; 422 about `sha`: the file exists but none was given. */
function isShaConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || (status === 422 && /\bsha\b/i.test(messageOf(error)));
}

function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } }).response?.data;
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : error instanceof Error ? error.message : "";
}

export { gitBlobSha, textBlobSha } from "../../record/git-blob.js";

export class LedgerIO implements LedgerPort {
  constructor(
    private readonly octokit: Octokit,
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
   * valid ones before it (the app continues from the newest valid version). Once the versions
   * read pass MAX_HISTORY_BYTES, the older ones are given `unread`, not fetched. With `wanted`
   * (see LedgerPort), only the accepted commits of the newest HISTORY_LISTED are given.
   */
  async history(issue: number, limit = 50, wanted?: (commit: HeadCommit) => boolean): Promise<LedgerVersion[]> {
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError("a history limit is a positive integer");
    const path = ledgerFilePath(issue);
    const listed = await this.commitsTouching(path, wanted ? Math.max(limit, HISTORY_LISTED) : limit);
    const commits = (wanted ? listed.filter(wanted) : listed).slice(0, limit).map((c) => c.sha);
    const versions: LedgerVersion[] = [];
    let bytes = 0;
    for (let i = 0; i < commits.length; i += HISTORY_PARALLEL) {
      const batch = commits.slice(i, i + HISTORY_PARALLEL);
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
   * `GET /repos/{owner}/{repo}/rules/branches/{branch}`: the rules in force on the ledger branch
   * (it answers for a branch that does not exist yet too: rulesets target names). Asked as a
   * conditional request (src/app/github/conditional.ts), so after the first time in a process
   * an unchanged answer is a 304, which GitHub does not count against the rate limit.
   */
  async rules(): Promise<Array<{ type: string }>> {
    const { data } = await this.octokit.rest.repos.getBranchRules({
      owner: this.at.owner,
      repo: this.at.repo,
      branch: this.at.branch,
      per_page: 100,
    });
    return data.map((rule) => ({ type: rule.type }));
  }

  /**
   * `status/<issue>.jwt` on the ledger branch, written with the contents API: its blob sha read
   * first (an update needs it), one retry if another instance wrote in between (the newer
   * record's list is the one that must stay, and the caller publishes before its record write).
   */
  async publishStatusList(issue: number, jwt: string): Promise<void> {
    const path = statusListPath(issue);
    for (let attempt = 1; attempt <= 2; attempt++) {
      let sha: string | null = null;
      try {
        sha = await this.blobSha(path, this.at.branch);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      const message = `onerecord-access: token status list of request #${issue}`;
      if ((await this.writeFile(path, jwt, sha, message)).ok) return;
    }
    throw new OneRecordError("io-error", `${path} changed twice while the app published it`);
  }

  /**
   * Compare-and-swap: the contents API writes only when `sha` names the file's current blob
   * (`previous` null: only when there is no file yet), so of two instances that read the same
   * version, exactly one writes and the other is told. A missing branch is created as an orphan
   * (no parent: the ledger shares no history with the code, and holds only ledger files).
   */
  async write(issue: number, text: string, previous: string | null, message: string): Promise<LedgerWrite> {
    return this.writeCreatingBranch(ledgerFilePath(issue), text, previous, message);
  }

  /** The compare-and-swap write of `write`, for any ledger path. */
  private async writeCreatingBranch(
    path: string,
    text: string,
    previous: string | null,
    message: string,
  ): Promise<LedgerWrite> {
    try {
      return await this.putFile(path, text, previous, message);
    } catch (error) {
      const status = statusOf(error);
      if (isShaConflict(error)) return CONFLICT;
      if (status !== 404 && status !== 422) throw error;
      // A missing branch answers 404 ("Branch … not found"). Asked, not inferred from a message.
      if (await this.branchExists()) {
        // It exists now: created since (a race, so re-read), or the refusal was about something else.
        if (status === 404) return CONFLICT;
        throw error;
      }
      // Expecting a file (`previous` set) on a branch that is gone is a stale read; otherwise
      // create the branch (a repository the app cannot reach throws there).
      return previous === null ? this.createOrphanBranch(path, text, message) : CONFLICT;
    }
  }

  /**
   * A file other than a record on the ledger branch (the due-date index), as the branch head has
   * it: its bytes (raw, one request) and their git blob sha, for the compare-and-swap.
   */
  async readFile(path: string): Promise<CachedFile | null> {
    const file = await this.fileAt(path, this.at.branch);
    if (file === null) return null;
    return { text: Buffer.from(file.bytes).toString("utf8"), sha: gitBlobSha(file.bytes) };
  }

  /**
   * Compare-and-swap write of such a file, as `write` (a missing branch is created: a CA request,
   * issue 20, may be the first file of a ledger).
   */
  async writeFile(path: string, text: string, previous: string | null, message: string): Promise<LedgerWrite> {
    return this.writeCreatingBranch(path, text, previous, message);
  }

  /**
   * One contents-API write, the compare-and-swap every ledger file goes through: `sha` names the
   * blob it replaces (`previous` null: the file must not exist). Bounded by MAX_LEDGER_FILE_BYTES;
   * GitHub's refusal is thrown as it came (`isShaConflict` tells a lost race).
   */
  private async putFile(path: string, text: string, previous: string | null, message: string): Promise<LedgerWrite> {
    const bytes = Buffer.from(text, "utf8");
    if (bytes.length > MAX_LEDGER_FILE_BYTES)
      throw new OneRecordError("record-too-large", `a ledger file is at most ${MAX_LEDGER_FILE_BYTES} bytes`);
    const { data } = await this.octokit.rest.repos.createOrUpdateFileContents({
      owner: this.at.owner,
      repo: this.at.repo,
      path,
      branch: this.at.branch,
      message,
      content: bytes.toString("base64"),
      ...(previous === null ? {} : { sha: previous }),
    });
    return { ok: true, sha: data.content?.sha ?? gitBlobSha(bytes), commit: data.commit.sha! };
  }

  /**
   * Several ledger files in one commit on top of `parent` (git data API: a tree over the parent's
   * with the files' contents, a commit with no author or committer given, so GitHub makes and
   * signs it as the app's bot, as the contents API does; then the branch moved to it). Moving
   * the branch is the compare-and-swap, for every file at once: it is refused (422, not a fast
   * forward) when anyone committed since `parent` was read. Three requests for any number of
   * files: what lets an expiry sweep write ten records at the cost of one (issue 19).
   */
  async commitFiles(
    files: ReadonlyMap<string, string>,
    parent: { commit: string; tree: string },
    message: string,
  ): Promise<{ ok: true; commit: string } | { ok: false; conflict: true }> {
    const commit = await this.commitTree(files, parent, message);
    try {
      await this.octokit.rest.git.updateRef({
        owner: this.at.owner,
        repo: this.at.repo,
        ref: `heads/${this.at.branch}`,
        sha: commit.sha,
        force: false,
      });
    } catch (error) {
      // Only a branch that moved is a lost race; any other refusal (a rule) is the caller's to see.
      if (statusOf(error) === 422 && /fast.?forward/i.test(messageOf(error))) return { ok: false, conflict: true };
      throw error;
    }
    return { ok: true, commit: commit.sha };
  }

  /**
   * A commit holding `files` over `parent`'s tree (null: a root commit of only these files), with
   * no author or committer given: GitHub makes and signs it as the app's bot. Not on any branch yet.
   */
  private async commitTree(
    files: ReadonlyMap<string, string>,
    parent: { commit: string; tree: string } | null,
    message: string,
  ): Promise<{ sha: string; blobs: Map<string, string> }> {
    const repo = { owner: this.at.owner, repo: this.at.repo };
    for (const text of files.values())
      if (Buffer.byteLength(text, "utf8") > MAX_LEDGER_FILE_BYTES)
        throw new OneRecordError("record-too-large", `a ledger file is at most ${MAX_LEDGER_FILE_BYTES} bytes`);
    const tree = await this.octokit.rest.git.createTree({
      ...repo,
      ...(parent ? { base_tree: parent.tree } : {}),
      tree: [...files].map(([path, content]) => ({ path, mode: "100644" as const, type: "blob" as const, content })),
    });
    const commit = await this.octokit.rest.git.createCommit({
      ...repo,
      message,
      tree: tree.data.sha,
      parents: parent ? [parent.commit] : [],
    });
    const blobs = new Map(tree.data.tree.flatMap((e) => (e.path && e.sha ? [[e.path, e.sha] as const] : [])));
    return { sha: commit.data.sha, blobs };
  }

  private async branchExists(): Promise<boolean> {
    try {
      await this.octokit.rest.git.getRef({ owner: this.at.owner, repo: this.at.repo, ref: `heads/${this.at.branch}` });
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * The ledger branch as a root commit whose tree holds only this file (git data API: tree,
   * commit with no parents, ref). Creating the ref is the compare-and-swap here: of two
   * instances creating the branch at once, one gets "Reference already exists".
   */
  private async createOrphanBranch(path: string, text: string, message: string): Promise<LedgerWrite> {
    const commit = await this.commitTree(new Map([[path, text]]), null, message);
    try {
      await this.octokit.rest.git.createRef({
        owner: this.at.owner,
        repo: this.at.repo,
        ref: `refs/heads/${this.at.branch}`,
        sha: commit.sha,
      });
    } catch (error) {
      if (statusOf(error) === 422 && /already exists/i.test(messageOf(error))) return CONFLICT;
      throw error;
    }
    return { ok: true, sha: commit.blobs.get(path) ?? textBlobSha(text), commit: commit.sha };
  }

  /**
   * The commits on the branch that touched `path`, newest first, at most `limit`, each with who
   * made it: the GitHub accounts GitHub linked to its author and committer, and whether GitHub
   * verified its signature. A copy of an older genuine version verifies as a record; only this
   * tells whether the app put it there.
   */
  private async commitsTouching(path: string, limit: number): Promise<HeadCommit[]> {
    const perPage = Math.min(limit, 100);
    const commits: HeadCommit[] = [];
    for (let page = 1; commits.length < limit; page++) {
      let data: ListedCommit[];
      try {
        ({ data } = await this.octokit.rest.repos.listCommits({
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
  private async blobSha(path: string, ref: string): Promise<string> {
    const { data } = await this.octokit.rest.repos.getContent({
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
   * by octokit, so a huge file is never held in memory.
   */
  private async fileAt(path: string, ref: string): Promise<{ bytes: Uint8Array; truncated: boolean } | null> {
    let response;
    try {
      response = await this.octokit.rest.repos.getContent({
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
    // With `parseSuccessResponseBody: false`, `data` is the response's body stream, whatever its type says.
    return readBoundedBody(response.data, MAX_LEDGER_FILE_BYTES);
  }
}
