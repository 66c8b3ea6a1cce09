import { parseCertificatePath, type TrustStore } from "../../certificates/index.js";
import type { AccessRecord, CertificateRecord, PullRequestRecord, RequestContent } from "../../record/schema.js";
import { certificatesFromMerge, type MergedFile } from "./revalidate.js";

/**
 * A rebuild (no version of the request's ledger file verifies: `RecordSource.rebuilding`) judges
 * the request's certificate files on the default branch again, each as the merge of the pull
 * request that put it there (issue 9: "certificate verdicts … are re-judged from the merged
 * files"). Pure: the files, the last commit that touched each, and the merged pull requests of
 * those commits were observed first (src/app/certificates/observe-branch.ts).
 */

/**
 * Whether this event judges the default branch's files again: in a rebuild, once a request is in
 * effect (its devices say which files to read). A rebuild whose form was not valid then knows no
 * devices: the first event after it with a valid form judges them, as long as the rebuilt record
 * has no pull request yet. Never otherwise: a merge is learnt from its event.
 */
export function rejudgeNeeded(
  rebuilding: boolean,
  prior: Pick<AccessRecord, "request" | "pullRequests" | "integrity"> | null,
  request: RequestContent | null,
): boolean {
  if (!request) return false;
  if (rebuilding) return true;
  if (!prior || prior.request !== null || prior.pullRequests.length > 0) return false;
  // Rebuilt from nothing: an incident no valid version was restored from (not a migration).
  return prior.integrity.some((i) => i.kind !== "migrated" && !i.restoredFrom);
}

/** A request's file on the default branch and the newest commit there that touched its path. */
export interface BranchFile {
  path: string;
  bytes: Uint8Array;
  /** Null when GitHub lists no commit for the path (nothing to tie the file to a review). */
  commit: string | null;
}

/** A pull request GitHub links to a commit, as `GET /commits/{sha}/pulls` lists it. */
export interface CommitPull {
  number: number;
  url: string;
  author?: string | undefined;
  /** Null while not merged. */
  mergedAt: string | null;
  mergeCommit: string | null;
  /** The branch it was merged into. */
  base: string;
}

/** A pull request that was merged (the listing's nullable fields set). */
type MergedPull = CommitPull & { mergedAt: string; mergeCommit: string };

export interface RejudgeInput {
  request: number;
  devices: readonly string[];
  pattern: string;
  trust: TrustStore;
  warnDays: number;
  defaultBranch: string;
  files: readonly BranchFile[];
  /** The pull requests of each commit in `files`, by sha. */
  pulls: ReadonlyMap<string, readonly CommitPull[]>;
}

export interface Rejudged {
  pullRequests: PullRequestRecord[];
  certificates: CertificateRecord[];
  /** Files that are no certificate of the request, and why (for the log). */
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Where the request's file for `device` is under the pattern (its first placeholders, as
 * `parseCertificatePath` reads them); null when that path would not read back as this device.
 */
export function certificatePath(pattern: string, request: number, device: string): string | null {
  const path = pattern.replace("{request}", String(request)).replace("{device}", device);
  const parsed = parseCertificatePath(path, pattern);
  return parsed?.request === request && parsed.device === device ? path : null;
}

/**
 * The merge that put a commit on the default branch: a pull request merged into that branch (a
 * commit merged elsewhere and pushed here by hand had no review here). The earliest if several:
 * the first merge brought the commit in.
 */
export function mergeOf(pulls: readonly CommitPull[], defaultBranch: string): MergedPull | null {
  const merged = pulls
    .filter((p): p is MergedPull => !!p.mergedAt && !!p.mergeCommit && p.base === defaultBranch)
    .sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt) || a.number - b.number);
  return merged[0] ?? null;
}

/**
 * Each file judged exactly as its pull request's merge is (`certificatesFromMerge`: the merge time,
 * the same trust store and warnDays, the request's devices), the PRs in merge order so the
 * duplicate checks see what was merged before. A file whose last commit belongs to no merged PR
 * into the default branch (a direct push, or a direct push over a merged file) is skipped.
 */
export function rejudgeBranchFiles(input: RejudgeInput): Rejudged {
  const byPr = new Map<number, { pull: MergedPull; files: MergedFile[] }>();
  const skipped: Rejudged["skipped"] = [];
  for (const file of input.files) {
    const pull = file.commit ? mergeOf(input.pulls.get(file.commit) ?? [], input.defaultBranch) : null;
    if (!pull) {
      const last = file.commit ? `its last commit ${file.commit.slice(0, 12)}` : "no commit";
      skipped.push({ path: file.path, reason: `${last} on ${input.defaultBranch} belongs to no merged pull request` });
      continue;
    }
    const entry = byPr.get(pull.number) ?? { pull, files: [] };
    entry.files.push({ path: file.path, bytes: file.bytes });
    byPr.set(pull.number, entry);
  }
  const ordered = [...byPr.values()].sort(
    (a, b) => Date.parse(a.pull.mergedAt) - Date.parse(b.pull.mergedAt) || a.pull.number - b.pull.number,
  );
  const certificates: CertificateRecord[] = [];
  for (const { pull, files } of ordered) {
    certificates.push(
      ...certificatesFromMerge({
        request: input.request,
        devices: input.devices,
        pattern: input.pattern,
        trust: input.trust,
        warnDays: input.warnDays,
        pr: pull.number,
        mergedCommit: pull.mergeCommit,
        mergedAt: pull.mergedAt,
        files,
        recorded: certificates,
      }),
    );
  }
  return { pullRequests: ordered.map(({ pull }) => pullRecord(pull)), certificates, skipped };
}

/**
 * The merged PR as the record keeps it. Who merged it is not in this listing (it would take one
 * more request per PR): the record leaves `mergedBy` out, and the history names the app.
 */
function pullRecord(pull: MergedPull): PullRequestRecord {
  return {
    number: pull.number,
    url: pull.url,
    ...(pull.author ? { author: pull.author } : {}),
    state: "merged",
    at: pull.mergedAt,
    mergedAt: pull.mergedAt,
    mergedCommit: pull.mergeCommit,
  };
}
