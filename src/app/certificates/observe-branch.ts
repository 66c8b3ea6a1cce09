import type { SyncDeps } from "../deps.js";
import { certificatePath, rejudgeBranchFiles, type BranchFile, type CommitPull, type Rejudged } from "./rejudge.js";
import { trustStoreFor } from "./trust.js";

/**
 * The I/O of a rebuild's certificates (src/app/certificates/rejudge.ts decides): each device's
 * file on the default branch (one read a device), the last commit that touched each file there
 * (one listing a file), and the pull requests of those commits (one listing a commit, asked once
 * however many files it touched). Only in a rebuild: the normal path learns a merge from its event.
 */
export async function rejudgeDefaultBranch(
  deps: SyncDeps,
  request: number,
  devices: readonly string[],
): Promise<Rejudged> {
  const { io, config, defaultBranch } = deps;
  const pattern = config.certificates.pathPattern;
  const present: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const device of devices) {
    const path = certificatePath(pattern, request, device);
    const bytes = path ? await io.getFile(path, defaultBranch) : null;
    if (path && bytes) present.push({ path, bytes });
  }
  const files: BranchFile[] = [];
  for (const f of present) files.push({ ...f, commit: await io.lastCommitTouching(f.path, defaultBranch) });
  const pulls = new Map<string, CommitPull[]>();
  for (const { commit } of files) if (commit && !pulls.has(commit)) pulls.set(commit, await io.pullsOfCommit(commit));
  const rejudged = rejudgeBranchFiles({
    request,
    devices,
    pattern,
    trust: trustStoreFor(config),
    warnDays: config.certificates.warnDays,
    defaultBranch,
    files,
    pulls,
  });
  for (const { path, reason } of rejudged.skipped)
    deps.log.warn(
      { request, path, reason },
      "rebuild: a certificate file no merged pull request put there is not counted",
    );
  const valid = rejudged.certificates.filter((c) => c.verdict === "valid").length;
  deps.log.info(
    { request, files: files.length, prs: rejudged.pullRequests.length, valid },
    "rebuild: merged certificates judged again",
  );
  return rejudged;
}
