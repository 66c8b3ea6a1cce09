import type { Octokit } from "@octokit/rest";
import { parse as parseYaml } from "yaml";
import type { ConfigVersion } from "../../audit/keys.js";
import type { KeyChange, LedgerVersionFact, RequestHistory } from "../../audit/types.js";
import { CONFIG_PATH } from "../../config/parse.js";
import { DEFAULT_RECORDS_BRANCH } from "../../config/schema.js";
import { ledgerFilePath } from "../../record/ledger-file.js";
import { madeBy, provenanceFromGraphQL, type GraphQLCommit } from "../../record/provenance.js";

/**
 * What `onerecord-access audit` reads of GitHub, in few requests (issue 21; docs/audit.md,
 * "Cost"): one GraphQL query for the configuration's history on the default branch (each version's
 * text and the pull request that merged it), one for the ledger's list of records, then one per
 * HISTORY_BATCH records for every version of each (commit, time, who made it, the file's text),
 * and a page more for a record with more than HISTORY_PAGE versions. Measured against the git
 * protocol: a clone of the ledger branch is one network operation, but needs git on the machine
 * and cannot run on the stand-in the tests and the bench use; these queries meet the target there
 * (`npm run bench -- audit`).
 */
export const HISTORY_BATCH = 100;
export const HISTORY_PAGE = 50;

export interface AuditInputs {
  repository: string;
  defaultBranch: string;
  ledger: { owner: string; repo: string; branch: string };
  configVersions: ConfigVersion[];
  histories: RequestHistory[];
}

type Made = GraphQLCommit & {
  committedDate: string;
  file: { object: { text?: string | null; isTruncated?: boolean } | null } | null;
};
type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Made[] };

export async function readAuditInputs(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  options: { request?: number | undefined; app?: string | undefined },
): Promise<AuditInputs> {
  const config = await configHistory(octokit, repo);
  const newest = config.versions.at(-1)?.text ?? null;
  const records = recordsSettings(newest);
  const [owner, name] = records.repository?.split("/") ?? [repo.owner, repo.repo];
  const ledger = { owner: owner!, repo: name!, branch: records.branch };
  const issues = options.request ? [options.request] : await recordIssues(octokit, ledger);
  const raw = await histories(octokit, ledger, issues);
  await readTruncated(octokit, ledger, raw);
  const bot = await botAccount(octokit, options.app ?? writerOf(raw));
  return {
    repository: `${repo.owner}/${repo.repo}`,
    defaultBranch: config.defaultBranch,
    ledger,
    configVersions: config.versions.map((v) => ({ change: v.change, jwks: jwksOf(v.text) })),
    histories: raw.map((h) => ({
      issue: h.issue,
      versions: h.commits.map((c) => fact(c, bot)),
    })),
  };
}

async function configHistory(
  octokit: Octokit,
  repo: { owner: string; repo: string },
): Promise<{ defaultBranch: string; versions: Array<{ change: KeyChange; text: string | null }> }> {
  const path = JSON.stringify(CONFIG_PATH);
  const answer = await octokit.graphql<{
    repository: {
      defaultBranchRef: {
        name: string;
        target: {
          history: {
            nodes: Array<{
              oid: string;
              committedDate: string;
              file: { object: { text?: string | null } | null } | null;
              associatedPullRequests: {
                nodes: Array<{ number: number; url: string; mergedBy: { login: string } | null }>;
              };
            }>;
          };
        };
      } | null;
    };
  }>(
    `query ($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef {
      name
      target {
        ... on Commit {
          history(path: ${path}, first: 100) {
            nodes {
              oid
              committedDate
              file(path: ${path}) { object { ... on Blob { text } } }
              associatedPullRequests(first: 1) { nodes { number url mergedBy { login } } }
            }
          }
        }
      }
    }
  }
}`,
    { owner: repo.owner, name: repo.repo },
  );
  const ref = answer.repository.defaultBranchRef;
  const nodes = ref?.target.history.nodes ?? [];
  return {
    defaultBranch: ref?.name ?? "main",
    versions: [...nodes].reverse().map((n) => {
      const pull = n.associatedPullRequests.nodes[0];
      return {
        change: {
          commit: n.oid,
          at: n.committedDate,
          pull: pull ? { number: pull.number, url: pull.url, mergedBy: pull.mergedBy?.login ?? null } : null,
        },
        text: n.file?.object?.text ?? null,
      };
    }),
  };
}

