import { gitBlobSha, textBlobSha } from "../../record/git-blob.js";
import type { ProbotOctokit } from "probot";
import { OneRecordError } from "../../errors.js";
import { ledgerFilePath, MAX_LEDGER_FILE_BYTES, statusListPath } from "../../record/ledger-file.js";
import { LedgerReader, statusOf } from "../../record/ledger-reader.js";
import type { CachedFile, LedgerPort, LedgerWrite } from "../ledger/port.js";

/**
 * The ledger's I/O edge: `records/<issue>.json` on the ledger branch, read and listed through
 * the ledger client the token workflow uses too (src/record/ledger-reader.ts), and written by
 * compare-and-swap through GitHub's contents API. Nothing here judges a file (that is
 * `verifyRecordFile` / `verifyLedgerHistory`); only `octokit.rest.*`.
 *
 * The ledger repository must have at least one commit: GitHub's git data API refuses to create
 * objects in an empty repository (409), and that error is thrown, not taken for a conflict.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

export type LedgerLocation = LedgerPort["at"];
export type { HeadCommit, LedgerHead, LedgerRead, LedgerWrite } from "../ledger/port.js";

const CONFLICT: LedgerWrite = { ok: false, conflict: true };

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

export class LedgerIO extends LedgerReader implements LedgerPort {
  constructor(
    private readonly octokit: Octokit,
    at: LedgerLocation,
  ) {
    super(octokit, at);
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
}
