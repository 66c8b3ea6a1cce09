import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunContext } from "../../action/context.js";
import { parseInputs } from "../../action/inputs.js";
import { issueTokens } from "../../action/issue-tokens/index.js";
import { STATUS_MARKER, writeRecord, type AccessRecord, type RecordSigningKey } from "../../src/record/index.js";
import { parseIssuanceComment } from "../../src/record/issuance-comment.js";
import { DAY, makeIntermediate, makeLeaf, makeRoot, pemFile, signingSecret, type Issued } from "../helpers/pki.js";
import { APP_LOGIN, fingerprintOf, REPOSITORY, REQUEST, REQUESTER, tokensRecord } from "./issue-tokens/fixtures.js";
import { LEDGER_BRANCH, ledgerText, mockLedgerFile, recordKey, recordsConfig } from "./issue-tokens/ledger.js";
import { rawInputs } from "../helpers/action-inputs.js";

/**
 * The whole token mode in process, the API mocked with nock: the record is the signed ledger file;
 * labels set by hand and records in comments change nothing, and a refusal posts nothing.
 */
const API = "https://api.github.test";
const fetchThroughNock: typeof fetch = (input, init) => globalThis.fetch(input, init);
const KEY = signingSecret("ES256").pem;
const NOW = new Date();
let root: Issued;
let recordSigner: RecordSigningKey;
let configBase: string;
let leaf: Issued;
let dir: string;
let stdout: string;
const saved = { ...process.env };

function issue(labels: string[]) {
  return {
    id: 1,
    number: REQUEST,
    title: "Production access",
    state: "open",
    user: { login: REQUESTER, type: "User" },
    labels: labels.map((name, i) => ({ id: i + 1, name })),
  };
}

function comment(id: number, body: string, login: string, type: string) {
  return {
    id,
    body,
    user: { login, type },
    html_url: `https://github.com/${REPOSITORY}/issues/${REQUEST}#issuecomment-${id}`,
    created_at: "2026-06-01T00:00:00Z",
  };
}

/** A status comment as the app wrote them before the ledger: a record that is no longer read. */
function statusBody(record: AccessRecord): string {
  return `${STATUS_MARKER}\n${writeRecord(record)}\n## Production access`;
}

/** The API: the issue, the ledger file (null: none on the branch), any comments, and the post. */
function mockApi(labels: string[], ledger: string | null, comments: unknown[] = []): { posted: string[] } {
  const posted: string[] = [];
  nock(API).get(`/repos/${REPOSITORY}/issues/${REQUEST}`).reply(200, issue(labels));
  nock(API).get(`/repos/${REPOSITORY}/issues/${REQUEST}/comments`).query(true).optionally().reply(200, comments);
  // The ledger branch's ruleset (docs/app.md): the protection the workflow checks first.
  nock(API)
    .get(`/repos/${REPOSITORY}/rules/branches/${encodeURIComponent(LEDGER_BRANCH)}`)
    .query(true)
    .optionally()
    .reply(200, [{ type: "deletion" }, { type: "non_fast_forward" }, { type: "required_linear_history" }]);
  if (ledger === null) {
    // No commit touched the file; the branch exists.
    nock(API).get(`/repos/${REPOSITORY}/commits`).query(true).optionally().reply(200, []);
    nock(API)
      .get(`/repos/${REPOSITORY}/git/ref/heads%2Fonerecord-access%2Frecords`)
      .optionally()
      .reply(200, { ref: `refs/heads/${LEDGER_BRANCH}`, object: { sha: "a".repeat(40), type: "commit" } });
  } else {
    // The head is the file's only version (history: one commit).
    mockLedgerFile(API, REPOSITORY, REQUEST, { head: ledger, optional: true });
  }
  nock(API)
    .post(`/repos/${REPOSITORY}/issues/${REQUEST}/comments`)
    .optionally()
    .reply(201, (_uri, body) => {
      posted.push((body as { body: string }).body);
      return comment(900 + posted.length, (body as { body: string }).body, "github-actions[bot]", "Bot");
    });
  return { posted };
}

function context(): RunContext {
  return {
    eventName: "workflow_dispatch",
    workspace: dir,
    tempDir: dir,
    apiUrl: API,
    owner: "Codertocat",
    repo: "Hello-World",
    pullRequest: undefined,
  };
}

