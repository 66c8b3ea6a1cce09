import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  COMPACT_JWE,
  runPath,
  TOKEN_RUN_TITLE,
  tokenRunTitle,
  tokenWorkflowPath,
  workflowPathOfRef,
} from "../../src/record/token-workflow.js";

/** The shipped workflow file is the other half of this vocabulary: the two must agree. */
const workflowFile = "issue-tokens.yml";
const workflow = parse(readFileSync(new URL(`../../.github/workflows/${workflowFile}`, import.meta.url), "utf8")) as {
  "run-name": string;
};

describe("the token workflow's vocabulary (src/record/token-workflow.ts)", () => {
  it("writes the run title the shipped workflow's run-name produces, and reads it back", () => {
    const title = workflow["run-name"].replace("${{ inputs.request }}", "42");
    expect(title).not.toContain("${{");
    expect(tokenRunTitle(42)).toBe(title);
    expect(TOKEN_RUN_TITLE.exec(title)?.[1]).toBe("42");
  });

  it("finds the configured workflow under .github/workflows from both spellings of a run's path", () => {
    expect(tokenWorkflowPath(workflowFile)).toBe(".github/workflows/issue-tokens.yml");
    expect(runPath(".github/workflows/issue-tokens.yml", "acme/access")).toBe(tokenWorkflowPath(workflowFile));
    expect(runPath("acme/access/.github/workflows/issue-tokens.yml@refs/heads/main", "acme/access")).toBe(
      tokenWorkflowPath(workflowFile),
    );
  });

  it("reads GITHUB_WORKFLOW_REF strictly: another repository or no @ref gives nothing", () => {
    const ref = "acme/access/.github/workflows/issue-tokens.yml@refs/heads/main";
    expect(workflowPathOfRef(ref, "acme/access")).toBe(".github/workflows/issue-tokens.yml");
    expect(workflowPathOfRef(ref, "acme/other")).toBe("");
    expect(workflowPathOfRef("acme/access/.github/workflows/issue-tokens.yml", "acme/access")).toBe("");
  });

  it("recognises a compact JWE (five parts, the key part may be empty) and nothing else", () => {
    expect(COMPACT_JWE.test("aGVhZA.a2V5.aXY.Y2lwaGVy.dGFn")).toBe(true);
    expect(COMPACT_JWE.test("aGVhZA..aXY.Y2lwaGVy.dGFn")).toBe(true);
    expect(COMPACT_JWE.test("aGVhZA.cGF5bG9hZA.c2ln")).toBe(false);
    expect(COMPACT_JWE.test("aGVhZA.a2V5.aXY.Y2lwaGVy.dGFn\n")).toBe(false);
  });
});
