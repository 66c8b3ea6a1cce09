import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { FakeGit, gitBlobSha, type GitCommit } from "./fake-git.js";
import { contentAnswer, gitRoute, personOf } from "./fake-git-routes.js";
import { FakeBranchHistory } from "./fake-branch.js";
import { answerGraphQL } from "./fake-graphql.js";
import { graphQLData } from "./fake-graphql-nodes.js";
import { checkRequest } from "./openapi.js";
import { withRecordKeys } from "./record-key.js";

/**
 * An in-memory GitHub behind nock, at the HTTP level: the app's real Octokit talks to it. Every
 * request is first checked against GitHub's OpenAPI description (see openapi.ts); violations and
 * unknown routes are collected and fail the test (`assertClean`). It models what the app relies
 * on: comment ids and timestamps, `updated_at` bumps, label sets replaced by PATCH (unknown
 * labels created grey, as GitHub does), team memberships, files at commits, PR files, workflow
 * run attempts, and ETags with `304 Not Modified` for conditional GETs (as GitHub answers them).
 * A small git model per repository (fake-git.ts) serves the ledger: contents reads and
 * compare-and-swap writes, commit listings, and git trees/commits/refs (fake-git-routes.ts);
 * `POST /graphql` runs against GitHub's GraphQL schema (fake-graphql.ts).
 */

export const API = "https://api.github.com";

export interface FakeUser {
  login: string;
  type: "User" | "Bot";
  /** GitHub's user id (default: derived from the login); kept across a rename. */
  id?: number;
}
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  user: FakeUser;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  created_at: string;
  updated_at: string;
  /** When the body was last edited (GraphQL `Issue.lastEditedAt`); unset until an edit. */
  last_edited_at?: string;
  /** Who last edited the body (GraphQL `editor`); the author when not given. */
  last_editor?: FakeUser;
  pull_request?: boolean;
}
export interface FakeLabel {
  name: string;
  color: string;
  description: string | null;
}
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  operationId?: string;
  /** The status answered (304: a conditional request GitHub does not count against the rate limit). */
  status?: number;
  /** The request carried `If-None-Match`. */
  conditional?: boolean;
  /** The bytes of the answer's body (JSON as sent), for the bench's per-event cost. */
  bytes?: number;
}

/** What GET /actions/runs/{id}/attempts/{n} answers with (the fields the app reads). */
export interface FakeRun {
  path: string;
  head_branch: string;
  event: string;
  status: string;
  conclusion: string | null;
  run_attempt: number;
  /** Default: the token workflow's title for `request`, else "Issue tokens". */
  display_title?: string;
  /** The request the run was dispatched for (sets the default display_title). */
  request?: number;
  head_sha?: string;
  /** When the attempt last changed (its completion, once completed); default: now. */
  updated_at?: string;
  /** Who started the run, and who started this attempt (GitHub's simple-user); default: the maintainer otto. */
  actor?: { login: string; id: number; type: string };
  triggering_actor?: { login: string; id: number; type: string };
}

const BOT: FakeUser = { login: "onerecord-access[bot]", type: "Bot" };
/** The maintainer who dispatches token runs unless a test says otherwise. */
const OTTO = { login: "otto", id: 31, type: "User" };

/** GitHub refuses comment bodies of this many characters or more (422, "body is too long"). */
export const COMMENT_BODY_LIMIT = 65_536;

function bodyTooLong(): [number, unknown] {
  return [
    422,
    {
      message: "Validation Failed",
      errors: [
        {
          resource: "IssueComment",
          code: "custom",
          field: "body",
          message: "body is too long (maximum is 65536 characters)",
        },
      ],
      documentation_url: "https://docs.github.com/rest/issues/comments",
    },
  ];
}

export class FakeGitHub {
  readonly owner = "acme";
  readonly repo = "access-requests";
  readonly repoId = 4242;
  readonly installationId = 77;
  readonly defaultBranch = "main";
  readonly appSlug = "onerecord-access";
  readonly bot = BOT;