export async function recordIssues(octokit: Octokit, ledger: AuditInputs["ledger"]): Promise<number[]> {
  const answer = await octokit.graphql<{
    repository: {
      ref: { target: { file: { object: { entries?: Array<{ name: string; type: string }> } | null } | null } } | null;
    };
  }>(
    `query ($owner: String!, $name: String!, $branch: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $branch) {
      target { ... on Commit { file(path: "records") { object { ... on Tree { entries { name type } } } } } }
    }
  }
}`,
    { owner: ledger.owner, name: ledger.repo, branch: `refs/heads/${ledger.branch}` },
  );
  const entries = answer.repository.ref?.target.file?.object?.entries ?? [];
  return entries
    .map((e) => /^([1-9][0-9]{0,9})\.json$/.exec(e.name)?.[1])
    .filter((n): n is string => n !== undefined && n !== null)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Every version of each record: HISTORY_BATCH files a query, HISTORY_PAGE versions a page. */
async function histories(
  octokit: Octokit,
  ledger: AuditInputs["ledger"],
  issues: readonly number[],
): Promise<Array<{ issue: number; commits: Made[] }>> {
  const out = new Map<number, Made[]>(issues.map((n) => [n, []]));
  let pending = issues.map((issue) => ({ issue, after: null as string | null }));
  while (pending.length) {
    const next: typeof pending = [];
    for (let i = 0; i < pending.length; i += HISTORY_BATCH) {
      const batch = pending.slice(i, i + HISTORY_BATCH);
      const pages = await historyPages(octokit, ledger, batch);
      for (const [j, page] of pages.entries()) {
        const { issue } = batch[j]!;
        out.get(issue)!.push(...(page?.nodes ?? []));
        if (page?.pageInfo.hasNextPage) next.push({ issue, after: page.pageInfo.endCursor });
      }
    }
    pending = next;
  }
  // GitHub lists history newest first; the audit reads it oldest first.
  return [...out].map(([issue, commits]) => ({ issue, commits: commits.reverse() }));
}

async function historyPages(
  octokit: Octokit,
  ledger: AuditInputs["ledger"],
  batch: ReadonlyArray<{ issue: number; after: string | null }>,
): Promise<Array<Page | null>> {
  // Paths and cursors are formatted from integers and GitHub's own cursors, as JSON strings.
  const fields = batch.map(({ issue, after }, i) => {
    const path = JSON.stringify(ledgerFilePath(issue));
    const cursor = after ? `, after: ${JSON.stringify(after)}` : "";
    return `h${i}: history(path: ${path}, first: ${HISTORY_PAGE}${cursor}) { pageInfo { hasNextPage endCursor } nodes { oid committedDate author { email } committer { email } signature { isValid state } file(path: ${path}) { object { ... on Blob { text isTruncated } } } } }`;
  });
  const answer = await octokit.graphql<{ repository: { ref: { target: Record<string, Page> } | null } }>(
    `query ($owner: String!, $name: String!, $branch: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $branch) { target { ... on Commit {
${fields.join("\n")}
    } } }
  }
}`,
    { owner: ledger.owner, name: ledger.repo, branch: `refs/heads/${ledger.branch}` },
  );
  const target = answer.repository.ref?.target ?? {};
  return batch.map((_, i) => target[`h${i}`] ?? null);
}

/** A version GraphQL gave truncated (a very large record) is read whole, raw, at its commit: rare, one request each. */
async function readTruncated(
  octokit: Octokit,
  ledger: AuditInputs["ledger"],
  raw: ReadonlyArray<{ issue: number; commits: Made[] }>,
): Promise<void> {
  for (const { issue, commits } of raw)
    for (const c of commits) {
      if (!c.file?.object?.isTruncated) continue;
      const { data } = await octokit.rest.repos.getContent({
        owner: ledger.owner,
        repo: ledger.repo,
        path: ledgerFilePath(issue),
        ref: c.oid,
        mediaType: { format: "raw" },
      });
      c.file.object.text = typeof data === "string" ? data : null;
    }
}

/**
 * The app's bot: the `writer` a record names (under its signature; the audit then checks each
 * version's signature anyway), or `--app`. Its id is asked once: the no-reply address carries it.
 */
export async function botAccount(
  octokit: Octokit,
  login: string | null,
): Promise<{ login: string; id: number } | null> {
  if (!login || !/^[A-Za-z0-9-]{1,99}\[bot\]$/.test(login)) return null;
  const { data } = await octokit.rest.users.getByUsername({ username: login });
  return { login, id: data.id };
}

function writerOf(raw: ReadonlyArray<{ commits: Made[] }>): string | null {
  for (const { commits } of raw)
    for (const c of [...commits].reverse()) {
      const writer = payloadField(c.file?.object?.text ?? null, "writer");
      if (typeof writer === "string") return writer;
    }
  return null;
}

function fact(c: Made, bot: { login: string; id: number } | null): LedgerVersionFact {
  return {
    commit: c.oid,
    committedAt: c.committedDate,
    byApp: bot ? madeBy(provenanceFromGraphQL(c, bot), bot.login) : null,
    text: c.file?.object?.text ?? null,
  };
}

/** A member of a record's payload, read without verifying (only to find whom to ask about). */
export function payloadField(text: string | null, field: string): unknown {
  try {
    const file = JSON.parse(text ?? "") as { payload?: unknown };
    if (typeof file.payload !== "string") return undefined;
    return (JSON.parse(Buffer.from(file.payload, "base64url").toString("utf8")) as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
}

export function recordsSettings(configText: string | null): { branch: string; repository?: string } {
  const records = (safeYaml(configText) as { records?: { branch?: unknown; repository?: unknown } } | null)?.records;
  return {
    branch: typeof records?.branch === "string" ? records.branch : DEFAULT_RECORDS_BRANCH,
    ...(typeof records?.repository === "string" ? { repository: records.repository } : {}),
  };
}

function jwksOf(text: string | null): unknown {
  return (safeYaml(text) as { records?: { jwks?: unknown } } | null)?.records?.jwks ?? null;
}

export function safeYaml(text: string | null): unknown {
  if (!text) return null;
  try {
    return parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return null;
  }
}
