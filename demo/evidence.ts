import { join } from "node:path";
import { run as audit } from "../src/cli/commands/audit.js";
import { run as report } from "../src/cli/commands/report.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import type { Scenario } from "../test/app/helpers/scenario.js";

/**
 * The auditor's and the operator's pages of the demo (issue 21): `onerecord-access audit` and
 * `report`, run in this process against the stand-in, as an auditor and an operator run them.
 * The configuration's history on the default branch is what the audit reads to know which record
 * keys were published when: `publishConfig` records each change as the merge of a pull request.
 */
let pull = 2;

export function publishConfig(s: Scenario, text: string, what: string): void {
  s.gh.setFile(CONFIG_PATH, text);
  const commit = s.gh
    .ledgerGit()
    .commitFile(
      "main",
      CONFIG_PATH,
      text,
      `${what} (#${pull})`,
      personOf(s.gh, { login: "otto", type: "User" }, s.gh.now()),
      true,
    );
  s.gh.branch.pulls.set(commit.sha, [
    { number: pull, author: "otto", mergedAt: s.gh.now(), mergeCommit: commit.sha, base: "main", mergedBy: "rita" },
  ]);
  pull++;
}

export async function writeEvidence(
  s: Scenario,
  out: string,
): Promise<{ audit: string; report: string; verdict: string }> {
  const repo = `${s.gh.owner}/${s.gh.repo}`;
  const io = (sink: (t: string) => void) => ({
    stdout: () => undefined,
    stderr: sink,
    env: { GITHUB_TOKEN: "ghs_demo_auditor" },
    fetch: globalThis.fetch,
  });
  let verdict = "";
  const auditPath = join(out, "audit.html");
  await audit(
    ["--repo", repo, "--format", "html", "--out", auditPath],
    io((t) => (verdict += t)),
  );
  const reportPath = join(out, "operator.html");
  await report(
    ["--repo", repo, "--format", "html", "--out", reportPath],
    io(() => undefined),
  );
  return { audit: auditPath, report: reportPath, verdict: verdict.trim().split("\n").at(-1) ?? "" };
}