  issues = new Map<number, FakeIssue>();
  comments = new Map<number, FakeComment>();
  labels = new Map<string, FakeLabel>();
  /** `${ref}:${path}` → content. The default branch is the ref "main". */
  files = new Map<string, Buffer>();
  teams = new Map<string, Set<string>>();
  pullFiles = new Map<number, Array<{ filename: string; status: string; previous_filename?: string }>>();
  /** Workflow runs by id, as their latest attempt; `runAttempts` holds earlier attempts (`${id}:${n}`). */
  runs = new Map<number, FakeRun>();
  runAttempts = new Map<string, FakeRun>();
  /** The default branch's commits and merged PRs behind the files in `files` (fake-branch.ts). */
  readonly branch = new FakeBranchHistory();
  requests: LoggedRequest[] = [];
  violations: string[] = [];
  /** Runs before a request is answered (to interleave a concurrent writer, for instance). */
  beforeRequest: ((req: LoggedRequest) => void | Promise<void>) | undefined;
  /** Check every request against the OpenAPI description (off only for timing runs). */
  validate = true;
  /**
   * Who a token posts comments as (by the bearer token sent); any other token is the app's bot.
   * The demo gives the token workflow's GITHUB_TOKEN the identity `github-actions[bot]`.
   */
  tokenUsers = new Map<string, FakeUser>();
  /** Where the ledger lives (`records.repository` / `records.branch`), for the ledger helpers. */
  ledger = { repository: "acme/access-requests", branch: "onerecord-access/records" };
  /** Git repositories by lower-case `owner/name`: this one, and any `addRepository` adds. */
  readonly gitRepos = new Map<string, FakeGit>([["acme/access-requests", new FakeGit()]]);
  private server: Server | undefined;

  private clock = Date.parse("2025-03-03T09:00:00Z");
  private nextCommentId = 1000;
  private nextIssueNumber = 1;
  private scopes: nock.Scope[] = [];

