import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isOneRecordError } from "../../src/errors.js";
import { gitBlobSha, LedgerIO, type LedgerHead, type LedgerLocation } from "../../src/app/github/ledger.js";
import { GitHubIO } from "../../src/app/github/rest.js";
import { MAX_HISTORY_BYTES, MAX_LEDGER_FILE_BYTES, parseLedgerFile } from "../../src/record/ledger-file.js";
import { verifyLedgerHistory } from "../../src/record/ledger-history.js";
import { testRecordKey } from "./helpers/record-key.js";
import { FakeGitHub } from "./helpers/fake-github.js";
import { createTestProbot } from "./helpers/harness.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

let gh: FakeGitHub;
let octokit: Octokit;
const at: LedgerLocation = { owner: "acme", repo: "access-requests", branch: "onerecord-access/records" };

beforeEach(async () => {
  gh = new FakeGitHub().install();
  // The installation's client, through the fake's token exchange, as the app gets it.
  octokit = await createTestProbot().auth(gh.installationId);
});
afterEach(() => {
  gh.uninstall();
  gh.assertClean();
});

/** The head file a read found (fails the test when it found none). */
async function headOf(io: LedgerIO, issue: number, cached?: Parameters<LedgerIO["read"]>[1]): Promise<LedgerHead> {
  const read = await io.read(issue, cached);
  if (!read || !("text" in read)) throw new Error(`no head file for #${issue}`);
  return read;
}

const file = (n: number) => `{"version":${n}}\n`;
const opsSince = (from: number) => gh.apiCallsSince(from).map((r) => `${r.operationId} ${r.status}`);

describe("LedgerIO.read", () => {
  it("is null when the ledger branch does not exist, and so is the history", async () => {
    const io = new LedgerIO(octokit, at);
    expect(await io.read(7)).toBeNull();
    expect(await io.history(7)).toEqual([]);
  });

  it("is null when the branch exists but the file does not", async () => {
    gh.pushLedger(8, file(1));
    expect(await new LedgerIO(octokit, at).read(7)).toBeNull();
  });

  it("gives the head's text, its git blob sha (what the contents API compares) and the commit that put it there", async () => {
    const pushed = gh.pushLedger(7, file(1), "mallory");
    const head = await headOf(new LedgerIO(octokit, at), 7);
    expect(head).toEqual({
      text: file(1),
      sha: gitBlobSha(Buffer.from(file(1))),
      commit: { sha: pushed.sha, author: "mallory", committer: "mallory", verified: false },
    });
    // git's own id of that blob (`printf '{"version":1}\n' | git hash-object --stdin`).
    expect(head.sha).toBe(gh.ledgerGit().fileAt(at.branch, "records/7.json")!.sha);
  });

  it("reads a file over 1 MB (the raw media type: the JSON answer carries no content there)", async () => {
    const big = `${"x".repeat(2 * 1024 * 1024)}\n`;
    gh.pushLedger(7, big);
    const from = gh.requests.length;
    expect((await headOf(new LedgerIO(octokit, at), 7)).text).toBe(big);
    expect(opsSince(from)).toEqual(["repos/list-commits 200", "repos/get-content 200"]);
  });

  it("gives a file larger than MAX_LEDGER_FILE_BYTES as a bounded prefix with the blob's real sha (so it can be written over)", async () => {
    const big = "x".repeat(MAX_LEDGER_FILE_BYTES + 10);
    gh.pushLedger(7, big);
    const head = await headOf(new LedgerIO(octokit, at), 7);
    expect(head.text.length).toBe(MAX_LEDGER_FILE_BYTES + 1);
    expect(head.sha).toBe(gitBlobSha(Buffer.from(big)));
    const written = await new LedgerIO(octokit, at).write(7, "{}\n", head.sha, "recovered");
    expect(written.ok).toBe(true);
  });

  it("asks only for the head commit when the caller holds that commit's text, and reads a copy under another commit", async () => {
    const io = new LedgerIO(octokit, at);
    const written = await io.write(7, file(1), null, "v1");
    const commit = written.ok ? written.commit : "";
    const held = (c: string) => (c === commit ? { text: file(1), sha: gitBlobSha(Buffer.from(file(1))) } : undefined);
    let from = gh.requests.length;
    expect((await headOf(io, 7, held)).commit.sha).toBe(commit);
    expect(opsSince(from)).toEqual(["repos/list-commits 200"]);
    // The same bytes committed again by someone else over another version: same blob, another
    // commit, read again. (A commit that leaves the file as it was does not touch its path.)
    gh.pushLedger(7, file(2), "mallory");
    const copy = gh.pushLedger(7, file(1), "mallory");
    from = gh.requests.length;
    const head = await io.read(7, held);
    expect(head).toMatchObject({ text: file(1), commit: { sha: copy.sha, author: "mallory", verified: false } });
    expect(opsSince(from)).toEqual(["repos/list-commits 200", "repos/get-content 200"]);
  });

  it("names the commit that deleted the file when the last commit that touched it deleted it", async () => {
    gh.pushLedger(7, file(1));
    const deleted = gh.deleteLedgerFile(7);
    expect(await new LedgerIO(octokit, at).read(7)).toEqual({ deleted: expect.objectContaining({ sha: deleted.sha }) });
  });

  it("reads exactly MAX_LEDGER_FILE_BYTES (the bound itself is allowed)", async () => {
    const text = "x".repeat(MAX_LEDGER_FILE_BYTES);
    gh.pushLedger(7, text);
    expect((await headOf(new LedgerIO(octokit, at), 7)).text.length).toBe(MAX_LEDGER_FILE_BYTES);
  });
});

