import type { Octokit } from "@octokit/rest";
import { CONFIG_PATH, parseConfigText } from "../../config/parse.js";
import type { AccessConfig } from "../../config/schema.js";
import { ledgerFilePath } from "../../record/ledger-file.js";
import { madeBy, provenanceFromGraphQL, type GraphQLCommit } from "../../record/provenance.js";
import type { AccessRecord } from "../../record/schema.js";
import { verifyRecordFile } from "../../record/signature.js";
import { botAccount, recordIssues, recordsSettings } from "./read-github.js";

/**
 * What `onerecord-access report` reads (issue 21, part 2): the configuration on the default
 * branch, then each request's record as the ledger branch's head has it, HEAD_BATCH a query, with
 * the commit that put it there. A head that does not verify with `records.jwks`, or that the app
 * did not commit, is listed as such and not judged (the audit says more).
 */
export const HEAD_BATCH = 100;

export interface Heads {
  repository: string;
  config: AccessConfig;
  records: AccessRecord[];
  unreadable: Array<{ issue: number; reason: string }>;
}

export async function readHeads(octokit: Octokit, repo: { owner: string; repo: string }): Promise<Heads> {
  const configText = await defaultBranchFile(octokit, repo, CONFIG_PATH);
  const config = parseConfigText(configText ?? "{}");
  const settings = recordsSettings(configText);
  const [owner, name] = settings.repository?.split("/") ?? [repo.owner, repo.repo];
  const ledger = { owner: owner!, repo: name!, branch: settings.branch };
  const issues = await recordIssues(octokit, ledger);
  const repository = `${repo.owner}/${repo.repo}`;
  const heads: Array<{ issue: number; text: string | null; commit: GraphQLCommit | null }> = [];
  for (let i = 0; i < issues.length; i += HEAD_BATCH)
    heads.push(...(await headBatch(octokit, ledger, issues.slice(i, i + HEAD_BATCH))));
  // Every head verified first; the app's bot is the writer the verified records name.
  const verified = [];
  const out: Heads = { repository, config, records: [], unreadable: [] };
  for (const head of heads) {
    const verdict = await verifyRecordFile(head.text, config.records.jwks, { repository, issue: head.issue });
    if (verdict.ok) verified.push({ head, record: verdict.record });
    else out.unreadable.push({ issue: head.issue, reason: `${verdict.reason} (${verdict.code})` });
  }
  const bot = await botAccount(octokit, verified.find((v) => v.record.writer)?.record.writer ?? null);
  for (const { head, record } of verified) {
    if (!bot || !head.commit || !madeBy(provenanceFromGraphQL(head.commit, bot), bot.login))
      out.unreadable.push({ issue: head.issue, reason: "the head was not committed by the app" });
    else out.records.push(record);
  }
  out.unreadable.sort((a, b) => a.issue - b.issue);
  return out;
}

async function defaultBranchFile(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  path: string,
): Promise<string | null> {
  const answer = await octokit.graphql<{
    repository: { defaultBranchRef: { target: { file: { object: { text?: string | null } | null } | null } } | null };
  }>(
    `query ($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { target { ... on Commit { file(path: ${JSON.stringify(path)}) { object { ... on Blob { text } } } } } }
  }
}`,
    { owner: repo.owner, name: repo.repo },
  );
  return answer.repository.defaultBranchRef?.target.file?.object?.text ?? null;
}

async function headBatch(
  octokit: Octokit,
  ledger: { owner: string; repo: string; branch: string },
  issues: readonly number[],
): Promise<Array<{ issue: number; text: string | null; commit: GraphQLCommit | null }>> {
  // Paths are formatted from integers, as JSON strings.
  const fields = issues.flatMap((issue, i) => {
    const path = JSON.stringify(ledgerFilePath(issue));
    return [
      `f${i}: file(path: ${path}) { object { ... on Blob { text } } }`,
      `h${i}: history(path: ${path}, first: 1) { nodes { oid author { email } committer { email } signature { isValid state } } }`,
    ];
  });
  type Target = Record<string, { object?: { text?: string | null } | null; nodes?: GraphQLCommit[] } | null>;
  const answer = await octokit.graphql<{ repository: { ref: { target: Target } | null } }>(
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
  return issues.map((issue, i) => ({
    issue,
    text: target[`f${i}`]?.object?.text ?? null,
    commit: target[`h${i}`]?.nodes?.[0] ?? null,
  }));
}