  /** Starts intercepting api.github.com. */
  install(): this {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const handle = this.handle.bind(this);
      const scope = nock(API)
        .persist()
        .intercept(/.*/, method)
        .reply(async function (uri, body) {
          return handle(method, uri, body, this.req.headers);
        });
      this.scopes.push(scope);
    }
    return this;
  }

  /**
   * Serves the same fake over real HTTP on loopback instead of nock (the bench times the app
   * with GitHub stubbed this way). Returns the base URL to give Probot.
   */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        void this.handle(req.method ?? "GET", req.url ?? "/", text, req.headers).then(([status, body, headers]) => {
          const payload = typeof body === "string" ? body : JSON.stringify(body);
          res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
          res.end(status === 204 || status === 304 ? undefined : payload);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }

  uninstall(): void {
    for (const s of this.scopes) s.persist(false);
    nock.cleanAll();
    nock.enableNetConnect();
  }

  /** Fails with every route or body GitHub would not accept. */
  assertClean(): void {
    if (this.violations.length)
      throw new Error(`requests GitHub's OpenAPI description rejects:\n${this.violations.join("\n")}`);
  }

  now(): string {
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** Sets the clock (for scenarios that must happen while test certificates are valid). */
  setClock(iso: string): void {
    this.clock = Date.parse(iso);
  }

  /** Advances the clock (GitHub timestamps have one-second resolution). */
  tick(seconds = 1): string {
    this.clock += seconds * 1000;
    return this.now();
  }

  // ---- test-side changes (what people do in the GitHub UI) ----

  openIssue(body: string, author = "jane", extra: Partial<FakeIssue> = {}): FakeIssue {
    const at = this.tick();
    const issue: FakeIssue = {
      number: this.nextIssueNumber++,
      title: "Production access: Acme",
      body,
      user: { login: author, type: "User" },
      state: "open",
      state_reason: null,
      labels: [],
      created_at: at,
      updated_at: at,
      ...extra,
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  editIssueBody(number: number, body: string, editor?: string | FakeUser): FakeIssue {
    const issue = this.issues.get(number)!;
    issue.body = body;
    issue.updated_at = this.tick();
    issue.last_edited_at = issue.updated_at;
    issue.last_editor = typeof editor === "string" ? { login: editor, type: "User" } : (editor ?? issue.user);
    return issue;
  }

  setIssueLabels(number: number, labels: string[]): FakeIssue {
    const issue = this.issues.get(number)!;
    for (const name of labels) this.ensureLabel(name);
    issue.labels = labels.map((n) => this.labels.get(n.toLowerCase())!.name);
    issue.updated_at = this.tick();
    return issue;
  }

  addComment(issue: number, body: string, user: FakeUser | string): FakeComment {
    const at = this.tick();
    const comment: FakeComment = {
      id: this.nextCommentId++,
      issue,
      body,
      user: typeof user === "string" ? { login: user, type: "User" } : user,
      created_at: at,
      updated_at: at,
    };
    this.comments.set(comment.id, comment);
    this.issues.get(issue)!.updated_at = at;
    return comment;
  }

  editComment(id: number, body: string): FakeComment {
    const comment = this.comments.get(id)!;
    comment.body = body;
    comment.updated_at = this.tick();
    return comment;
  }

  setFile(path: string, content: string | Uint8Array, ref = this.defaultBranch): void {
    this.files.set(`${ref}:${path}`, Buffer.from(content));
  }

  /**
   * PR `number` merged into `base` (default: the default branch) as one commit GitHub links to
   * it: its files (null: removed) change on that branch, and the commit is the last to touch them.
   */
  mergeToBranch(
    number: number,
    commit: string,
    files: Record<string, Uint8Array | null>,
    people: { author?: string; mergedBy?: string; base?: string } = {},
  ): void {
    const base = people.base ?? this.defaultBranch;
    const date = this.now();
    this.branch.pulls.set(commit, [
      ...(this.branch.pulls.get(commit) ?? []),
      { number, author: people.author ?? "jane", mergedAt: date, mergeCommit: commit, base },
    ]);
    if (base !== this.defaultBranch) return;
    const author: FakeUser = { login: people.mergedBy ?? "rita", type: "User" };
    for (const [path, bytes] of Object.entries(files)) {
      if (bytes) this.setFile(path, bytes);
      else this.files.delete(`${this.defaultBranch}:${path}`);
      this.branch.touched(path, { sha: commit, date, author, message: `Certificates (#${number})` });
    }
  }

  /** Someone with push access commits a file straight to the default branch, with no pull request. */
  pushToDefaultBranch(path: string, bytes: Uint8Array, who = "mallory", commit?: string): string {
    const date = this.tick();
    const sha = commit ?? createHash("sha1").update(`${path}\u0000${date}`).digest("hex");
    this.setFile(path, bytes);
    this.branch.touched(path, { sha, date, author: { login: who, type: "User" }, message: `add ${path}` });
    return sha;
  }

  /**
   * The configuration on the default branch. With `recordJwks` set (the harness sets the test
   * record key's), it is published as `records.jwks` unless the text publishes one itself.
   */
  setConfig(yamlText: string): void {
    this.setFile(
      ".github/onerecord-access.yml",
      this.recordJwks ? withRecordKeys(yamlText, this.recordJwks) : yamlText,
    );
  }

  /** The record key's public JWKS that `setConfig` publishes (see test/app/helpers/record-key.ts). */
  recordJwks: unknown;

  /**
   * The rules in force on each branch (`GET rules/branches/{branch}`), by branch name; a branch
   * not listed has none. The ledger branch starts with docs/app.md's ruleset.
   */
  /** Workflow runs dispatched (`POST actions/workflows/{id}/dispatches`), oldest first. */
  readonly dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, string> }> = [];

  /** Each issue's state changes, oldest first (`GET issues/{n}/timeline` lists them). */
  readonly stateEvents = new Map<
    number,
    Array<{ event: "closed" | "reopened"; actor: FakeUser; at: string; reason: string | null }>
  >();

  /** Someone closes or reopens an issue (the app's PATCH records its own the same way). */
  setIssueState(issue: number, state: "open" | "closed", who: FakeUser | string, reason?: string): void {
    const user = typeof who === "string" ? { login: who, type: "User" as const } : who;
    const found = this.issues.get(issue)!;
    const stateReason = reason ?? (state === "open" ? "reopened" : "completed");
    found.state = state;
    found.state_reason = stateReason;
    found.updated_at = this.tick();
    this.recordStateEvent(issue, state, user, stateReason);
  }

  private recordStateEvent(issue: number, state: "open" | "closed", actor: FakeUser, reason: string | null): void {
    const events = this.stateEvents.get(issue) ?? [];
    events.push({ event: state === "open" ? "reopened" : "closed", actor, at: this.now(), reason });
    this.stateEvents.set(issue, events);
  }

  /** What `GET rules/branches/{branch}` answers with: 200, or an error status (a repository the app cannot reach). */
  branchRulesStatus = 200;
  readonly branchRules = new Map<string, Array<{ type: string }>>([
    [
      "onerecord-access/records",
      [
        { type: "creation" },
        { type: "update" },
        { type: "deletion" },
        { type: "non_fast_forward" },
        { type: "required_linear_history" },
      ],
    ],
  ]);

  /** The ledger branch is gone, history and all (a force push or a deleted branch). */
  wipeLedger(): void {
    this.ledgerGit().branches.delete(this.ledger.branch);
  }

  /** Another repository with a git model (a separate ledger repository, `records.repository`). */
  addRepository(fullName: string): FakeGit {
    const git = new FakeGit();
    this.gitRepos.set(fullName.toLowerCase(), git);
    return git;
  }

  gitOf(owner: string, repo: string): FakeGit | undefined {
    return this.gitRepos.get(`${owner}/${repo}`.toLowerCase());
  }

  /** The git model of the ledger's repository. */
  ledgerGit(): FakeGit {
    const git = this.gitRepos.get(this.ledger.repository.toLowerCase());
    if (!git) throw new Error(`the fake has no repository ${this.ledger.repository}`);
    return git;
  }

  /** `records/<issue>.json` at the ledger branch head, or null. */
  ledgerText(issue: number): string | null {
    return this.ledgerGit().fileAt(this.ledger.branch, `records/${issue}.json`)?.content.toString("utf8") ?? null;
  }

  /** The file's versions on the ledger branch, newest first (text null: the commit removed it). */
  ledgerHistory(issue: number): Array<{ commit: string; text: string | null }> {
    const git = this.ledgerGit();
    const path = `records/${issue}.json`;
    return git.log(this.ledger.branch, path).map((c) => ({
      commit: c.sha,
      text: git.fileAt(c.sha, path)?.content.toString("utf8") ?? null,
    }));
  }

  /** The commits on the ledger branch (newest first), for assertions on parents and trees. */
  ledgerCommits(): GitCommit[] {
    return this.ledgerGit().log(this.ledger.branch);
  }

  /** Someone with push access commits `text` as the ledger file (tampering); returns the commit. */
  pushLedger(issue: number, text: string, who: FakeUser | string = "mallory"): GitCommit {
    return this.commitLedger(issue, text, who, `Update records/${issue}.json`);
  }

  /** Someone with push access deletes the ledger file in a commit. */
  deleteLedgerFile(issue: number, who: FakeUser | string = "mallory"): GitCommit {
    return this.commitLedger(issue, null, who, `Delete records/${issue}.json`);
  }

  private commitLedger(issue: number, text: string | null, who: FakeUser | string, message: string): GitCommit {
    const user = typeof who === "string" ? { login: who, type: "User" as const } : who;
    return this.ledgerGit().commitFile(
      this.ledger.branch,
      `records/${issue}.json`,
      text,
      message,
      personOf(this, user, this.tick()),
    );
  }

  addTeamMember(team: string, login: string): void {
    const members = this.teams.get(team.toLowerCase()) ?? new Set();
    members.add(login.toLowerCase());
    this.teams.set(team.toLowerCase(), members);
  }

  commentsOn(issue: number): FakeComment[] {
    return [...this.comments.values()].filter((c) => c.issue === issue).sort((a, b) => a.id - b.id);
  }

  /** The app's comments on an issue (status comment first, then replies). */
  botComments(issue: number): FakeComment[] {
    return this.commentsOn(issue).filter((c) => c.user.login === BOT.login);
  }

  statusComment(issue: number): FakeComment | undefined {
    return this.botComments(issue).find((c) => c.body.includes("<!-- onerecord-access:status -->"));
  }

  labelsOf(issue: number): string[] {
    return [...this.issues.get(issue)!.labels].sort();
  }

  /** Requests made since `from` (an index into `requests`), without the token exchange and GET /app. */
  apiCallsSince(from: number): LoggedRequest[] {
    return this.requests.slice(from).filter((r) => !/^\/app(\/|$)/.test(r.path));
  }

  // ---- HTTP ----

  async handle(
    method: string,
    uri: string,
    rawBody: unknown,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<[number, unknown, Record<string, string>?]> {
    const url = new URL(uri, API);
    const body =
      typeof rawBody === "string" && rawBody !== "" ? safeJson(rawBody) : rawBody === "" ? undefined : rawBody;
    const logged: LoggedRequest = { method, path: url.pathname, query: url.search, body };
    if (method === "POST" && url.pathname === "/graphql")
      return this.graphql(
        logged,
        this.tokenUsers.get(String(headers.authorization ?? "").replace(/^(token|bearer) /i, "")) ?? BOT,
      );
    const check = this.validate
      ? checkRequest({ method, path: url.pathname, query: url.searchParams, body })
      : { ok: true as const, match: { operationId: operationOf(method, url.pathname), template: "" } };
    if (!check.ok) {
      this.violations.push(`${method} ${url.pathname}${url.search}: ${check.errors.join("; ")}`);
      this.requests.push(logged);
      return [422, { message: "OpenAPI violation (test)", errors: check.errors }];
    }
    logged.operationId = check.match.operationId;
    const ifNoneMatch = headers["if-none-match"];
    logged.conditional = ifNoneMatch !== undefined;
    this.requests.push(logged);
    if (this.beforeRequest) await this.beforeRequest(logged);
    let answer: [number, unknown, Record<string, string>?];
    try {
      answer = this.route(
        method,
        url,
        body as Record<string, unknown> | undefined,
        check.match.operationId,
        String(headers.accept ?? ""),
        this.tokenUsers.get(String(headers.authorization ?? "").replace(/^(token|bearer) /i, "")) ?? BOT,
      );
    } catch (error) {
      this.violations.push(`${method} ${url.pathname}: fake GitHub failed: ${(error as Error).message}`);
      answer = [500, { message: String(error) }];
    }
    // GitHub sends an ETag with GET responses and answers a matching If-None-Match with 304.
    if (method === "GET" && answer[0] === 200) {
      const etag = `"${createHash("sha256")
        .update(
          `${String(headers.accept ?? "")}\u0000${typeof answer[1] === "string" ? answer[1] : JSON.stringify(answer[1])}`,
        )
        .digest("hex")
        .slice(0, 32)}"`;
      if (ifNoneMatch === etag) answer = [304, "", { etag }];
      else answer = [200, answer[1], { ...answer[2], etag }];
    }
    logged.status = answer[0];
    logged.bytes = bodyBytes(answer[1]);
    return answer;
  }

  /** GraphQL is not in the REST description: the query is checked against GitHub's GraphQL schema. */
  private async graphql(logged: LoggedRequest, author: FakeUser): Promise<[number, unknown, Record<string, string>?]> {
    logged.operationId = "graphql";
    this.requests.push(logged);
    if (this.beforeRequest) await this.beforeRequest(logged);
    const answer = await answerGraphQL(logged.body, graphQLData(this, author));
    if (this.validate) for (const v of answer.violations) this.violations.push(`POST /graphql: ${v}`);
    logged.status = answer.status;
    logged.bytes = bodyBytes(answer.body);
    return [answer.status, answer.body];
  }

  /** Requests GitHub counts against the rate limit: all but 304 answers to conditional requests. */
  static rateLimited(requests: readonly LoggedRequest[]): LoggedRequest[] {
    return requests.filter((r) => r.status !== 304);
  }

  /** Pull requests opened through the API (option 2's certificates), in order. */
  readonly opened: Array<{
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    by: string;
    state?: "open" | "closed";
  }> = [];

  /** The app's reactions on comments, by comment id (what a person sees under the comment). */
  readonly reactions = new Map<number, string[]>();

  private route(
    method: string,
    url: URL,
    body: Record<string, unknown> | undefined,
    op: string,
    accept: string,
    author: FakeUser,
  ): [number, unknown, Record<string, string>?] {
    const p = url.pathname.split("/").map(decodeURIComponent);
    switch (op) {
      case "apps/create-installation-access-token":
        return [
          201,
          {
            token: "ghs_fake_installation_token",
            expires_at: new Date(this.clock + 3600_000).toISOString(),
            permissions: {},
            repository_selection: "all",
          },
        ];
      case "apps/get-authenticated":
        return [
          200,
          {
            id: 1,
            slug: this.appSlug,
            name: "OneRecord access",
            owner: { login: this.owner },
            permissions: {},
            events: [],
          },
        ];
      case "repos/get-content": {
        // The configuration and certificate files live in `files`; the ledger in the git model.
        const path = p.slice(5).join("/");
        const ref = url.searchParams.get("ref") ?? this.defaultBranch;
        const content = this.files.get(`${ref}:${path}`);
        if (content) return contentAnswer(path, content, gitBlobSha(content), accept);
        return gitRoute(this, op, url, body, accept, author)!;
      }
      case "pulls/create": {
        // A pull request the app opens (option 2): recorded as asked; its head branch must exist.
        const head = String(body!.head);
        if (!this.gitOf(p[2]!, p[3]!)?.branches.has(head))
          return [422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] }];
        const number = 7000 + this.opened.length;
        this.opened.push({
          number,
          head,
          base: String(body!.base),
          title: String(body!.title),
          body: typeof body!.body === "string" ? body!.body : "",
          by: author.login,
        });
        return [201, { number, html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}` }];
      }
      case "pulls/list": {
        // Only the `head` filter (owner:branch) the app uses to find a pull request it opened.
        const head = (url.searchParams.get("head") ?? "").split(":").slice(1).join(":");
        const found = this.opened.filter((o) => !head || o.head === head);
        const git = this.gitOf(p[2]!, p[3]!);
        return [
          200,
          found.map((o) => ({
            number: o.number,
            state: o.state ?? "open",
            user: this.userJson(o.by === BOT.login ? BOT : { login: o.by, type: "User" }),
            head: { ref: o.head, sha: git?.branches.get(o.head) ?? "0".repeat(40) },
          })),
        ];
      }
      case "pulls/update": {
        const pull = this.opened.find((o) => o.number === Number(p[5]));
        if (!pull) return [404, { message: "Not Found" }];
        if (body!.state === "closed" || body!.state === "open") pull.state = body!.state;
        return [200, { number: pull.number, state: pull.state }];
      }
      case "users/get-by-username": {
        // Any login is an account here; a bot's (`<slug>[bot]`) is a Bot, with the id its commits carry.
        const login = p[2]!;
        const known = login === BOT.login ? BOT : undefined;
        return [200, this.userJson(known ?? { login, type: login.endsWith("[bot]") ? "Bot" : "User" })];
      }
      case "issues/get": {
        const issue = this.issues.get(Number(p[5]));
        return issue ? [200, this.issueJson(issue)] : [404, { message: "Not Found" }];
      }
      case "issues/update": {
        const issue = this.issues.get(Number(p[5]));
        if (!issue) return [404, { message: "Not Found" }];
        if (Array.isArray(body?.labels)) {
          for (const name of body.labels as string[]) this.ensureLabel(name);
          issue.labels = [...new Set((body.labels as string[]).map((n) => this.labels.get(n.toLowerCase())!.name))];
        }
        if ((body?.state === "open" || body?.state === "closed") && body.state !== issue.state) {
          issue.state = body.state;
          issue.state_reason = (body.state_reason as string | undefined) ?? null;
          this.recordStateEvent(issue.number, body.state, author, issue.state_reason);
        } else if (body?.state === "open" || body?.state === "closed")
          issue.state_reason = (body.state_reason as string | undefined) ?? issue.state_reason;
        issue.updated_at = this.tick();
        return [200, this.issueJson(issue)];
      }
      case "issues/list-comments": {
        const issue = Number(p[5]);
        // `since`: only the comments last updated at or after it (GitHub: "last updated after").
        const since = url.searchParams.get("since");
        const all = this.commentsOn(issue).filter((c) => !since || Date.parse(c.updated_at) >= Date.parse(since));
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        const more = since ? `&since=${encodeURIComponent(since)}` : "";
        if (page * perPage < all.length)
          headers.link = `<${API}${url.pathname}?per_page=${perPage}&page=${page + 1}${more}>; rel="next"`;
        return [200, slice.map((c) => this.commentJson(c)), headers];
      }
      case "issues/get-comment": {
        const comment = this.comments.get(Number(p[6]));
        if (!comment) return [404, { message: "Not Found" }];
        return [200, this.commentJson(comment)];
      }
      case "issues/create-comment": {
        if (String(body!.body).length >= COMMENT_BODY_LIMIT) return bodyTooLong();
        const at = this.tick();
        const comment: FakeComment = {
          id: this.nextCommentId++,
          issue: Number(p[5]),
          body: String(body!.body),
          user: author,
          created_at: at,
          updated_at: at,
        };
        this.comments.set(comment.id, comment);
        return [201, this.commentJson(comment)];
      }
      case "issues/update-comment": {
        const comment = this.comments.get(Number(p[6]));
        if (!comment) return [404, { message: "Not Found" }];
        if (String(body!.body).length >= COMMENT_BODY_LIMIT) return bodyTooLong();
        comment.body = String(body!.body);
        comment.updated_at = this.tick();
        return [200, this.commentJson(comment)];
      }
      case "reactions/create-for-issue-comment": {
        const id = Number(p[6]);
        if (!this.comments.has(id)) return [404, { message: "Not Found" }];
        const content = String(body?.content);
        const list = this.reactions.get(id) ?? [];
        if (!list.includes(content)) list.push(content);
        this.reactions.set(id, list);
        return [
          201,
          { id: list.length, node_id: `R_${id}`, user: this.userJson(BOT), content, created_at: this.now() },
        ];
      }
      case "issues/delete-comment":
        // GitHub answers 404 for a comment that is already gone (another writer deleted it).
        if (!this.comments.delete(Number(p[6]))) return [404, { message: "Not Found" }];
        return [204, ""];
      case "issues/create-label": {
        const name = String(body!.name);
        if (this.labels.has(name.toLowerCase()))
          return [422, { message: "Validation Failed", errors: [{ code: "already_exists" }] }];
        this.labels.set(name.toLowerCase(), {
          name,
          color: typeof body!.color === "string" ? body!.color : "ededed",
          description: (body!.description as string | undefined) ?? null,
        });
        return [201, this.labelJson(this.labels.get(name.toLowerCase())!)];
      }
      case "issues/update-label": {
        const label = this.labels.get(p[5]!.toLowerCase());
        if (!label) return [404, { message: "Not Found" }];
        if (typeof body?.color === "string") label.color = body.color;
        if (body?.description !== undefined) label.description = body.description as string;
        return [200, this.labelJson(label)];
      }
      case "teams/get-membership-for-user-in-org": {
        const members = this.teams.get(`${p[2]}/${p[4]}`.toLowerCase());
        const login = p[6]!;
        return members?.has(login.toLowerCase())
          ? [200, { url: "", role: "member", state: "active" }]
          : [404, { message: "Not Found" }];
      }
      case "actions/get-workflow-run-attempt": {
        const id = Number(p[6]);
        const attempt = Number(p[8]);
        const latest = this.runs.get(id);
        const run = latest?.run_attempt === attempt ? latest : this.runAttempts.get(`${id}:${attempt}`);
        if (!run) return [404, { message: "Not Found" }];
        const { display_title, request, head_sha, updated_at, ...fields } = run;
        return [
          200,
          {
            id,
            name: "Issue tokens",
            node_id: "WFR",
            head_sha: head_sha ?? "b".repeat(40),
            run_number: 1,
            workflow_id: 9,
            url: "",
            html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${id}`,
            display_title: display_title ?? (request ? `Issue tokens for request #${request}` : "Issue tokens"),
            created_at: this.now(),
            updated_at: updated_at ?? this.now(),
            repository: { full_name: `${this.owner}/${this.repo}` },
            actor: OTTO,
            triggering_actor: OTTO,
            ...fields,
          },
        ];
      }
      case "repos/list-commits": {
        // The default branch's files live in `files`, their history in `branch`; the git model
        // (the ledger) answers for its own branches.
        const ref = url.searchParams.get("sha") ?? this.defaultBranch;
        const git = this.gitOf(p[2]!, p[3]!);
        if (ref === this.defaultBranch && git && !git.resolve(ref))
          return this.branch.listCommits(p[2]!, p[3]!, url, (u) => this.userJson(u));
        return gitRoute(this, op, url, body, accept, author)!;
      }
      case "actions/create-workflow-dispatch": {
        this.dispatches.push({
          workflow: p[6]!,
          ref: String(body?.ref),
          inputs: (body?.inputs ?? {}) as Record<string, string>,
        });
        return [204, ""];
      }
      case "issues/list-events-for-timeline": {
        // Only state changes: the app reads nothing else of the timeline.
        const events = this.stateEvents.get(Number(p[5])) ?? [];
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        return [
          200,
          events.slice((page - 1) * perPage, page * perPage).map((e, i) => ({
            id: 9_000_000 + i,
            node_id: `SCE_${i}`,
            url: `${API}/repos/${p[2]}/${p[3]}/issues/events/${9_000_000 + i}`,
            actor: this.userJson(e.actor),
            event: e.event,
            commit_id: null,
            commit_url: null,
            created_at: e.at,
            performed_via_github_app: null,
            state_reason: e.reason,
          })),
        ];
      }
      case "repos/get-branch-rules": {
        if (this.branchRulesStatus !== 200) return [this.branchRulesStatus, { message: "Not Found" }];
        const rules = this.branchRules.get(p.slice(6).join("/")) ?? [];
        return [
          200,
          rules.map((rule, i) => ({
            ...rule,
            ruleset_source_type: "Repository",
            ruleset_source: `${p[2]}/${p[3]}`,
            ruleset_id: 40 + i,
          })),
        ];
      }
      case "repos/list-pull-requests-associated-with-commit":
        return this.branch.pullsOf(p[2]!, p[3]!, p[5]!, (u) => this.userJson(u));
      case "pulls/list-files": {
        const files = this.pullFiles.get(Number(p[5])) ?? [];
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const headers: Record<string, string> = {};
        if (page * perPage < files.length)
          headers.link = `<${API}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        return [
          200,
          files.slice((page - 1) * perPage, page * perPage).map((f) => ({
            sha: "1".repeat(40),
            filename: f.filename,
            status: f.status,
            additions: 1,
            deletions: 0,
            changes: 1,
            blob_url: "",
            raw_url: "",
            contents_url: "",
            ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
          })),
          headers,
        ];
      }
      default: {
        const git = gitRoute(this, op, url, body, accept, author);
        if (git) return git;
        this.violations.push(`fake GitHub does not implement ${op} (${method} ${url.pathname})`);
        return [501, { message: "not implemented in the fake" }];
      }
    }
  }

  private ensureLabel(name: string): void {
    if (!this.labels.has(name.toLowerCase()))
      this.labels.set(name.toLowerCase(), { name, color: "ededed", description: null });
  }

  issueJson(issue: FakeIssue): Record<string, unknown> {
    const base = `${API}/repos/${this.owner}/${this.repo}/issues/${issue.number}`;
    return {
      id: 100_000 + issue.number,
      node_id: `I_${issue.number}`,
      url: base,
      repository_url: `${API}/repos/${this.owner}/${this.repo}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${issue.number}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.user),
      labels: issue.labels.map((n) => this.labelJson(this.labels.get(n.toLowerCase())!)),
      state: issue.state,
      state_reason: issue.state_reason,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: this.commentsOn(issue.number).length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.state === "closed" ? issue.updated_at : null,
      author_association: "NONE",
      ...(issue.pull_request
        ? { pull_request: { url: `${API}/repos/${this.owner}/${this.repo}/pulls/${issue.number}` } }
        : {}),
    };
  }

  commentJson(c: FakeComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${API}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${API}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === "Bot" ? "NONE" : "MEMBER",
      performed_via_github_app: null,
    };
  }

  labelJson(l: FakeLabel): Record<string, unknown> {
    return {
      id: hash(l.name),
      node_id: `L_${hash(l.name)}`,
      url: `${API}/repos/${this.owner}/${this.repo}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      default: false,
      description: l.description,
    };
  }

  /** The user id GitHub gives a login here (what `userJson` answers unless a user carries its own). */
  userId(login: string): number {
    return hash(login);
  }

  userJson(u: FakeUser): Record<string, unknown> {
    return {
      login: u.login,
      id: u.id ?? hash(u.login),
      node_id: `U_${u.id ?? hash(u.login)}`,
      type: u.type,
      site_admin: false,
      url: `${API}/users/${u.login}`,
      html_url: `https://github.com/${u.login}`,
    };
  }
}

