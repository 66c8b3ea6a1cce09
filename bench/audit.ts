import { stringify } from "yaml";
import { run } from "../src/cli/commands/audit.js";
import { CONFIG_PATH } from "../src/config/parse.js";
import { textBlobSha } from "../src/record/git-blob.js";
import { ledgerFilePath, ledgerFileText } from "../src/record/ledger-file.js";
import type { AccessRecord } from "../src/record/schema.js";
import { signRecord } from "../src/record/signature.js";
import { personOf } from "../test/app/helpers/fake-git-routes.js";
import { testRecordKey } from "../test/app/helpers/record-key.js";
import type { Scenario } from "../test/app/helpers/scenario.js";
import { makeTestCa, startScenario } from "../test/app/helpers/test-ca.js";
import { makeTokenKey } from "../test/app/helpers/token-run.js";

/**
 * `onerecord-access audit` of 1,000 requests with 6 versions each (issue 21: "at most 30 s and at
 * most 20 rate-limited API requests on the stand-in"). One request is taken through the app to
 * stage tokens (its six signed versions are real), then 999 more are its copies for other issue
 * numbers, each version signed again with the record key and chained, committed as the app.
 * Counted at the HTTP layer; the time is the audit's alone, in this process.
 */
const REQUESTS = 1000;
const VERSIONS = 6;
const LEDGER = "onerecord-access/records";

export async function benchAudit(): Promise<string[]> {
  const ca = await makeTestCa(["gw-1", "gw-2"]);
  const tokenKey = await makeTokenKey();
  const s = await startScenario(ca, stringify({ tokens: { jwks: tokenKey.jwks } }));
  try {
    const template = await versionsOf(s);
    const key = await testRecordKey();
    const git = s.gh.ledgerGit();
    const app = personOf(s.gh, s.gh.bot, s.gh.now());
    const text = s.gh.files.get(`main:${CONFIG_PATH}`)!.toString("utf8");
    const configured = git.commitFile(
      "main",
      CONFIG_PATH,
      text,
      "configure (#2)",
      { ...app, date: "2026-01-01T00:00:00Z" },
      true,
    );
    s.gh.branch.pulls.set(configured.sha, [
      { number: 2, author: "otto", mergedAt: "2026-01-01T00:00:00Z", mergeCommit: configured.sha, base: "main" },
    ]);
    const started = Date.now();
    for (let issue = 2; issue <= REQUESTS; issue++) {
      let previous: string | null = null;
      for (const record of template) {
        const copy: AccessRecord = {
          ...record,
          issue,
          issueUrl: record.issueUrl.replace(/\d+$/, String(issue)),
          previous,
        };
        const file = ledgerFileText(await signRecord(copy, key));
        git.commitFile(LEDGER, ledgerFilePath(issue), file, `request #${issue}`, app, true);
        previous = textBlobSha(file);
      }
    }
    const built = Date.now() - started;
    const mark = s.mark();
    const t0 = performance.now();
    let stderr = "";
    const code = await run(["--repo", `${s.gh.owner}/${s.gh.repo}`, "--out", "/dev/null"], {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      env: { GITHUB_TOKEN: "ghs_bench" },
      fetch: globalThis.fetch,
    });
    const seconds = (performance.now() - t0) / 1000;
    const calls = s.callsSince(mark);
    if (code !== 0) throw new Error(`bench: the audit failed: ${stderr.slice(0, 500)}`);
    return [
      "",
      `### Audit of ${REQUESTS} requests, ${VERSIONS} signed versions each`,
      "",
      "| what | measured | target |",
      "| --- | ---: | ---: |",
      `| API requests | ${calls.length} | ≤ 20 |`,
      `| rate-limited | ${s.rateLimitedSince(mark)} | ≤ 20 |`,
      `| seconds, in this process (the stand-in answers in it too) | ${seconds.toFixed(1)} | ≤ 30 |`,
      "",
      `Requests: ${summarize(calls)}. (Building the ${REQUESTS * VERSIONS} versions took ${(built / 1000).toFixed(1)} s, not counted.)`,
    ];
  } finally {
    s.stop();
  }
}

/** The first VERSIONS versions of one request taken through the app (each version's record, oldest first). */
async function versionsOf(s: Scenario): Promise<AccessRecord[]> {
  const n = await s.open({ devices: ["gw-1", "gw-2"] });
  await s.tickAll(n);
  await s.say(n, "rita", "/hold the account review is pending");
  await s.say(n, "rita", "/unhold");
  await s.say(n, "tom", "/approve-certification");
  await s.say(n, "rita", "/hold the contract is being renewed");
  const texts = s.gh
    .ledgerGit()
    .log(LEDGER, ledgerFilePath(n))
    .reverse()
    .map((c) =>
      s.gh
        .ledgerGit()
        .blobs.get(s.gh.ledgerGit().blobAt(c, ledgerFilePath(n))!)!
        .toString("utf8"),
    );
  if (texts.length < VERSIONS)
    throw new Error(`bench: the template request has ${texts.length} versions, not ${VERSIONS}`);
  return texts.slice(0, VERSIONS).map((t) => {
    const file = JSON.parse(t) as { payload: string };
    return JSON.parse(Buffer.from(file.payload, "base64url").toString("utf8")) as AccessRecord;
  });
}

function summarize(calls: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} × ${c}`).join(", ");
}