describe("LedgerIO.write (compare-and-swap)", () => {
  it("creates the ledger branch as an orphan holding only the file on the first write", async () => {
    gh.setFile("README.md", "the code's own files");
    const io = new LedgerIO(octokit, at);
    const from = gh.requests.length;
    const written = await io.write(7, file(1), null, "Record #7: opened");
    expect(written).toEqual({ ok: true, sha: gitBlobSha(Buffer.from(file(1))), commit: expect.any(String) });
    expect(opsSince(from)).toEqual([
      "repos/create-or-update-file-contents 404",
      "git/get-ref 404",
      "git/create-tree 201",
      "git/create-commit 201",
      "git/create-ref 201",
    ]);
    const [root, ...older] = gh.ledgerCommits();
    expect(older).toEqual([]);
    expect(root!.sha).toBe(written.ok && written.commit);
    expect(root!.parents).toEqual([]);
    expect(root!.message).toBe("Record #7: opened");
    expect([...gh.ledgerGit().trees.get(root!.tree)!.keys()]).toEqual(["records/7.json"]);
    expect(gh.ledgerText(7)).toBe(file(1));
    expect(await io.read(7)).toMatchObject({
      text: file(1),
      sha: written.ok && written.sha,
      commit: { sha: written.ok && written.commit, verified: true },
    });
  });

  it("writes on top of the version read, and refuses a stale sha as a conflict (no throw, no write)", async () => {
    const io = new LedgerIO(octokit, at);
    const first = await io.write(7, file(1), null, "v1");
    if (!first.ok) throw new Error("the first write failed");
    const second = await io.write(7, file(2), first.sha, "v2");
    if (!second.ok) throw new Error("the second write failed");
    expect(gh.ledgerCommits().map((c) => c.sha)).toEqual([second.commit, first.commit]);
    expect(gh.ledgerCommits()[0]!.parents).toEqual([first.commit]);

    expect(await io.write(7, file(3), first.sha, "v3 from a stale read")).toEqual({ ok: false, conflict: true });
    expect(gh.ledgerText(7)).toBe(file(2));
    expect(gh.requests.at(-1)?.status).toBe(409);
  });

  it("refuses, as a conflict, to create a file that another instance created first", async () => {
    const io = new LedgerIO(octokit, at);
    await io.write(8, file(1), null, "another request: the branch exists");
    gh.pushLedger(7, file(1), gh.bot);
    expect(await io.write(7, file(9), null, "create #7")).toEqual({ ok: false, conflict: true });
    expect(gh.requests.at(-1)?.status).toBe(422);
    expect(gh.ledgerText(7)).toBe(file(1));
  });

  it("of two instances creating the missing branch at once, exactly one wins", async () => {
    const a = new LedgerIO(octokit, at);
    const b = new LedgerIO(octokit, at);
    let raced: Promise<unknown> | undefined;
    let bWrote: unknown;
    // A's ref creation waits until B, which also found no branch, has written all of its own.
    gh.beforeRequest = async (req) => {
      if (req.operationId !== "git/create-ref" || raced) return;
      raced = b.write(7, file(2), null, "B");
      bWrote = await raced;
    };
    expect(await a.write(7, file(1), null, "A")).toEqual({ ok: false, conflict: true });
    expect(bWrote).toEqual({ ok: true, sha: gitBlobSha(Buffer.from(file(2))), commit: expect.any(String) });
    expect(gh.ledgerText(7)).toBe(file(2));
    expect(gh.ledgerCommits()).toHaveLength(1);
  });

  it("a missing branch that another instance creates meanwhile is a conflict, not a second branch", async () => {
    const io = new LedgerIO(octokit, at);
    gh.beforeRequest = (req) => {
      if (req.operationId === "git/get-ref") gh.pushLedger(7, file(2), gh.bot);
    };
    expect(await io.write(7, file(1), null, "v1")).toEqual({ ok: false, conflict: true });
    expect(gh.ledgerText(7)).toBe(file(2));
    expect(gh.ledgerCommits()).toHaveLength(1);
  });

  it("expecting a file on a branch that is gone is a conflict (re-read), not a new branch", async () => {
    const io = new LedgerIO(octokit, at);
    expect(await io.write(7, file(2), gitBlobSha(Buffer.from(file(1))), "v2")).toEqual({ ok: false, conflict: true });
    expect(gh.ledgerGit().branches.size).toBe(0);
  });

  it("throws, not a conflict, for a repository it cannot reach", async () => {
    const io = new LedgerIO(octokit, { ...at, repo: "no-such-repo" });
    await expect(io.write(7, file(1), null, "v1")).rejects.toMatchObject({ status: 404 });
  });

  it("refuses to write a file the reader would refuse", async () => {
    const error = await new LedgerIO(octokit, at)
      .write(7, "x".repeat(MAX_LEDGER_FILE_BYTES + 1), null, "huge")
      .catch((e: unknown) => e);
    expect(isOneRecordError(error, "record-too-large")).toBe(true);
    expect(gh.ledgerGit().branches.size).toBe(0);
  });

  it("writes to a separate ledger repository (records.repository)", async () => {
    gh.addRepository("acme/records");
    gh.ledger = { repository: "acme/records", branch: "ledger" };
    const io = new LedgerIO(octokit, { owner: "acme", repo: "records", branch: "ledger" });
    expect((await io.write(7, file(1), null, "v1")).ok).toBe(true);
    expect(gh.ledgerText(7)).toBe(file(1));
    expect(gh.gitOf("acme", "access-requests")!.branches.size).toBe(0);
  });
});

