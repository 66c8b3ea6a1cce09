import type { Octokit } from "@octokit/rest";
import { parse as parseYaml } from "yaml";
import type { ConfigVersion } from "../../audit/keys.js";
import type { KeyChange, LedgerVersionFact, RequestHistory } from "../../audit/types.js";
import { CONFIG_PATH } from "../../config/parse.js";
import { DEFAULT_RECORDS_BRANCH } from "../../config/schema.js";
import { ledgerFilePath } from "../../record/ledger-file.js";
import { keyWindows, unionJwks } from "../../audit/keys.js";
import { parseRequestForm } from "../../app/intake/parse.js";
import { MAX_LEDGER_FILE_BYTES } from "../../record/ledger-file.js";
import { madeBy, provenanceFromGraphQL, type GraphQLCommit } from "../../record/provenance.js";
import { verifyRecordFile } from "../../record/signature.js";

/**
 * What `onerecord-access audit` reads of GitHub, in few requests (issue 21; docs/audit.md,
 * "Cost"): GraphQL queries for the configuration's history on the default branch (each version's
 * text and the pull request that merged it, 100 a page), then one query per page of 100 of the
 * repository's issues that also reads every version of the records of the page before it (commit,
 * time, who made it, the file's text; HISTORY_PAGE versions a page), then the records whose issue
 * is gone (the ledger's list of records at its head), and later pages of long histories; the bot's
 * id and the ledger branch's rules once each. Measured against the git protocol: a clone of the
 * ledger branch is one network operation, but needs git on the machine and cannot run on the
 * stand-in the tests and the bench use; these queries meet the target there (`npm run bench -- audit`).
 */
export const HISTORY_BATCH = 100;
export const HISTORY_PAGE = 50;
/** No paging loop goes past this many pages (a cursor that never ends is GitHub's bug or a stand-in's). */
const MAX_PAGES = 1000;

export interface AuditInputs {
  repository: string;
  defaultBranch: string;
  ledger: { owner: string; repo: string; branch: string };
  configVersions: ConfigVersion[];
  /** Where each configuration version put the ledger (a change is for the auditor to see). */
  ledgerSettings: Array<{ change: KeyChange; branch: string; repository?: string }>;
  /** The rules GitHub lists for the ledger branch (null: not readable). */
  rules: Array<{ type: string }> | null;
  /** Whether the app's bot was identified (else who made each commit is unknown). */
  botKnown: boolean;
  histories: RequestHistory[];
  unrecorded: number[];
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
  const read = options.request
    ? { histories: await histories(octokit, ledger, [options.request]), requests: new Set<number>() }
    : await everyRequest(octokit, repo, ledger);
  await readTruncated(octokit, ledger, read.histories);
  const configVersions = config.versions.map((v) => ({ change: v.change, jwks: jwksOf(v.text) }));
  const bot = await botAccount(octokit, options.app ?? (await writerOf(read.histories, configVersions, repo)));
  const byIssue = new Map(read.histories.map((h) => [h.issue, h]));
  return {
    repository: `${repo.owner}/${repo.repo}`,
    defaultBranch: config.defaultBranch,
    ledger,
    configVersions,
    ledgerSettings: config.versions.map((v) => ({ change: v.change, ...recordsSettings(v.text) })),
    rules: await ledgerRules(octokit, ledger),
    botKnown: bot !== null,
    histories: read.histories
      .filter((h) => h.commits.length > 0)
      .map((h) => ({ issue: h.issue, versions: h.commits.map((c) => fact(c, bot)) })),
    // Issues whose body is a production-access form, with no record file ever: never recorded, or hidden.
    unrecorded: [...read.requests].filter((n) => !byIssue.get(n)?.commits.length).sort((a, b) => a - b),
  };
}

type ConfigNode = {
  oid: string;
  committedDate: string;
  file: { object: { text?: string | null } | null } | null;
  associatedPullRequests: { nodes: Array<{ number: number; url: string; mergedBy: { login: string } | null }> };
};

