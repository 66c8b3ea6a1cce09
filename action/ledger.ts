import { OneRecordError } from "../src/errors.js";
import { gitBlobSha } from "../src/record/git-blob.js";
import { ledgerFilePath, MAX_HISTORY_BYTES } from "../src/record/ledger-file.js";
import { replayCandidates, type LedgerVersion } from "../src/record/ledger-history.js";
import type { LedgerLocation, LedgerReader } from "../src/record/ledger-reader.js";
import type { CommitProvenance } from "../src/record/provenance.js";
import { httpStatus, statusOf } from "./github.js";

/**
 * The token workflow's view of the ledger, through the one ledger client the app uses too
 * (src/record/ledger-reader.ts): `records/<issue>.json` as the commit that last touched it on the
 * ledger branch left it, the versions the replay check needs, and the branch's rules. What this
 * adds is the workflow's terms: a read's outcome as the kinds 1-load.ts judges, and any API
 * failure as `io-error` (it says nothing about the record). No judgement here.
 */
export type { LedgerLocation } from "../src/record/ledger-reader.js";
export { LedgerReader } from "../src/record/ledger-reader.js";

export type LedgerRead =
  | { kind: "file"; text: string | undefined; bytes: number; sha: string; commit: CommitProvenance }
  | { kind: "too-large" }
  | { kind: "no-file" }
  | { kind: "no-branch" };

/**
 * The file as the last commit that touched it left it, with who made that commit (one listing of
 * the file's commits, then the text at that very commit: a pinned pair). A path no commit touched
 * is told apart from a missing branch by asking for the branch itself. The body is read as a
 * stream and refused beyond MAX_LEDGER_FILE_BYTES (a declared Content-Length above it too), so a
 * hostile file is never buffered whole. Text that is not UTF-8 comes back `undefined` (the
 * verifier refuses it).
 */
export async function readLedgerFile(reader: LedgerReader, issue: number): Promise<LedgerRead> {
  const path = ledgerFilePath(issue);
  return asIoError(`cannot read ${describe(reader.at, path)}`, async () => {
    const [commit] = await reader.commitsTouching(path, 1);
    if (!commit) return (await reader.branchExists()) ? { kind: "no-file" } : { kind: "no-branch" };
    const file = await reader.fileAt(path, commit.sha, true);
    if (file === null) return { kind: "no-file" };
    if (file.truncated) return { kind: "too-large" };
    return { kind: "file", text: utf8(file.bytes), bytes: file.bytes.length, sha: gitBlobSha(file.bytes), commit };
  });
}

/**
 * The rules in force on the ledger branch (every ruleset that targets it; read access suffices,
 * GITHUB_TOKEN always has it for its own repository), or the HTTP status when they cannot be read
 * (403, 404: a ledger repository this token cannot reach).
 */
export async function readLedgerRules(
  reader: LedgerReader,
): Promise<{ ok: true; rules: Array<{ type: string }> } | { ok: false; status: number }> {
  const { at } = reader;
  try {
    return { ok: true, rules: await reader.rules() };
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

/** How many versions of the file the replay check judges: the app's own bound (LedgerIO.history). */
export const LEDGER_HISTORY_LIMIT = 50;

/** The versions the replay check judges (newest first, the head first), and who made the head's commit. */
export interface LedgerHistoryRead {
  versions: LedgerVersion[];
  head: CommitProvenance | null;
  /** Only the head and the versions that could be its copy were read (`replayCandidates`); the rest are `unread`. */
  partial?: true;
}

/**
 * The file's newest LEDGER_HISTORY_LIMIT versions for the replay check, reading only what it
 * needs: one GraphQL listing of the versions' commits and blobs (ids and sizes, no text), then
 * the text of each version that could be a copy of the head (`replayCandidates`; in a ledger the
 * app alone writes, records grow and there is none), every other version given `unread`. The
 * head is the text already read, when the listing's newest version is that very commit and blob;
 * otherwise the ledger moved while it was read, and the newest version is given without text (the
 * judge refuses it: run again). When the candidates' bytes pass MAX_HISTORY_BYTES, every version
 * is read as before (`readFullHistory`).
 */
export async function readLedgerHistory(
  reader: LedgerReader,
  issue: number,
  head: Extract<LedgerRead, { kind: "file" }>,
): Promise<LedgerHistoryRead> {
  const path = ledgerFilePath(issue);
  return asIoError(`cannot read the history of ${describe(reader.at, path)}`, async () => {
    const listed = await reader.listVersions(issue, LEDGER_HISTORY_LIMIT);
    const [newest] = listed;
    if (!newest || newest.commit !== head.commit.sha || newest.blob?.oid !== head.sha || head.text === undefined)
      return { versions: newest ? [{ commit: newest.commit, text: null }] : [], head: head.commit };
    const text = head.text;
    const candidates = replayCandidates(text, head.sha, listed);
    const read = new Map<string, string | null>();
    for (const candidate of candidates) {
      if (candidate.blob?.oid === head.sha) read.set(candidate.commit, text);
    }
    const rest = candidates.filter((c) => !read.has(c.commit));
    if (rest.reduce((sum, c) => sum + (c.blob?.size ?? 0), 0) > MAX_HISTORY_BYTES)
      return readFullHistory(reader, issue, head.commit);
    for (const { commit } of rest) {
      const file = await reader.fileAt(path, commit, true);
      read.set(commit, file === null ? null : file.truncated ? "" : (utf8(file.bytes) ?? ""));
    }
    const versions = listed.map(({ commit }, i): LedgerVersion =>
      i === 0 ? { commit, text } : read.has(commit) ? { commit, text: read.get(commit)! } : unread(commit),
    );
    return { versions, head: head.commit, partial: true };
  });
}

/**
 * Every one of the file's newest LEDGER_HISTORY_LIMIT versions, newest first, as the replay check
 * read them before issue 22: the commits that touched the file, then the text at each, one after
 * the other, pinned by commit sha; past MAX_HISTORY_BYTES the older ones `unread`. What the check
 * falls back to when a partial read cannot decide (`copyAmongRead`).
 */
export async function readFullHistory(
  reader: LedgerReader,
  issue: number,
  head: CommitProvenance,
): Promise<LedgerHistoryRead> {
  const path = ledgerFilePath(issue);
  return asIoError(`cannot read the history of ${describe(reader.at, path)}`, async () => ({
    versions: await reader.history(issue, LEDGER_HISTORY_LIMIT, undefined, 1),
    head,
  }));
}

/** "records/7.json on branch onerecord-access/records of acme/access-requests". */
export function describe(at: LedgerLocation, path: string): string {
  return `${path} on branch ${at.branch} of ${at.owner}/${at.repo}`;
}

function unread(commit: string): LedgerVersion {
  return { commit, text: null, unread: true };
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Any failure of `run` but a OneRecordError, as `io-error`: "GitHub API: <what> (HTTP n)". */
async function asIoError<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OneRecordError) throw error;
    throw new OneRecordError("io-error", `GitHub API: ${what}${statusOf(error)}`, { cause: error });
  }
}