describe("LedgerIO.history", () => {
  it("lists the file's versions newest first, a deletion as null, other files' commits left out", async () => {
    const io = new LedgerIO(octokit, at);
    const v1 = await io.write(7, file(1), null, "v1");
    await io.write(8, file(1), null, "another request");
    const v2 = await io.write(7, file(2), v1.ok ? v1.sha : null, "v2");
    const deleted = gh.deleteLedgerFile(7);
    const v3 = await io.write(7, file(3), null, "v3 after the deletion");
    const history = await io.history(7);
    expect(history).toEqual([
      { commit: v3.ok && v3.commit, text: file(3) },
      { commit: deleted.sha, text: null },
      { commit: v2.ok && v2.commit, text: file(2) },
      { commit: v1.ok && v1.commit, text: file(1) },
    ]);
    expect(history).toEqual(gh.ledgerHistory(7));
  });

  it("gives at most `limit` versions, the newest", async () => {
    for (let n = 1; n <= 4; n++) gh.pushLedger(7, file(n), gh.bot);
    const history = await new LedgerIO(octokit, at).history(7, 3);
    expect(history.map((v) => v.text)).toEqual([file(4), file(3), file(2)]);
  });

  it("follows the pages of the commit list", async () => {
    for (let n = 1; n <= 103; n++) gh.pushLedger(7, file(n), gh.bot);
    const history = await new LedgerIO(octokit, at).history(7, 102);
    expect(history).toHaveLength(102);
    expect(history.at(-1)?.text).toBe(file(2));
    expect(gh.requests.filter((r) => r.operationId === "repos/list-commits").map((r) => r.query)).toEqual([
      expect.stringContaining("page=1"),
      expect.stringContaining("page=2"),
    ]);
  });

  it("gives an oversized version as a bounded prefix that parseLedgerFile judges too-large", async () => {
    gh.pushLedger(7, file(1), gh.bot);
    gh.pushLedger(7, "é".repeat(MAX_LEDGER_FILE_BYTES), "mallory");
    const [huge, genuine] = await new LedgerIO(octokit, at).history(7);
    expect(Buffer.byteLength(huge!.text!)).toBeLessThanOrEqual(MAX_LEDGER_FILE_BYTES + 3);
    expect(parseLedgerFile(huge!.text)).toMatchObject({ ok: false, code: "too-large" });
    expect(genuine!.text).toBe(file(1));
  });
});

