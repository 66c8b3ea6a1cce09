import { describe, expect, it } from "vitest";
import { commentMutation } from "../../src/app/github/comment-batch.js";

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
