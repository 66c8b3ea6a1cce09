import type { ProbotOctokit } from "probot";

/**
 * Comment writes of many issues in one GraphQL request (`addComment`, `updateIssueComment`,
 * `deleteIssueComment` as aliased fields of one mutation, which GitHub runs one after another in
 * the order written): what an expiry sweep posts for its due requests — the status comments and
 * the reminders — at the cost of one request per MUTATION_CHUNK, where REST takes one each.
 * GitHub counts each mutation towards its secondary limit (docs: "Rate limits for the GraphQL
 * API"); a chunk stays well under it. Bodies go as variables, never into the query text.
 */

type Octokit = InstanceType<typeof ProbotOctokit>;

export const MUTATION_CHUNK = 25;

export type CommentWrite =
  | { kind: "create"; subject: string; body: string }
  | { kind: "update"; comment: string; body: string }
  | { kind: "delete"; comment: string };

/** A write GitHub did not make: `notFound`, the comment or issue named is gone. */
export interface FailedWrite {
  index: number;
  notFound: boolean;
}

/**
 * Sends every chunk, whatever an earlier one answered, and gives the writes that failed: GitHub
 * runs a mutation's fields one after another and answers an error per field that failed (its
 * `path` is the alias) beside the others' data; a chunk refused whole fails all its writes.
 */
export async function writeComments(octokit: Octokit, writes: readonly CommentWrite[]): Promise<FailedWrite[]> {
  const failed: FailedWrite[] = [];
  for (let i = 0; i < writes.length; i += MUTATION_CHUNK) {
    const chunk = writes.slice(i, i + MUTATION_CHUNK);
    const { query, variables } = commentMutation(chunk);
    try {
      await octokit.graphql(query, variables);
    } catch (error) {
      failed.push(...failedFields(error, chunk.length).map((f) => ({ ...f, index: i + f.index })));
    }
  }
  return failed;
}

function failedFields(error: unknown, size: number): FailedWrite[] {
  const e = error as { data?: unknown; errors?: Array<{ path?: unknown[]; type?: string }> };
  const fields = (e.errors ?? []).map((x) => ({ alias: x.path?.[0], notFound: x.type === "NOT_FOUND" }));
  const known = fields.every((f) => typeof f.alias === "string" && /^m\d+$/.test(f.alias));
  if (!e.data || !fields.length || !known)
    return Array.from({ length: size }, (_, index) => ({ index, notFound: false }));
  return fields.map((f) => ({ index: Number((f.alias as string).slice(1)), notFound: f.notFound }));
}

/** The mutation for some writes, with its variables (pure). */
export function commentMutation(writes: readonly CommentWrite[]): {
  query: string;
  variables: Record<string, string>;
} {
  const params: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, string> = {};
  writes.forEach((w, i) => {
    if (w.kind === "create") {
      params.push(`$s${i}: ID!`, `$b${i}: String!`);
      Object.assign(variables, { [`s${i}`]: w.subject, [`b${i}`]: w.body });
      fields.push(`  m${i}: addComment(input: { subjectId: $s${i}, body: $b${i} }) { clientMutationId }`);
    } else if (w.kind === "update") {
      params.push(`$c${i}: ID!`, `$b${i}: String!`);
      Object.assign(variables, { [`c${i}`]: w.comment, [`b${i}`]: w.body });
      fields.push(`  m${i}: updateIssueComment(input: { id: $c${i}, body: $b${i} }) { clientMutationId }`);
    } else {
      params.push(`$c${i}: ID!`);
      variables[`c${i}`] = w.comment;
      fields.push(`  m${i}: deleteIssueComment(input: { id: $c${i} }) { clientMutationId }`);
    }
  });
  return { query: `mutation (${params.join(", ")}) {\n${fields.join("\n")}\n}`, variables };
}
