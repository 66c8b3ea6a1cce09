import { describe, expect, it } from "vitest";
import {
  commentMutation,
  MUTATION_CHUNK,
  writeComments,
  type CommentWrite,
} from "../../src/app/github/comment-batch.js";

describe("commentMutation", () => {
  it("writes each comment as an aliased mutation, in order, with every body and id as a variable", () => {
    const hostile = '") { id } evil: deleteIssueComment(input: { id: "IC_1" }) { clientMutationId } #';
    const { query, variables } = commentMutation([
      { kind: "update", comment: "IC_5", body: "status" },
      { kind: "create", subject: "I_2", body: hostile },
      { kind: "delete", comment: "IC_9" },
    ]);
    expect(query).not.toContain("status");
    expect(query).not.toContain("evil");
    expect(query.match(/m\d: (\w+)/g)).toEqual(["m0: updateIssueComment", "m1: addComment", "m2: deleteIssueComment"]);
    expect(variables).toEqual({ c0: "IC_5", b0: "status", s1: "I_2", b1: hostile, c2: "IC_9" });
    expect(query).toMatch(/^mutation \(\$c0: ID!, \$b0: String!, \$s1: ID!, \$b1: String!, \$c2: ID!\)/);
  });
});

describe("writeComments", () => {
  const writes: CommentWrite[] = Array.from({ length: MUTATION_CHUNK + 3 }, (_, i) => ({
    kind: "update",
    comment: `IC_${i}`,
    body: `b${i}`,
  }));

  it("sends every chunk after one whose field failed, and names the writes that failed", async () => {
    const sent: string[][] = [];
    const octokit = {
      graphql: (_query: string, variables: Record<string, string>) => {
        sent.push(Object.keys(variables).filter((k) => k.startsWith("c")));
        if (sent.length === 1)
          return Promise.reject(
            Object.assign(new Error("partly"), {
              data: { m0: null, m1: { clientMutationId: null } },
              errors: [{ path: ["m0"], type: "NOT_FOUND" }, { path: ["m2"] }],
            }),
          );
        return Promise.resolve({});
      },
    };
    const failed = await writeComments(octokit as never, writes);
    expect(sent.map((s) => s.length)).toEqual([MUTATION_CHUNK, 3]);
    expect(failed).toEqual([
      { index: 0, notFound: true },
      { index: 2, notFound: false },
    ]);
  });

  it("takes a chunk refused whole (no data, or an error not of a field) as failed whole", async () => {
    let calls = 0;
    const octokit = {
      graphql: () => (++calls === 2 ? Promise.reject(new Error("502")) : Promise.resolve({})),
    };
    const failed = await writeComments(octokit as never, writes);
    expect(failed.map((f) => f.index)).toEqual([MUTATION_CHUNK, MUTATION_CHUNK + 1, MUTATION_CHUNK + 2]);
  });
});
