import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunContext } from "../../action/context.js";
import { createOctokit } from "../../action/github.js";
import { loadRequest, type LedgerAccess } from "../../action/issue-tokens/1-load.js";
import { decide, type Decision } from "../../action/issue-tokens/2-decide.js";
import { isOneRecordError } from "../../src/errors.js";
import { MAX_LEDGER_FILE_BYTES, type RecordSigningKey } from "../../src/record/index.js";
import { MAX_HISTORY_BYTES } from "../../src/record/ledger-file.js";
import { LedgerReader, readFullHistory } from "../../action/ledger.js";
import {
  APP_LOGIN,
  fakeFingerprint,
  ledgerCommit,
  REPOSITORY,
  REQUEST,
  REQUESTER,
  tokensRecord,
} from "./issue-tokens/fixtures.js";
import {
  jwksOf,
  LEDGER_BRANCH,
  ledgerSha,
  ledgerText,
  mockLedgerFile,
  recordKey,
  tamperPayload,
} from "./issue-tokens/ledger.js";

/**
 * Step 1 against the API (nock): the record comes from the signed ledger file at the head of the
 * ledger branch, never from a comment, and the decision refuses whatever does not verify.
 */
const API = "https://api.github.test";
const fetchThroughNock: typeof fetch = (input, init) => globalThis.fetch(input, init);
const octokit = (token = "ghs_workflow") => createOctokit({ token, baseUrl: API, fetch: fetchThroughNock });
const FILE = `/repos/${REPOSITORY}/contents/records%2F${REQUEST}.json`;
const devices = [{ device: "pump-01", fingerprintSha256: fakeFingerprint("pump-01") }];
const NOW = new Date("2026-11-28T12:00:00Z");
const REJECTION = { by: "reviewer-1", at: "2026-06-05T00:00:00.000Z", url: "https://x.test/c", reason: "no" };

let key: RecordSigningKey;
let stranger: RecordSigningKey;

const context: RunContext = {
  eventName: "workflow_dispatch",
  workspace: "/nonexistent",
  tempDir: "/tmp",
  apiUrl: API,
  owner: "Codertocat",
  repo: "Hello-World",
  pullRequest: undefined,
};

function access(records: Partial<LedgerAccess["records"]> = {}): LedgerAccess {
  return { octokit: octokit(), records: { jwks: jwksOf(key), branch: LEDGER_BRANCH, ...records } };
}

/** The request issue, and the ledger file answering with `text` (raw media type only). */
function mockIssue() {
  nock(API)
    .get(`/repos/${REPOSITORY}/issues/${REQUEST}`)
    .reply(200, { id: 1, number: REQUEST, user: { login: REQUESTER, type: "User" }, labels: [] });
  mockRules();
}

const commit = ledgerSha;

/**
 * The ledger file at the branch head, and its history (newest first; by default the head alone):
 * the commits that touched it, and its text at each, raw. The history is read only when the head
 * verifies.
 */
/** The ledger branch's rules (docs/app.md's ruleset by default): asked before the file is read. */
function mockRules(rules: Array<{ type: string }> = PROTECTED, repository = REPOSITORY, status = 200) {
  nock(API)
    .get(`/repos/${repository}/rules/branches/${encodeURIComponent(LEDGER_BRANCH)}`)
    .query(true)
    .optionally()
    .reply(status, status === 200 ? rules : { message: "Not Found" });
}

const PROTECTED = [
  { type: "deletion" },
  { type: "non_fast_forward" },
  { type: "required_linear_history" },
  { type: "update" },
];

function mockFile(
  text: string,
  history: Array<string | null> = [text],
  repository = REPOSITORY,
  headBy = ledgerCommit("", APP_LOGIN),
): nock.Scope {
  return mockLedgerFile(API, repository, REQUEST, { head: text, history, headBy }).head;
}

/** The ledger branch without the file (`branch`: whether the branch exists, asked when no commit touched the path). */
function mockNoFile(branch: boolean) {
  nock(API)
    .get(`/repos/${REPOSITORY}/commits`)
    .query(true)
    .reply(branch ? 200 : 404, branch ? [] : { message: "Not Found" });
  nock(API)
    .get(`/repos/${REPOSITORY}/git/ref/heads%2Fonerecord-access%2Frecords`)
    .reply(
      branch ? 200 : 404,
      branch
        ? { ref: `refs/heads/${LEDGER_BRANCH}`, object: { sha: "a".repeat(40), type: "commit" } }
        : { message: "Not Found" },
    );
}