/** The operations the fake serves, by route, for runs without the OpenAPI check. */
function operationOf(method: string, path: string): string {
  const routes: Array<[string, RegExp, string]> = [
    ["POST", /^\/app\/installations\/[^/]+\/access_tokens$/, "apps/create-installation-access-token"],
    ["GET", /^\/app$/, "apps/get-authenticated"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/contents\/.+$/, "repos/get-content"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/issues\/\d+$/, "issues/get"],
    ["PATCH", /^\/repos\/[^/]+\/[^/]+\/issues\/\d+$/, "issues/update"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/, "issues/list-comments"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/, "issues/create-comment"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/, "issues/get-comment"],
    ["PATCH", /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/, "issues/update-comment"],
    ["DELETE", /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/, "issues/delete-comment"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+\/reactions$/, "reactions/create-for-issue-comment"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/labels$/, "issues/create-label"],
    ["PATCH", /^\/repos\/[^/]+\/[^/]+\/labels\/[^/]+$/, "issues/update-label"],
    ["GET", /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/, "teams/get-membership-for-user-in-org"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/, "pulls/list-files"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/attempts\/\d+$/, "actions/get-workflow-run-attempt"],
    ["PUT", /^\/repos\/[^/]+\/[^/]+\/contents\/.+$/, "repos/create-or-update-file-contents"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/commits$/, "repos/list-commits"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/pulls$/, "repos/list-pull-requests-associated-with-commit"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/git\/trees$/, "git/create-tree"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/git\/commits$/, "git/create-commit"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/git\/refs$/, "git/create-ref"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/git\/ref\/.+$/, "git/get-ref"],
    ["PATCH", /^\/repos\/[^/]+\/[^/]+\/git\/refs\/.+$/, "git/update-ref"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/git\/commits\/[0-9a-f]+$/, "git/get-commit"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/pulls$/, "pulls/create"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/pulls$/, "pulls/list"],
    ["PATCH", /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/, "pulls/update"],
    ["GET", /^\/users\/[^/]+$/, "users/get-by-username"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/rules\/branches\/.+$/, "repos/get-branch-rules"],
    ["POST", /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/, "actions/create-workflow-dispatch"],
    ["GET", /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/timeline$/, "issues/list-events-for-timeline"],
  ];
  return routes.find(([m, r]) => m === method && r.test(path))?.[2] ?? "unknown";
}

function bodyBytes(body: unknown): number {
  if (body === undefined || body === "") return 0;
  return Buffer.byteLength(typeof body === "string" ? body : JSON.stringify(body));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function hash(text: string): number {
  let h = 7;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_000_007;
  return h;
}