/** Every version of the configuration on the default branch, oldest first, 100 a page. */
async function configHistory(
  octokit: Octokit,
  repo: { owner: string; repo: string },
): Promise<{ defaultBranch: string; versions: Array<{ change: KeyChange; text: string | null }> }> {
  const path = JSON.stringify(CONFIG_PATH);
  const nodes: ConfigNode[] = [];
  let defaultBranch = "main";
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: {
      repository: {
        defaultBranchRef: {
          name: string;
          target: { history: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ConfigNode[] } };
        } | null;
      } | null;
    } = await octokit.graphql(
      `query ($owner: String!, $name: String!${after ? ", $after: String!" : ""}) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef {
      name
      target {
        ... on Commit {
          history(path: ${path}, first: 100${after ? ", after: $after" : ""}) {
            pageInfo { hasNextPage endCursor }
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
      { owner: repo.owner, name: repo.repo, ...(after ? { after } : {}) },
    );
    const ref = answer.repository?.defaultBranchRef;
    if (!ref) break;
    defaultBranch = ref.name;
    nodes.push(...ref.target.history.nodes);
    const next = ref.target.history.pageInfo;
    if (!next.hasNextPage || !next.endCursor || next.endCursor === after) break;
    after = next.endCursor;
  }
  return {
    defaultBranch,
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

type Raw = { issue: number; commits: Made[] };
type Pending = { issue: number; after: string | null };

/** Every version of the records of `issues`: HISTORY_BATCH files a query, HISTORY_PAGE versions a page. */
async function histories(octokit: Octokit, ledger: AuditInputs["ledger"], issues: readonly number[]): Promise<Raw[]> {
  const out = new Map<number, Made[]>(issues.map((n) => [n, []]));
  let pending: Pending[] = issues.map((issue) => ({ issue, after: null }));
  for (let round = 0; pending.length && round < MAX_PAGES; round++) {
    const next: Pending[] = [];
    for (let i = 0; i < pending.length; i += HISTORY_BATCH) {
      const batch = pending.slice(i, i + HISTORY_BATCH);
      const answer = await batchQuery(octokit, ledger, batch, null);
      next.push(...collect(out, batch, answer.pages));
    }
    pending = next;
  }
  return ordered(out);
}

/**
 * Every request there is: the repository's issues (those whose body is a production-access form
 * must have a record) and every record file on the ledger's head, with every version of each
 * record. One query a page of 100 issues, which also reads the versions of the page before it
 * (issue 21's cost target), then the records whose issue is gone, and later pages of long histories.
 */
async function everyRequest(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  ledger: AuditInputs["ledger"],
): Promise<{ histories: Raw[]; requests: Set<number> }> {
  const out = new Map<number, Made[]>();
  const requests = new Set<number>();
  let cursor: string | null | undefined = undefined; // undefined: the first page, null: no more
  let batch: Pending[] = [];
  let later: Pending[] = [];
  for (let page = 0; page < MAX_PAGES && (cursor !== null || batch.length); page++) {
    const answer = await batchQuery(octokit, ledger, batch, cursor === null ? null : { repo, after: cursor ?? null });
    later.push(...collect(out, batch, answer.pages));
    for (const issue of answer.issues?.nodes ?? []) {
      if (parseRequestForm(issue.body).recognized) requests.add(issue.number);
      if (!out.has(issue.number)) out.set(issue.number, []);
    }
    batch = (answer.issues?.nodes ?? []).map((i) => ({ issue: i.number, after: null }));
    const info = answer.issues?.pageInfo;
    cursor = info?.hasNextPage && info.endCursor && info.endCursor !== cursor ? info.endCursor : null;
  }
  // Records whose issue the listing did not give (deleted or moved), and later pages of long histories.
  const orphans = (await recordIssues(octokit, ledger)).filter((n) => !out.has(n));
  for (const n of orphans) out.set(n, []);
  later.push(...orphans.map((issue) => ({ issue, after: null })));
  for (let round = 0; later.length && round < MAX_PAGES; round++) {
    const next: Pending[] = [];
    for (let i = 0; i < later.length; i += HISTORY_BATCH) {
      const slice = later.slice(i, i + HISTORY_BATCH);
      next.push(...collect(out, slice, (await batchQuery(octokit, ledger, slice, null)).pages));
    }
    later = next;
  }
  return { histories: ordered(out), requests };
}

/** Appends each page's commits; returns what has more pages (a cursor that does not move ends it). */
function collect(out: Map<number, Made[]>, batch: readonly Pending[], pages: ReadonlyArray<Page | null>): Pending[] {
  const more: Pending[] = [];
  for (const [j, page] of pages.entries()) {
    const { issue, after } = batch[j]!;
    if (!out.has(issue)) out.set(issue, []);
    out.get(issue)!.push(...(page?.nodes ?? []));
    const end = page?.pageInfo.endCursor;
    if (page?.pageInfo.hasNextPage && end && end !== after) more.push({ issue, after: end });
  }
  return more;
}

/** GitHub lists history newest first; the audit reads it oldest first. */
function ordered(out: Map<number, Made[]>): Raw[] {
  return [...out].sort(([a], [b]) => a - b).map(([issue, commits]) => ({ issue, commits: [...commits].reverse() }));
}

type IssuePage = {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ number: number; body: string }>;
};

/** One query: the versions of `batch`'s records, and (when asked) a page of the repository's issues. */
async function batchQuery(
  octokit: Octokit,
  ledger: AuditInputs["ledger"],
  batch: readonly Pending[],
  issues: { repo: { owner: string; repo: string }; after: string | null } | null,
): Promise<{ pages: Array<Page | null>; issues: IssuePage | null }> {
  // Paths and cursors are formatted from integers and GitHub's own cursors, as JSON strings.
  const fields = batch.map(({ issue, after }, i) => {
    const path = JSON.stringify(ledgerFilePath(issue));
    const cursor = after ? `, after: ${JSON.stringify(after)}` : "";
    return `h${i}: history(path: ${path}, first: ${HISTORY_PAGE}${cursor}) { pageInfo { hasNextPage endCursor } nodes { oid committedDate author { email } committer { email } signature { isValid state } file(path: ${path}) { object { ... on Blob { text isTruncated } } } } }`;
  });
  const issuesPart = issues
    ? `  repository(owner: $owner, name: $name) { issues(first: 100${issues.after ? `, after: ${JSON.stringify(issues.after)}` : ""}, orderBy: { field: CREATED_AT, direction: ASC }) { pageInfo { hasNextPage endCursor } nodes { number body } } }`
    : "";
  const ledgerPart = fields.length
    ? `  ledger: repository(owner: $ledgerOwner, name: $ledgerName) { ref(qualifiedName: $branch) { target { ... on Commit {\n${fields.join("\n")}\n} } } }`
    : "";
  if (!issuesPart && !ledgerPart) return { pages: [], issues: null };
  const variables = {
    ...(issues ? { owner: issues.repo.owner, name: issues.repo.repo } : {}),
    ...(fields.length
      ? { ledgerOwner: ledger.owner, ledgerName: ledger.repo, branch: `refs/heads/${ledger.branch}` }
      : {}),
  };
  const declared = [
    ...(issues ? ["$owner: String!", "$name: String!"] : []),
    ...(fields.length ? ["$ledgerOwner: String!", "$ledgerName: String!", "$branch: String!"] : []),
  ];
  const answer = await octokit.graphql<{
    repository?: { issues: IssuePage } | null;
    ledger?: { ref: { target: Record<string, Page> } | null } | null;
  }>(`query (${declared.join(", ")}) {\n${issuesPart}\n${ledgerPart}\n}`, variables);
  const target = answer.ledger?.ref?.target ?? {};
  return { pages: batch.map((_, i) => target[`h${i}`] ?? null), issues: answer.repository?.issues ?? null };
}

/** The rules GitHub lists for the ledger branch (what the app's protection precondition reads); null when unreadable. */
async function ledgerRules(octokit: Octokit, ledger: AuditInputs["ledger"]): Promise<Array<{ type: string }> | null> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
      owner: ledger.owner,
      repo: ledger.repo,
      branch: ledger.branch,
    });
    return (data as Array<{ type: string }>).map((r) => ({ type: r.type }));
  } catch {
    return null;
  }
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
      try {
        const { data } = await octokit.rest.repos.getContent({
          owner: ledger.owner,
          repo: ledger.repo,
          path: ledgerFilePath(issue),
          ref: c.oid,
          mediaType: { format: "raw" },
        });
        // Larger than any file the app writes: not read (the version then fails as unreadable).
        const text = data as unknown;
        c.file.object.text = typeof text === "string" && text.length <= MAX_LEDGER_FILE_BYTES ? text : "";
      } catch {
        c.file.object.text = "";
      }
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

/**
 * The app's bot as the records name it (`writer`, under their signature): taken only from a version
 * that verifies with a key the configuration published, the newest first.
 */
async function writerOf(
  raw: readonly Raw[],
  configVersions: readonly ConfigVersion[],
  repo: { owner: string; repo: string },
): Promise<string | null> {
  const jwks = unionJwks(keyWindows(configVersions));
  if (jwks.keys.length === 0) return null;
  for (const { issue, commits } of raw)
    for (const c of [...commits].reverse()) {
      const text = c.file?.object?.text;
      if (!text) continue;
      const verdict = await verifyRecordFile(text, jwks, { repository: `${repo.owner}/${repo.repo}`, issue });
      if (verdict.ok) return verdict.record.writer ?? null;
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

function safeYaml(text: string | null): unknown {
  if (!text) return null;
  try {
    return parseYaml(text, { maxAliasCount: 50 });
  } catch {
    return null;
  }
}