function codes(decision: Decision): string[] {
  return decision.kind === "refuse" ? decision.reasons.map((r) => r.code) : [];
}

async function decideWith(ledger: LedgerAccess) {
  const loaded = await loadRequest(octokit(), context, REQUEST, ledger);
  const decision = decide({
    request: REQUEST,
    repository: REPOSITORY,
    issue: loaded.issue,
    record: loaded.record,
    run: {
      eventName: "workflow_dispatch",
      ref: "refs/heads/main",
      refType: "branch",
      defaultBranch: "main",
      workflowPath: ".github/workflows/issue-tokens.yml",
    },
    workflow: ".github/workflows/issue-tokens.yml",
    now: NOW,
  });
  return { loaded, decision, messages: decision.kind === "refuse" ? decision.reasons.map((r) => r.message) : [] };
}

beforeAll(async () => {
  nock.disableNetConnect();
  key = await recordKey("ES256");
  stranger = await recordKey("ES256");
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe("issue-tokens step 1: the record from the signed ledger", () => {
  it("a valid ledger record at the head of the ledger branch: the decision issues", async () => {
    mockIssue();
    const file = mockFile(await ledgerText(tokensRecord(devices), key));
    const { loaded, decision } = await decideWith(access());
    expect(file.isDone()).toBe(true);
    expect(loaded.record).toMatchObject({ found: true, kid: key.kid });
    expect(loaded.record.found && loaded.record.source).toBe(
      `records/${REQUEST}.json on branch ${LEDGER_BRANCH} of ${REPOSITORY}`,
    );
    expect(decision.kind).toBe("issue");
  });

  it("verifies with a rotated key set: a version signed by the older key still reads", async () => {
    const newer = await recordKey("EdDSA");
    mockIssue();
    mockFile(await ledgerText(tokensRecord(devices), key));
    const { decision } = await decideWith(access({ jwks: jwksOf(newer, key) }));
    expect(decision.kind).toBe("issue");
  });

  it("never reads the status comment: a record there (anyone with write access can edit it) is no source", async () => {
    mockIssue();
    const comments = nock(API).get(`/repos/${REPOSITORY}/issues/${REQUEST}/comments`).query(true).reply(200, []);
    mockNoFile(true);
    const { decision, messages } = await decideWith(access());
    expect(comments.isDone()).toBe(false);
    expect(codes(decision)).toEqual(["no-record"]);
    expect(messages[0]).toMatch(
      /no file records\/7\.json on branch onerecord-access\/records of Codertocat\/Hello-World/,
    );
  });

  it("a genuine older version committed again (a rollback past /reject) is refused as replayed", async () => {
    const approved = await ledgerText(tokensRecord(devices), key);
    const rejected = await ledgerText(
      tokensRecord(devices, {
        stage: "rejected",
        rejection: { by: "reviewer-1", at: "2026-06-05T00:00:00.000Z", url: "https://x.test/c", reason: "no" },
      }),
      key,
    );
    mockIssue();
    mockFile(approved, [approved, rejected, approved]);
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/does not verify \(replayed\): it is a copy of an older version/);
  });

  it("an older version re-encoded (other bytes, the same signed content) and committed again is refused as replayed", async () => {
    const approved = await ledgerText(tokensRecord(devices), key);
    const rejected = await ledgerText(tokensRecord(devices, { stage: "rejected", rejection: REJECTION }), key);
    // Compact JSON: another blob, and smaller than the indented text the app writes.
    const copy = JSON.stringify(JSON.parse(approved));
    mockIssue();
    const ledger = mockLedgerFile(API, REPOSITORY, REQUEST, { head: copy, history: [copy, rejected, approved] });
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/does not verify \(replayed\)/);
    // Read because either could be the head's copy; then, the copy found, every version.
    expect(ledger.fetched).toEqual([commit(3), commit(2), commit(1), commit(3), commit(2), commit(1)]);
  });

  it("a head equal to the version before it (an edit reverted, a restore) is accepted: every version is read to tell", async () => {
    const first = await ledgerText(tokensRecord(devices, { checklist: [] }), key);
    const head = await ledgerText(tokensRecord(devices), key);
    mockIssue();
    const ledger = mockLedgerFile(API, REPOSITORY, REQUEST, { head, history: [head, head, first] });
    const { decision } = await decideWith(access());
    expect(decision.kind).toBe("issue");
    // The copy is the head's own blob (not fetched); whether it is the newest valid version
    // before the head takes the whole history.
    expect(ledger.fetched).toEqual([commit(3), commit(3), commit(2), commit(1)]);
  });

  it("reads an older version only when its size could hold the head's signed content", async () => {
    const base = tokensRecord(devices);
    const smaller = await ledgerText(tokensRecord(devices, { checklist: [] }), key);
    const request = { ...base.request, contact: "ops@acmf.example" } as typeof base.request;
    const sameSize = await ledgerText({ ...base, request }, key);
    const head = await ledgerText(base, key);
    expect(Buffer.byteLength(sameSize)).toBe(Buffer.byteLength(head));
    mockIssue();
    const ledger = mockLedgerFile(API, REPOSITORY, REQUEST, { head, history: [head, sameSize, smaller, null] });
    const { decision } = await decideWith(access());
    expect(decision.kind).toBe("issue");
    expect(ledger.listing.isDone()).toBe(true);
    expect(ledger.fetched).toEqual([commit(4), commit(3)]);
  });

  it.each([
    ["a person with push access", ledgerCommit("", "mallory", false)],
    ["another app's bot, verified (a workflow's GITHUB_TOKEN)", ledgerCommit("", "github-actions[bot]", true)],
    ["the app's name, unsigned (anyone can write author and committer)", ledgerCommit("", APP_LOGIN, false)],
  ])(
    "a genuine version whose head commit was made by %s is refused as not-by-app (a known content is not a known commit)",
    async (_, by) => {
      // The only version listed: a copy of a genuine version older than the history read, say.
      const approved = await ledgerText(tokensRecord(devices), key);
      mockIssue();
      mockFile(approved, [approved], REPOSITORY, by);
      const { decision, messages } = await decideWith(access());
      expect(codes(decision)).toEqual(["record-unverified"]);
      expect(messages[0]).toMatch(
        /does not verify \(not-by-app\): the commit that put it there was not made by the app/,
      );
    },
  );

  it("a record that names no writer (written before issue 18) is refused as no-writer, saying how to refresh it", async () => {
    const { writer: _, ...old } = tokensRecord(devices);
    const text = await ledgerText(old, key);
    mockIssue();
    mockFile(text);
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/\(no-writer\).*comment \/status on the request/);
  });

  it("a history with tampered versions in between still accepts a valid, new head", async () => {
    const first = await ledgerText(tokensRecord(devices, { stage: "certificates" }), key);
    const head = await ledgerText(tokensRecord(devices), key);
    mockIssue();
    mockFile(head, [head, tamperPayload(first), null, first]);
    const { decision } = await decideWith(access());
    expect(decision.kind).toBe("issue");
  });

  it("a head that is not the newest version listed (the ledger moved while read) is refused, to run again", async () => {
    const older = await ledgerText(tokensRecord(devices, { stage: "certificates" }), key);
    const head = await ledgerText(tokensRecord(devices), key);
    mockIssue();
    mockFile(head, [older]);
    const { messages } = await decideWith(access());
    expect(messages[0]).toMatch(/\(moved\): the ledger changed while it was read; run the workflow again/);
  });

  it("a tampered ledger (one character of the signed payload changed) is refused as bad-signature", async () => {
    mockIssue();
    const text = await ledgerText(tokensRecord(devices), key);
    mockFile(tamperPayload(text));
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/does not verify \(bad-signature\)/);
    expect(messages[0]).toMatch(/changed outside the app/);
  });

  it("a record signed by a key not in records.jwks is refused as unknown-key", async () => {
    mockIssue();
    mockFile(await ledgerText(tokensRecord(devices), stranger));
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/\(unknown-key\)/);
  });

  it("a genuine record of another issue copied into this issue's file is refused as foreign-record", async () => {
    mockIssue();
    mockFile(await ledgerText(tokensRecord(devices, { issue: REQUEST + 1 }), key));
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/\(foreign-record\)/);
  });

  it("names the verification code, never the file's content", async () => {
    const hostile = "<img src=x onerror=alert(1)> @mallory /approve-certification";
    mockIssue();
    mockFile(
      JSON.stringify({ protected: "eyJ9", payload: Buffer.from(hostile).toString("base64url"), signature: "AA" }),
    );
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/\(not-jws\)/);
    expect(messages.join("\n")).not.toContain("mallory");
    expect(messages.join("\n")).not.toContain(Buffer.from(hostile).toString("base64url"));
  });

  it("a missing ledger file (the branch exists) is no-record", async () => {
    mockIssue();
    mockNoFile(true);
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["no-record"]);
    expect(messages[0]).toMatch(/no file records\/7\.json/);
  });

  it("a missing ledger branch is no-record, and says so", async () => {
    mockIssue();
    mockNoFile(false);
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["no-record"]);
    expect(messages[0]).toMatch(
      /the ledger branch onerecord-access\/records does not exist in Codertocat\/Hello-World/,
    );
  });

  it.each([
    ["no ruleset", [], /with “Restrict deletions”, “Block force pushes” and “Require linear history”/],
    [
      "deletions restricted, force pushes allowed",
      [{ type: "deletion" }, { type: "update" }, { type: "required_linear_history" }],
      /with “Block force pushes”/,
    ],
    [
      "force pushes blocked, deletion allowed",
      [{ type: "non_fast_forward" }, { type: "required_linear_history" }],
      /with “Restrict deletions”/,
    ],
    ["merge commits allowed", [{ type: "deletion" }, { type: "non_fast_forward" }], /with “Require linear history”/],
  ])(
    "an unprotected ledger branch (%s) is refused as ledger-unprotected before the ledger is read",
    async (_, rules, says) => {
      nock.cleanAll();
      nock(API)
        .get(`/repos/${REPOSITORY}/issues/${REQUEST}`)
        .reply(200, { id: 1, number: REQUEST, user: { login: REQUESTER, type: "User" }, labels: [] });
      nock(API)
        .get(`/repos/${REPOSITORY}/rules/branches/${encodeURIComponent(LEDGER_BRANCH)}`)
        .query(true)
        .reply(200, rules);
      // A genuine record at the head: the protection is checked first, whatever the ledger holds.
      const file = mockFile(await ledgerText(tokensRecord(devices), key));
      const { decision, messages } = await decideWith(access());
      expect(codes(decision)).toEqual(["ledger-unprotected"]);
      expect(messages[0]).toMatch(says);
      expect(messages[0]).toMatch(/docs\/app\.md#the-ledger-branchs-ruleset.*nothing is issued until then/);
      expect(file.isDone()).toBe(false);
    },
  );

  it("rules the token cannot read (a ledger repository out of its reach) are refused as ledger-unprotected", async () => {
    nock.cleanAll();
    nock(API)
      .get(`/repos/${REPOSITORY}/issues/${REQUEST}`)
      .reply(200, { id: 1, number: REQUEST, user: { login: REQUESTER, type: "User" }, labels: [] });
    mockRules([], REPOSITORY, 404);
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["ledger-unprotected"]);
    expect(messages[0]).toMatch(/cannot be read \(HTTP 404\); give the workflow a records-token/);
  });

  it("records.jwks absent: refused before the ledger is read, saying how to configure it", async () => {
    mockIssue();
    const file = mockFile("{}");
    const { decision, messages } = await decideWith(access({ jwks: undefined }));
    expect(file.isDone()).toBe(false);
    expect(codes(decision)).toEqual(["records-unconfigured"]);
    expect(messages[0]).toMatch(/configure records\.jwks .*docs\/app\.md#keys-and-rotation/);
  });

  it("a file larger than MAX_LEDGER_FILE_BYTES is refused as too-large", async () => {
    mockIssue();
    mockFile("x".repeat(MAX_LEDGER_FILE_BYTES + 1));
    const { decision, messages } = await decideWith(access());
    expect(codes(decision)).toEqual(["record-unverified"]);
    expect(messages[0]).toMatch(/\(too-large\)/);
  });

  it("stops reading a hostile endless file soon after MAX_LEDGER_FILE_BYTES (never buffers it whole)", async () => {
    // A real socket (nock buffers a streamed reply whole): the server writes only as fast as the
    // reader takes, so what it could write is what the reader pulled.
    let written = 0;
    const server = createServer((req, res) => {
      if (req.url?.startsWith(`/repos/${REPOSITORY}/issues/`))
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ number: REQUEST, user: { login: REQUESTER } }));
      if (req.url?.includes("/rules/branches/"))
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(PROTECTED));
      if (req.url?.startsWith(`/repos/${REPOSITORY}/commits`))
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify([ledgerCommit(commit(1), APP_LOGIN)]));
      res.writeHead(200, { "content-type": "application/vnd.github.raw+json" });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (written < 64 * MAX_LEDGER_FILE_BYTES && !res.destroyed) {
          written += chunk.byteLength;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    nock.enableNetConnect("127.0.0.1");
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const local = createOctokit({ token: "ghs_workflow", baseUrl, fetch: fetchThroughNock });
      const loaded = await loadRequest(local, { ...context, apiUrl: baseUrl }, REQUEST, {
        octokit: local,
        records: { jwks: jwksOf(key), branch: LEDGER_BRANCH },
      });
      expect(loaded.record).toMatchObject({ found: false, code: "record-unverified" });
      expect(!loaded.record.found && loaded.record.reason).toMatch(/\(too-large\)/);
      expect(written).toBeLessThan(3 * MAX_LEDGER_FILE_BYTES);
    } finally {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
      nock.disableNetConnect();
    }
  });

  it("refuses a declared Content-Length above the limit without reading the body", async () => {
    mockIssue();
    nock(API)
      .get(`/repos/${REPOSITORY}/commits`)
      .query(true)
      .reply(200, [ledgerCommit(commit(1), APP_LOGIN)]);
    nock(API)
      .get(FILE)
      .query({ ref: commit(1) })
      .reply(200, "{}", {
        "content-type": "application/vnd.github.raw+json",
        "content-length": String(MAX_LEDGER_FILE_BYTES + 1),
      });
    const { messages } = await decideWith(access());
    expect(messages[0]).toMatch(/\(too-large\)/);
  });

  it("reads a separate ledger repository (records.repository) with the ledger's own client", async () => {
    mockIssue();
    const text = await ledgerText(tokensRecord(devices), key);
    // Every ledger request carries the ledger's token (the issue is read with the workflow's).
    const reqheaders = { authorization: "token ghs_ledger_reader" };
    nock(API, { reqheaders })
      .get(`/repos/acme/access-ledger/rules/branches/${encodeURIComponent(LEDGER_BRANCH)}`)
      .query(true)
      .reply(200, PROTECTED);
    const { head: file, listing } = mockLedgerFile(API, "acme/access-ledger", REQUEST, {
      head: text,
      headBy: ledgerCommit("", APP_LOGIN),
      reqheaders,
    });
    const { loaded, decision } = await decideWith({
      octokit: octokit("ghs_ledger_reader"),
      records: { jwks: jwksOf(key), branch: LEDGER_BRANCH, repository: "acme/access-ledger" },
    });
    expect(file.isDone()).toBe(true);
    expect(listing.isDone()).toBe(true);
    expect(loaded.record.found && loaded.record.source).toBe(
      `records/${REQUEST}.json on branch ${LEDGER_BRANCH} of acme/access-ledger`,
    );
    expect(decision.kind).toBe("issue");
  });

  it("an API failure other than 404 is an error (io-error), not a refusal that looks like a missing record", async () => {
    mockIssue();
    nock(API).get(`/repos/${REPOSITORY}/commits`).query(true).reply(502, { message: "Bad Gateway" });
    const error: unknown = await loadRequest(octokit(), context, REQUEST, access()).catch((e: unknown) => e);
    expect(isOneRecordError(error) && error.code).toBe("io-error");
    expect(String((error as Error).message)).toMatch(/HTTP 502/);
  });
});

