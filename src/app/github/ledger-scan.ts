import type { ProbotOctokit } from "probot";
import { MAX_LEDGER_FILE_BYTES } from "../../record/ledger-file.js";
import type { LedgerPort } from "../ledger/port.js";
import { textBlobSha } from "./ledger.js";

/**
 * Every record file of the ledger, read at the cost of a few requests, for the rare scan that
 * completes the due-date index from the records (src/app/renewal/scan.ts): the `records/` folder
 * listed in one GraphQL query (`Commit.file(path: "records")`, a `Tree`), then the texts
 * SCAN_CHUNK at a time in one GraphQL query each (`Commit.file(path:)`). What is read is only a hint of when to look: the
 * sweep's sync of a request reads and trusts its record the ordinary way.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

export const SCAN_CHUNK = 50;

const RECORD_PATH = /^records\/([1-9][0-9]{0,9})\.json$/;

export interface ScannedFile {
  issue: number;
  text: string;
}

/** The records' texts at the branch head; a file GraphQL gives truncated or as other bytes is left out. */
export async function readAllRecords(octokit: Octokit, at: LedgerPort["at"]): Promise<ScannedFile[]> {
  const records = (await listRecords(octokit, at)).flatMap((entry) => {
    const match = entry.type === "blob" ? RECORD_PATH.exec(`records/${entry.name}`) : null;
    return match && (entry.size ?? 0) <= MAX_LEDGER_FILE_BYTES ? [{ issue: Number(match[1]), path: match[0] }] : [];
  });
  const files: ScannedFile[] = [];
  for (let i = 0; i < records.length; i += SCAN_CHUNK) {
    const chunk = records.slice(i, i + SCAN_CHUNK);
    const texts = await readTexts(
      octokit,
      at,
      chunk.map((r) => r.path),
    );
    chunk.forEach((r, j) => {
      const text = texts[j];
      if (text !== undefined) files.push({ issue: r.issue, text });
    });
  }
  return files;
}

interface TreeEntry {
  name: string;
  type: string;
  size?: number | null;
}

/** The `records/` folder's entries at the branch head (one GraphQL query; [] when there is no branch or folder). */
async function listRecords(octokit: Octokit, at: LedgerPort["at"]): Promise<TreeEntry[]> {
  const data = await octokit.graphql<{
    repository: {
      ref: { target: { file?: { object?: { entries?: TreeEntry[] } | null } | null } | null } | null;
    } | null;
  }>(
    `query ($owner: String!, $name: String!, $branch: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $branch) { target { ... on Commit { file(path: "records") { object { ... on Tree { entries { name type size } } } } } } }
  }
}`,
    { owner: at.owner, name: at.repo, branch: `refs/heads/${at.branch}` },
  );
  return data.repository?.ref?.target?.file?.object?.entries ?? [];
}

interface FileNode {
  oid: string;
  object: { text?: string | null; isTruncated?: boolean } | null;
}

async function readTexts(
  octokit: Octokit,
  at: LedgerPort["at"],
  paths: readonly string[],
): Promise<Array<string | undefined>> {
  // The paths matched RECORD_PATH (digits only): nothing of them is input in the query text.
  const fields = paths.map(
    (p, i) => `f${i}: file(path: ${JSON.stringify(p)}) { oid object { ... on Blob { text isTruncated } } }`,
  );
  const query = `query ($owner: String!, $name: String!, $branch: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $branch) { target { ... on Commit { ${fields.join("\n")} } } }
  }
}`;
  const data = await octokit.graphql<{
    repository: { ref: { target: Record<string, FileNode | null> | null } | null } | null;
  }>(query, { owner: at.owner, name: at.repo, branch: `refs/heads/${at.branch}` });
  const target = data.repository?.ref?.target ?? {};
  return paths.map((_, i) => {
    const file = target[`f${i}`];
    const text = file?.object?.text;
    if (typeof text !== "string" || file?.object?.isTruncated) return undefined;
    return textBlobSha(text) === file!.oid ? text : undefined;
  });
}
