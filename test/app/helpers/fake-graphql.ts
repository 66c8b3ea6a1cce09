import type { GraphQLSchema } from "graphql";

/**
 * `POST /graphql` for the fake GitHub: the query is validated and executed against GitHub's own
 * published GraphQL schema (@octokit/graphql-schema), so a field, argument or variable GitHub
 * does not have fails as it would there. Only what the app asks is resolved (anything else
 * resolves to null): `repository(owner, name)` with its issues and ledger refs, and the comment
 * mutations; the host (fake-github.ts, fake-graphql-nodes.ts) builds the objects.
 */

export interface GraphQLData {
  /** `Repository` as an object of resolvers (graphql-js calls functions with their arguments); undefined: none. */
  repository(owner: string, name: string): Record<string, unknown> | undefined;
  /** The root mutation fields the fake serves (`addComment`, …), each given its arguments. */
  mutations: Record<string, (args: { input: Record<string, unknown> }) => unknown>;
}

/** What GitHub sets as an error's `type` when a resolver cannot find what was named. */
const NOT_FOUND = /^Could not resolve to /;

let schema: Promise<GraphQLSchema> | undefined;

/** Built once per process, on the first GraphQL request (loading GitHub's schema takes a moment). */
function githubSchema(): Promise<GraphQLSchema> {
  schema ??= (async () => {
    const [{ schema: published }, { buildClientSchema }] = await Promise.all([
      import("@octokit/graphql-schema"),
      import("graphql"),
    ]);
    return buildClientSchema(published.json as never);
  })();
  return schema;
}

/**
 * The answer to one GraphQL request. `violations` are what GitHub's schema refuses (the test
 * fails on them); an issue that does not exist is an ordinary GraphQL error, as on GitHub.
 */
export async function answerGraphQL(
  body: unknown,
  data: GraphQLData,
): Promise<{ status: number; body: unknown; violations: string[] }> {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown };
  if (typeof request.query !== "string")
    return { status: 400, body: { message: "Problems parsing JSON" }, violations: ["a GraphQL request has no query"] };
  const { parse, validate, execute } = await import("graphql");
  const github = await githubSchema();
  let document;
  try {
    document = parse(request.query);
  } catch (error) {
    return { status: 200, body: { errors: [{ message: String(error) }] }, violations: [String(error)] };
  }
  const invalid = validate(github, document).map((e) => e.message);
  if (invalid.length)
    return { status: 200, body: { errors: invalid.map((message) => ({ message })) }, violations: invalid };
  const result = await execute({
    schema: github,
    document,
    variableValues: (request.variables ?? {}) as Record<string, unknown>,
    rootValue: {
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repository = data.repository(owner, name);
        if (!repository) throw new Error(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
        return repository;
      },
      ...data.mutations,
    },
  });
  const errors = result.errors?.map((e) => ({
    ...(JSON.parse(JSON.stringify(e)) as object),
    ...(NOT_FOUND.test(e.message) ? { type: "NOT_FOUND" } : {}),
  }));
  // GitHub answers with 200 and `errors` beside `data`; octokit.graphql throws on errors. No
  // `data` at all: the variables did not fit the query (a request GitHub refuses).
  const refused = result.data === undefined ? (result.errors ?? []).map((e) => e.message) : [];
  const answer = { ...(result.data === undefined ? {} : { data: result.data }), ...(errors ? { errors } : {}) };
  return { status: 200, body: JSON.parse(JSON.stringify(answer)) as unknown, violations: refused };
}
