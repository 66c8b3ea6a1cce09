import type { Probot } from "probot";
import type { AccessRecord } from "../../../src/record/schema.js";
import type { FakeComment, FakeGitHub, FakeUser } from "./fake-github.js";
import { formBody, type FormValues } from "./form.js";
import { loadApp, setRecordSecret, startApp, type StartOptions } from "./harness.js";
import { readLedgerRecord } from "./ledger-record.js";
import { testRecordKey, testRecordSecret } from "./record-key.js";
import { commentEvent, issueEvent } from "./payloads.js";

/** The default test configuration: a reviewer team plus one reviewer login. */
export const CONFIG = `
reviewers:
  teams: [acme/onerecord-reviewers]
  logins: [rita]
`;

/**
 * A request's life through `probot.receive`, with GitHub faked at the HTTP level. People:
 * jane (requester), rita (reviewer by login), tom (reviewer by team), mallory (nobody).
 */
export class Scenario {
  private constructor(
    public probot: Probot,
    readonly gh: FakeGitHub,
    private config: string,
  ) {}

  static async start(config: string = CONFIG, options: Omit<StartOptions, "config"> = {}): Promise<Scenario> {
    const { probot, gh } = await startApp({ ...options, config });
    gh.addTeamMember("acme/onerecord-reviewers", "tom");
    return new Scenario(probot, gh, config);
  }

  /** Another app process on the same GitHub, with the same environment. */
  secondInstance(): Promise<Probot> {
    return loadApp();
  }

  /**
   * The operator (re)configures the record key: publishes `jwks` (default: the test key) in the
   * configuration, sets `RECORD_SIGNING_KEY` (default: the test key) and restarts the app.
   */
  async restartWithRecordKey(secret?: string, jwks?: unknown[]): Promise<void> {
    this.gh.recordJwks = jwks ? { keys: jwks } : (await testRecordKey()).jwks;
    this.gh.setConfig(this.config);
    setRecordSecret(secret ?? testRecordSecret());
    this.probot = await loadApp();
  }

  async open(values: FormValues = {}, author = "jane"): Promise<number> {
    const issue = this.gh.openIssue(formBody(values), author);
    await this.probot.receive(issueEvent(this.gh, "opened", issue.number));
    return issue.number;
  }

  async editForm(issue: number, values: FormValues): Promise<void> {
    const before = this.gh.issues.get(issue)!.body;
    this.gh.editIssueBody(issue, formBody(values));
    await this.probot.receive(issueEvent(this.gh, "edited", issue, { changes: { body: { from: before } } }));
  }

  /** Posts a comment and delivers its `issue_comment.created` webhook. */
  async say(issue: number, user: string | FakeUser, body: string): Promise<FakeComment> {
    const comment = this.gh.addComment(issue, body, user);
    await this.probot.receive(commentEvent(this.gh, "created", comment));
    return comment;
  }

  /** Ticks every default checklist item as rita. */
  async tickAll(issue: number): Promise<void> {
    await this.say(
      issue,
      "rita",
      "/check stage-testing\n/check legal-agreements\n/check account-review\n/check network-review",
    );
  }

  /** The request's record: the head of its ledger file (the status comment is only a view). */
  record(issue: number): AccessRecord {
    const text = this.gh.ledgerText(issue);
    if (text === null) throw new Error(`no ledger file for #${issue}`);
    return readLedgerRecord(text);
  }

  labels(issue: number): string[] {
    return this.gh.labelsOf(issue);
  }

  /** The app's replies (its comments other than the status comment), oldest first. */
  replies(issue: number): string[] {
    return this.gh
      .botComments(issue)
      .filter((c) => !c.body.includes("<!-- onerecord-access:status -->"))
      .map((c) => c.body);
  }

  /** Index into the request log, to count the requests of what follows. */
  mark(): number {
    return this.gh.requests.length;
  }

  callsSince(mark: number): string[] {
    return this.gh.apiCallsSince(mark).map((r) => `${r.method} ${r.operationId ?? r.path}`);
  }

  /** The same, with GitHub's answer: "GET repos/get-content 304". */
  answersSince(mark: number): string[] {
    return this.gh.apiCallsSince(mark).map((r) => `${r.method} ${r.operationId ?? r.path} ${r.status ?? "?"}`);
  }

  /** Requests GitHub counts against the rate limit (a 304 to a conditional request is free). */
  rateLimitedSince(mark: number): number {
    return this.gh.apiCallsSince(mark).filter((r) => r.status !== 304).length;
  }

  /** Requests since `mark` that changed something on GitHub. */
  writesSince(mark: number): string[] {
    return this.callsSince(mark).filter((c) => !c.startsWith("GET "));
  }

  stop(): void {
    this.gh.uninstall();
    this.gh.assertClean();
  }
}
