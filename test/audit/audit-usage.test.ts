import { describe, expect, it } from "vitest";
import { run as audit } from "../../src/cli/commands/audit.js";
import { run as report } from "../../src/cli/commands/report.js";

/** The commands that read GitHub refuse what they cannot run with, before any request (exit 2). */
async function exit(command: typeof audit, argv: string[], env: Record<string, string> = { GITHUB_TOKEN: "t" }) {
  let stderr = "";
  const code = await command(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), env });
  return { code, stderr };
}

describe("audit and report usage", () => {
  it("refuse a missing or malformed --repo, a missing token, a bad format, date or request", async () => {
    expect(await exit(audit, [])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--repo OWNER\/NAME is required/),
    });
    expect(await exit(audit, ["--repo", "a/b/c"])).toMatchObject({ code: 2 });
    expect(await exit(audit, ["--repo", "a/b"], {})).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/GITHUB_TOKEN/),
    });
    expect(await exit(audit, ["--repo", "a/b", "--format", "pdf"])).toMatchObject({ code: 2 });
    expect(await exit(audit, ["--repo", "a/b", "--since", "yesterday"])).toMatchObject({ code: 2 });
    expect(await exit(audit, ["--repo", "a/b", "--request", "0"])).toMatchObject({ code: 2 });
    expect(await exit(audit, ["verify", "export.json"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--jwks/),
    });
    expect(await exit(report, ["--repo", "a/b", "--days", "0"])).toMatchObject({ code: 2 });
    expect(await exit(report, ["--repo", "a/b"], {})).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/GITHUB_TOKEN/),
    });
  });
});
