import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import app from "../src/app/index.js";
import { FakeGitHub } from "../test/app/helpers/fake-github.js";
import { formBody } from "../test/app/helpers/form.js";
import { commentEvent, issueEvent, pullRequestEvent } from "../test/app/helpers/payloads.js";
import { median } from "./measure.js";

/**
 * The app's cost per webhook: GitHub API requests (counted at the HTTP layer, on a fake GitHub
 * served over loopback HTTP) and in-process handling time (median, `probot.receive` to done).
 * Steady state: the installation token and the app's bot login are fetched once per process and
 * listed separately; Probot's write pacing (1 s between writes, its default throttling) is off,
 * since it is deliberate waiting, not handling.
 */

const CONFIG = "reviewers:\n  teams: [acme/onerecord-reviewers]\n  logins: [rita]\n";
const ROUNDS = 15;

interface Row {
  event: string;
  target?: number;
  requests: number[];
  calls: string;
  ms: number[];
}

export async function benchApp(): Promise<string[]> {
  const gh = new FakeGitHub();
  gh.validate = false;
  gh.setConfig(CONFIG);
  gh.addTeamMember("acme/onerecord-reviewers", "tom");
  const baseUrl = await gh.listen();
  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    secret: "bench",
    baseUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(app);

  const rows = new Map<string, Row>();
  const measure = async (event: string, run: () => Promise<void>, target?: number) => {
    const from = gh.requests.length;
    const start = process.hrtime.bigint();
    await run();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const calls = gh.requests.slice(from).filter((r) => !/^\/app(\/|$)/.test(r.path));
    const row = rows.get(event) ?? { event, ...(target === undefined ? {} : { target }), requests: [], calls: "", ms: [] };
    row.requests.push(calls.length);
    row.ms.push(ms);
    row.calls = summarize(calls.map((c) => c.operationId ?? c.path));
    rows.set(event, row);
  };

  // Warm-up: the token exchange and GET /app happen here, and the first request in the repository
  // creates the labels (their colours are set once).
  const first = gh.openIssue(formBody());
  const fromStart = gh.requests.length;
  await probot.receive(issueEvent(gh, "opened", first.number));
  const firstCalls = gh.requests.slice(fromStart);
  const once = firstCalls.filter((r) => /^\/app(\/|$)/.test(r.path)).length;
  const labelSetup = firstCalls.filter((r) => r.operationId === "issues/update-label" || r.operationId === "issues/create-label").length;

  for (let round = 0; round < ROUNDS; round++) {
    const issue = gh.openIssue(formBody());
    await measure("intake (issues.opened, valid form)", () => probot.receive(issueEvent(gh, "opened", issue.number)), 4);
    const n = issue.number;

    const chat = gh.addComment(n, "Thanks, the meeting is on Tuesday.\n\n> /approve-certification (quoted, not a command)", "jane");
    await measure("comment without a command line", () => probot.receive(commentEvent(gh, "created", chat)), 0);

    const check = gh.addComment(n, "/check stage-testing", "rita");
    await measure("accepted command (/check by a configured login)", () => probot.receive(commentEvent(gh, "created", check)), 4);

    const team = gh.addComment(n, "/check legal-agreements", "tom");
    await measure(round === 0 ? "accepted command (team reviewer, first lookup)" : "accepted command (team reviewer, membership cached)", () => probot.receive(commentEvent(gh, "created", team)), 4);

    const refused = gh.addComment(n, "/approve-certification", "mallory");
    await measure("refused command (reply posted)", () => probot.receive(commentEvent(gh, "created", refused)));

    await measure("duplicate delivery of a handled comment", () => probot.receive(commentEvent(gh, "created", check)));

    const help = gh.addComment(n, "/help", "jane");
    await measure("/help (reply posted)", () => probot.receive(commentEvent(gh, "created", help)));

    const before = gh.issues.get(n)!.body;
    gh.editIssueBody(n, formBody({ devices: ["gateway-01", "gateway-02", "gateway-03"] }));
    await measure("form edited (issues.edited)", () => probot.receive(issueEvent(gh, "edited", n, { changes: { body: { from: before } } })));

    gh.setIssueLabels(n, [...gh.issues.get(n)!.labels, "access: live"]);
    await measure("managed label added by hand (restored)", () => probot.receive(issueEvent(gh, "labeled", n, { sender: { login: "mallory", type: "User" }, label: "access: live" })));

    gh.pullFiles.set(1000 + round, [{ filename: `certificates/${n}/gateway-01.pem`, status: "added" }]);
    await measure("certificate PR opened (linked)", () => probot.receive(pullRequestEvent(gh, "opened", { number: 1000 + round })));

    // Two certificate files merged (their content is irrelevant to the count: it is fetched and judged).
    const commit = `${round}`.padStart(40, "f");
    gh.pullFiles.set(2000 + round, ["gateway-01", "gateway-02"].map((d) => ({ filename: `certificates/${n}/${d}.pem`, status: "added" })));
    for (const d of ["gateway-01", "gateway-02"]) gh.setFile(`certificates/${n}/${d}.pem`, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", commit);
    await measure("certificate PR merged (2 files re-validated)", () => probot.receive(pullRequestEvent(gh, "closed", { number: 2000 + round, merged: true, mergeCommit: commit })));
  }

  await gh.close();
  const lines = [
    "GitHub API requests per webhook, counted at the HTTP layer (fake GitHub on loopback HTTP), and median in-process handling time:",
    "",
    "| event | requests | target | calls | median |",
    "| --- | ---: | ---: | --- | ---: |",
  ];
  for (const row of rows.values()) {
    const counts = [...new Set(row.requests)].sort((a, b) => a - b).join("–");
    const verdict = row.target === undefined ? "" : Math.max(...row.requests) <= row.target ? `≤ ${row.target} ✓` : `≤ ${row.target} ✗`;
    lines.push(`| ${row.event} | ${counts} | ${verdict} | ${row.calls || "—"} | ${median(row.ms).toFixed(1)} ms |`);
  }
  lines.push(
    "",
    `Once per process: ${once} request(s) (installation token, GET /app for the bot login; BOT_LOGIN saves the latter).`,
    `Once per repository: ${labelSetup} label colour update(s) on the first request (GitHub creates applied labels grey; the app sets the configured colours).`,
    "A team reviewer's first command in a process (and again once the 60 s membership cache expires) adds one membership lookup; reviewers in reviewers.logins never need one.",
    `Rounds: ${ROUNDS} per event kind; Probot's write pacing disabled for timing.`,
  );
  return lines;
}

function summarize(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, c]) => (c > 1 ? `${c}× ${op}` : op)).join(", ");
}
