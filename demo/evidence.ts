import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run as audit } from "../src/cli/commands/audit.js";
import { run as report } from "../src/cli/commands/report.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import { testRecordKey } from "../test/app/helpers/record-key.js";
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
): Promise<{ audit: string; report: string; verdict: string; verify: string; offline: string }> {
  const repo = `${s.gh.owner}/${s.gh.repo}`;
  // The stand-in's clock: the demo's events happen on it (61 days pass after live), so the report
  // and the audit are made at its time, not the laptop's.
  const io = (sink: (t: string) => void) => ({
    stdout: () => undefined,
    stderr: sink,
    env: { GITHUB_TOKEN: "ghs_demo_auditor" },
    fetch: globalThis.fetch,
    now: () => new Date(s.gh.now()),
  });
  let verdict = "";
  const auditPath = join(out, "audit.html");
  await audit(
    ["--repo", repo, "--format", "html", "--out", auditPath],
    io((t) => (verdict += t)),
  );
  const exportPath = join(out, "audit.json");
  await audit(
    ["--repo", repo, "--out", exportPath],
    io(() => undefined),
  );
  // The auditor's own copy of the public record keys (as `record-jwks` prints them for the operator).
  const jwksPath = join(out, "record-jwks.json");
  writeFileSync(jwksPath, `${JSON.stringify((await testRecordKey()).jwks, null, 2)}\n`);
  let offline = "";
  await audit(
    ["verify", exportPath, "--jwks", jwksPath],
    io((t) => (offline += t)),
  );
  const reportPath = join(out, "operator.html");
  await report(
    ["--repo", repo, "--format", "html", "--out", reportPath],
    io(() => undefined),
  );
  return {
    audit: auditPath,
    report: reportPath,
    verdict: verdict.trim().split("\n").at(-1) ?? "",
    verify: `node cli/dist/onerecord-access.js audit verify ${exportPath} --jwks ${jwksPath}`,
    offline: offline.trim().split("\n").at(-1)?.split(":")[0] ?? "",
  };
}
