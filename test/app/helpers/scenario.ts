import type { Probot } from "probot";
import { readRecord } from "../../../src/record/codec.js";
import type { AccessRecord } from "../../../src/record/schema.js";
import type { FakeComment, FakeGitHub, FakeUser } from "./fake-github.js";
import { formBody, type FormValues } from "./form.js";
import { startApp } from "./harness.js";
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
    readonly probot: Probot,
    readonly gh: FakeGitHub,
  ) {}

  static async start(config: string = CONFIG): Promise<Scenario> {
    const { probot, gh } = await startApp({ config });
    gh.addTeamMember("acme/onerecord-reviewers", "tom");
    return new Scenario(probot, gh);
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

  record(issue: number): AccessRecord {
    const status = this.gh.statusComment(issue);
    if (!status) throw new Error(`no status comment on #${issue}`);
    return readRecord(status.body)!;
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