async function runMode(): Promise<void> {
  const inputs = parseInputs(
    rawInputs({ mode: "issue-tokens", "github-token": "ghs_test", request: String(REQUEST), "signing-key": KEY }),
  );
  const env = {
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_TYPE: "branch",
    GITHUB_EVENT_PATH: join(dir, "event.json"),
    GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/issue-tokens.yml@refs/heads/main`,
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    GITHUB_SERVER_URL: "https://github.com",
  };
  await issueTokens(inputs, context(), { fetch: fetchThroughNock, env, now: () => NOW });
}

const outputs = () => readFileSync(join(dir, "output"), "utf8");

beforeAll(async () => {
  nock.disableNetConnect();
  const window = { notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) };
  root = await makeRoot({ cn: "Pipeline Root", ...window });
  const intermediate = await makeIntermediate(root, { cn: "Pipeline Intermediate", ...window });
  leaf = await makeLeaf(intermediate, {
    cn: "pump-01",
    notBefore: window.notBefore,
    notAfter: new Date(NOW.getTime() + 300 * DAY),
  });
  recordSigner = await recordKey();
  dir = mkdtempSync(join(tmpdir(), "issue-tokens-pipeline-"));
  configBase = [
    "certificates:",
    "  extraCAs:",
    "    - brand: Pipeline CA",
    `      fingerprintSha256: "${new X509Certificate(root.pem).fingerprint256}"`,
    "      pem: |",
    ...root.pem
      .trim()
      .split("\n")
      .map((line) => `        ${line}`),
    "",
  ].join("\n");
  const files: Record<string, string | Uint8Array> = {
    "certificates/7/pump-01.pem": pemFile(leaf, intermediate),
    "event.json": JSON.stringify({
      ref: "refs/heads/main",
      inputs: { request: "7" },
      repository: { full_name: REPOSITORY, default_branch: "main" },
    }),
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
});

beforeEach(() => {
  stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  writeConfig(true);
  writeFileSync(join(dir, "output"), "");
  writeFileSync(join(dir, "summary"), "");
  process.env.GITHUB_OUTPUT = join(dir, "output");
  process.env.GITHUB_STEP_SUMMARY = join(dir, "summary");
});

afterEach(() => {
  vi.restoreAllMocks();
  nock.cleanAll();
  process.env = { ...saved };
  process.exitCode = 0;
});

afterAll(() => {
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

/** The configuration on the default branch, publishing the record key (or not). */
function writeConfig(withRecordKeys: boolean): void {
  const records = withRecordKeys ? recordsConfig([recordSigner]) : [];
  mkdirSync(join(dir, ".github"), { recursive: true });
  writeFileSync(join(dir, ".github/onerecord-access.yml"), [configBase, ...records, ""].join("\n"));
}

const signed = (r: AccessRecord) => ledgerText(r, recordSigner);

const record = () => tokensRecord([{ device: "pump-01", fingerprintSha256: fingerprintOf(leaf.der) }]);

describe("issue-tokens, in process", () => {
  it("labels set by hand to tokens/live change nothing while the record is at certificates", async () => {
    const api = mockApi(
      ["access: tokens", "needs: tokens", "access: live"],
      await signed({ ...record(), stage: "certificates" }),
    );
    await runMode();
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/^::error::No tokens issued for request #7:%0A- the request is at stage "certificates"/m);
    expect(api.posted).toEqual([]);
    expect(outputs()).toMatch(/issued-count<<.*\n0\n/);
  });

  it("labels set by hand to rejected/on-hold change nothing while the record says tokens", async () => {
    const api = mockApi(["access: rejected", "access: on-hold"], await signed(record()));
    await runMode();
    expect(process.exitCode).not.toBe(1);
    expect(api.posted).toHaveLength(1);
    const parsed = parseIssuanceComment(api.posted[0]);
    expect(parsed.ok && parsed.block.issued.map((t) => t.device)).toEqual(["pump-01"]);
    expect(outputs()).toMatch(/issued-count<<.*\n1\n/);
  });

  it("a record in the app's own status comment (editable by anyone with write access) issues nothing", async () => {
    // Issue 9, case 1: the hidden JSON of the status comment, edited to say "tokens", used to be
    // the record. Without a ledger file there is no record, whatever the comments say.
    const api = mockApi([], null, [comment(10, statusBody(record()), APP_LOGIN, "Bot")]);
    await runMode();
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/there is no file records\/7\.json on branch onerecord-access\/records/);
    expect(api.posted).toEqual([]);
  });

  it("a ledger record signed by a key the configuration does not publish issues nothing", async () => {
    const api = mockApi([], await ledgerText(record(), await recordKey("EdDSA")));
    await runMode();
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/does not verify \(unknown-key\)/);
    expect(readFileSync(join(dir, "summary"), "utf8")).toContain("record-unverified");
    expect(api.posted).toEqual([]);
  });

  it("without records.jwks in the configuration nothing is issued, and the step says how to configure it", async () => {
    writeConfig(false);
    const api = mockApi([], await signed(record()));
    await runMode();
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/configure records\.jwks/);
    expect(readFileSync(join(dir, "summary"), "utf8")).toContain("records-unconfigured");
    expect(api.posted).toEqual([]);
  });
});