describe("issue-tokens step 1: the history read is bounded in bytes (issue 18)", () => {
  it("stops fetching once MAX_HISTORY_BYTES were read, counting bytes that are not UTF-8 too", async () => {
    const versions = Math.ceil(MAX_HISTORY_BYTES / MAX_LEDGER_FILE_BYTES) + 3;
    const body = Buffer.alloc(MAX_LEDGER_FILE_BYTES - 1, 0xff); // not UTF-8: decodes to nothing
    nock(API)
      .get(`/repos/${REPOSITORY}/commits`)
      .query(true)
      .reply(
        200,
        Array.from({ length: versions }, (_, i) => ledgerCommit(commit(versions - i))),
      );
    const fetched: string[] = [];
    nock(API)
      .get(`/repos/${REPOSITORY}/contents/records%2F${REQUEST}.json`)
      .query(true)
      .times(versions)
      .optionally()
      .reply(
        200,
        (uri) => {
          fetched.push(uri);
          return body;
        },
        { "content-type": "application/vnd.github.raw+json" },
      );
    const at = { owner: "Codertocat", repo: "Hello-World", branch: LEDGER_BRANCH };
    const head = { sha: commit(versions), author: APP_LOGIN, committer: APP_LOGIN, verified: true };
    const read = await readFullHistory(new LedgerReader(octokit(), at), REQUEST, head);
    expect(read.versions).toHaveLength(versions);
    expect(fetched.length).toBeLessThan(versions);
    expect(read.versions.at(-1)).toMatchObject({ text: null, unread: true });
  });
});
