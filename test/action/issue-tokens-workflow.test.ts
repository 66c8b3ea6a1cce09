import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INPUT_NAMES } from "../../action/inputs.js";

/**
 * The shipped token workflow against what the Action reads: the job's token can read the ledger
 * branch (`contents: read`) and post the issuance comment, nothing more, and the step passes only
 * inputs the Action declares (a leftover input would be silently ignored by the runner).
 */
const read = (path: string) => parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")) as unknown;
const workflow = read(".github/workflows/issue-tokens.yml") as {
  permissions: unknown;
  jobs: Record<string, { permissions: Record<string, string>; steps: Array<{ uses?: string; with?: object }> }>;
};
const action = read("action.yml") as { inputs: Record<string, unknown> };
const job = workflow.jobs["issue-tokens"]!;

describe("the token workflow's permissions and inputs", () => {
  it("gives the job's token exactly contents: read (checkout and ledger branch) and issues: write", () => {
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: "read", issues: "write" });
  });

  it("passes the Action only inputs it declares, and action.yml declares exactly what the Action reads", () => {
    const step = job.steps.find((s) => s.uses === "./");
    expect(Object.keys(step?.with ?? {}).every((name) => name in action.inputs)).toBe(true);
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    expect(Object.keys(step?.with ?? {})).not.toContain("app-login");
  });
});