describe("LedgerIO.history bounds the work of one read (issue 18)", () => {
  it("fetches no more versions once MAX_HISTORY_BYTES were read: the older ones are unread", async () => {
    gh.pushLedger(7, file(1), gh.bot);
    const padding = Math.ceil(MAX_HISTORY_BYTES / MAX_LEDGER_FILE_BYTES) + 1;
    for (let i = 0; i < padding + 2; i++) gh.pushLedger(7, `${i}${"x".repeat(MAX_LEDGER_FILE_BYTES)}`, "mallory");
    const from = gh.requests.length;
    const history = await new LedgerIO(octokit, at).history(7, 20);
    expect(history).toHaveLength(padding + 3);
    const fetched = gh.apiCallsSince(from).filter((r) => r.operationId === "repos/get-content").length;
    expect(fetched).toBeLessThan(history.length);
    expect(history.at(-1)).toEqual({ commit: expect.any(String), text: null, unread: true });
    const verdicts = await verifyLedgerHistory(history, (await testRecordKey()).jwks, {
      repository: "acme/access-requests",
      issue: 7,
    });
    expect(verdicts.versions.at(-1)).toMatchObject({ ok: false, code: "unread" });
  });
});

describe("GitHubIO.formEditedAt", () => {
  it("is null until the body is edited, then the edit's time", async () => {
    const io = new GitHubIO(octokit, { owner: gh.owner, repo: gh.repo });
    const issue = gh.openIssue("form v1");
    expect(await io.formEditedAt(issue.number)).toBeNull();
    gh.setIssueLabels(issue.number, ["onerecord-access:submitted"]);
    expect(await io.formEditedAt(issue.number)).toBeNull();
    gh.tick(60);
    const edited = gh.editIssueBody(issue.number, "form v2");
    expect(await io.formEditedAt(issue.number)).toBe(edited.updated_at);
    expect(gh.requests.filter((r) => r.operationId === "graphql")).toHaveLength(3);
  });

  it("the fake refuses a query GitHub's schema does not allow (the check can fail)", async () => {
    await octokit
      .graphql(`query { repository(owner: "acme", name: "access-requests") { issue(number: 1) { editedAt } } }`)
      .catch(() => undefined);
    expect(gh.violations.join("\n")).toMatch(/editedAt/);
    gh.violations = [];
  });
});
