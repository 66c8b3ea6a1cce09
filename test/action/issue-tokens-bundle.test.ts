import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/record/git-blob.js";
import { STATUS_MARKER, writeRecord, type AccessRecord, type RecordSigningKey } from "../../src/record/index.js";
import { acceptIssuance, withCertifyingHistory } from "../helpers/accept-issuance.js";
import {
  issuanceRecordsFrom,
  parseIssuanceComment,
  verifyIssuanceProof,
  type IssuanceBlock,
} from "../../src/record/issuance-comment.js";
import { decryptDeviceToken, verifyDeviceToken } from "../../src/tokens/index.js";
import {
  DAY,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  privateKeyOf,
  signingSecret,
  type Issued,
} from "../helpers/pki.js";
import {
  APP_LOGIN,
  ledgerCommit,
  fingerprintOf,
  REPOSITORY,
  REQUEST,
  REQUESTER,
  REVIEWER,
  secretRuns,
  tokensRecord,
} from "./issue-tokens/fixtures.js";
import { LEDGER_BRANCH, ledgerText, recordKey, recordsConfig } from "./issue-tokens/ledger.js";
import { bundlePath, runBundle, type BundleRun } from "./issue-tokens/runner.js";

/**
 * The committed bundle in token mode, run the way the runner runs it, with a loopback HTTP server
 * standing in for the REST API (nock cannot reach into a child process). The signing key comes in
 * as the INPUT_SIGNING-KEY environment secret; neither it nor any token may show anywhere.
 */
const TOKEN = "ghs_test_token_for_issue_tokens";
const ISSUER = "https://access.onerecord.test";
const AUDIENCE = "https://api.onerecord.test";
const SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
/** The one commit of the ledger file's history the stand-in lists (the head is its only version). */
const LEDGER_COMMIT = "c".repeat(40);
const KEY = signingSecret("ES256").pem;

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  created_at: string;
}

const api = {
  labels: [] as string[],
  comments: [] as Comment[],
  /** records/7.json at the head of the ledger branch; null: no such file. */
  ledger: null as string | null,
  /** True: the ledger branch has no ruleset (GET rules/branches answers []). */
  unprotected: false,
  posted: [] as Comment[],
  requests: [] as Array<{ method: string; url: string; authorization: string | undefined }>,
};
let server: Server;
let apiUrl: string;
let root: Issued;
let intermediate: Issued;
let ec: Issued;
let rsa: Issued;
let workspace: string;
let recordSigner: RecordSigningKey;
const NOW = new Date();

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function comment(id: number, body: string, login: string, type: string): Comment {
  return {
    id,
    body,
    user: { login, type },
    html_url: `https://github.com/${REPOSITORY}/issues/${REQUEST}#issuecomment-${id}`,
    created_at: "2026-06-01T00:00:00Z",
  };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  api.requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const issuePath = `/repos/${REPOSITORY}/issues/${REQUEST}`;
  if (req.method === "GET" && url.pathname === issuePath) {
    return json(res, 200, {
      id: 1,
      number: REQUEST,
      title: "Production access: Acme Health",
      state: "open",
      user: { login: REQUESTER, type: "User" },
      labels: api.labels.map((name, i) => ({ id: i + 1, name })),
    });
  }
  if (req.method === "GET" && url.pathname === `${issuePath}/comments`) {
    return json(res, 200, Number(url.searchParams.get("page") ?? "1") === 1 ? [...api.comments, ...api.posted] : []);
  }
  if (req.method === "GET" && url.pathname === `/repos/${REPOSITORY}/contents/records%2F${REQUEST}.json`) {
    // The raw media type, as either name (the ledger client asks `application/vnd.github.v3.raw`).
    const raw = ["application/vnd.github.raw+json", "application/vnd.github.v3.raw"].includes(req.headers.accept ?? "");
    // At the branch head, or at the one commit of its history (below).
    const ref = url.searchParams.get("ref");
    if (!raw || (ref !== LEDGER_BRANCH && ref !== LEDGER_COMMIT)) return json(res, 415, { message: "raw, at a ref" });
    if (api.ledger === null) return json(res, 404, { message: "Not Found" });
    res.writeHead(200, { "content-type": "application/vnd.github.raw+json; charset=utf-8" });
    return void res.end(api.ledger);
  }
  if (req.method === "GET" && url.pathname === `/repos/${REPOSITORY}/rules/branches/onerecord-access%2Frecords`) {
    // The ledger branch's ruleset (docs/app.md), unless a test takes it away.
    return json(
      res,
      200,
      api.unprotected ? [] : [{ type: "deletion" }, { type: "non_fast_forward" }, { type: "required_linear_history" }],
    );
  }
  if (req.method === "GET" && url.pathname === `/repos/${REPOSITORY}/commits`) {
    const asked =
      url.searchParams.get("sha") === LEDGER_BRANCH && url.searchParams.get("path") === `records/${REQUEST}.json`;
    return json(res, asked ? 200 : 404, asked ? (api.ledger === null ? [] : [ledgerCommit(LEDGER_COMMIT)]) : {});
  }
  if (req.method === "POST" && url.pathname === "/graphql") {
    // The ledger file's versions as the replay check lists them (one: the head's commit and blob).
    const file =
      api.ledger === null
        ? null
        : { oid: gitBlobSha(Buffer.from(api.ledger)), object: { byteSize: Buffer.byteLength(api.ledger) } };
    const nodes = api.ledger === null ? [] : [{ oid: LEDGER_COMMIT, file }];
    return json(res, 200, { data: { repository: { ref: { target: { history: { nodes } } } } } });
  }
  if (req.method === "GET" && url.pathname === `/repos/${REPOSITORY}/git/ref/heads%2Fonerecord-access%2Frecords`) {
    return json(res, 200, { ref: `refs/heads/${LEDGER_BRANCH}`, object: { sha: SHA, type: "commit" } });
  }
  if (req.method === "POST" && url.pathname === `${issuePath}/comments`) {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      const posted = comment(
        1000 + api.posted.length,
        (JSON.parse(text) as { body: string }).body,
        "github-actions[bot]",
        "Bot",
      );
      api.posted.push(posted);
      json(res, 201, posted);
    });
    return;
  }
  json(res, 404, { message: "Not Found" });
}

function write(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A status comment as the app wrote them before the ledger: its record is no longer read. */
function statusBody(record: AccessRecord): string {
  return `${STATUS_MARKER}\n${writeRecord(record)}\n## Production access\n\nStage: tokens`;
}

const appRecord = () =>
  tokensRecord([
    { device: "pump-01", fingerprintSha256: fingerprintOf(ec.der) },
    { device: "pump-02", fingerprintSha256: fingerprintOf(rsa.der) },
  ]);

async function run(inputs: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle({
    workspace,
    inputs: {
      mode: "issue-tokens",
      request: String(REQUEST),
      "signing-key": KEY,
      "github-token": TOKEN,
      ...inputs,
    },
    env: {
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_TYPE: "branch",
      GITHUB_SHA: SHA,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/issue-tokens.yml@refs/heads/main`,
      GITHUB_RUN_ID: "4242",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_API_URL: apiUrl,
    },
    event: {
      ref: "refs/heads/main",
      inputs: { request: String(REQUEST) },
      repository: { full_name: REPOSITORY, default_branch: "main" },
      sender: { login: REVIEWER },
    },
  });
}

/** The key (any 20-character run of its body) and the given tokens appear in no output, the add-mask commands aside. */
function expectNoSecrets(result: BundleRun, tokens: string[]): void {
  const stdout = result.stdout
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
  const places = {
    stdout,
    stderr: result.stderr,
    GITHUB_OUTPUT: result.outputFile,
    GITHUB_STEP_SUMMARY: result.summary,
  };
  for (const [place, text] of Object.entries(places)) {
    expect(text, place).not.toContain("PRIVATE KEY");
    for (const run of secretRuns(KEY))
      if (text.includes(run)) throw new Error(`${place} holds part of the signing key`);
    for (const token of tokens) {
      expect(text.includes(token), `${place} holds a token`).toBe(false);
      expect(text.includes(token.split(".")[2]!), `${place} holds a token signature`).toBe(false);
    }
  }
}

beforeAll(async () => {
  if (!existsSync(bundlePath)) throw new Error("action/dist/index.js is missing: run `npm run bundle`");
  const window = { notBefore: new Date(NOW.getTime() - 30 * DAY), notAfter: new Date(NOW.getTime() + 3650 * DAY) };
  root = await makeRoot({ cn: "Bundle Token Root", ...window });
  intermediate = await makeIntermediate(root, { cn: "Bundle Token Intermediate", ...window });
  ec = await makeLeaf(intermediate, {
    cn: "pump-01",
    notBefore: window.notBefore,
    notAfter: new Date(NOW.getTime() + 500 * DAY),
  });
  rsa = await makeLeaf(intermediate, {
    cn: "pump-02",
    keyAlg: "rsa-2048",
    notBefore: window.notBefore,
    notAfter: new Date(NOW.getTime() + 500 * DAY),
  });
  recordSigner = await recordKey();
  workspace = mkdtempSync(join(tmpdir(), "issue-tokens-bundle-"));
  write(workspace, {
    "certificates/7/pump-01.pem": pemFile(ec, intermediate),
    "certificates/7/pump-02.pem": pemFile(rsa, intermediate),
    ".github/onerecord-access.yml": [
      "certificates:",
      "  extraCAs:",
      "    - brand: Bundle Token CA",
      `      fingerprintSha256: "${new X509Certificate(root.pem).fingerprint256}"`,
      "      pem: |",
      ...root.pem
        .trim()
        .split("\n")
        .map((line) => `        ${line}`),
      "tokens:",
      `  issuer: ${ISSUER}`,
      `  audience: ${AUDIENCE}`,
      "  lifetimeDays: 90",
      ...recordsConfig([recordSigner]),
      "",
    ].join("\n"),
  });
  server = createServer(handle);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  rmSync(workspace, { recursive: true, force: true });
});

describe("action/dist/index.js in mode issue-tokens, run as the runner runs it", () => {
  it("issues each device a token it alone can decrypt, leaks neither key nor token, and issues nothing the second time", async () => {
    // The record is the signed ledger file. Records in comments — a forged one by the requester
    // listing a device of their own, even one in the app's own status comment — are not read;
    // labels set by hand claim the request is live.
    const forged = tokensRecord([{ device: "attacker", fingerprintSha256: fingerprintOf(ec.der) }]);
    api.comments = [
      comment(10, statusBody(forged), REQUESTER, "User"),
      comment(11, statusBody(forged), APP_LOGIN, "Bot"),
    ];
    api.ledger = await ledgerText(appRecord(), recordSigner);
    api.labels = ["access: live"];
    api.posted = [];
    api.requests = [];

    const first = await run();
    expect(first.stderr).toBe("");
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs["issued-count"]).toBe("2");
    expect(api.posted).toHaveLength(1);
    expect(first.outputs["issuance-comment-url"]).toBe(api.posted[0]!.html_url);
    const jwks = JSON.parse(first.outputs.jwks!) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwks.keys[0]!.d).toBeUndefined();

    // The posted comment: the block, verifiable, and a JWE per device that only its key opens.
    const parsed = parseIssuanceComment(api.posted[0]!.body);
    if (!parsed.ok) throw new Error(parsed.reason);
    const block: IssuanceBlock = parsed.block;
    expect(block).toMatchObject({
      repository: REPOSITORY,
      request: REQUEST,
      runId: 4242,
      runAttempt: 1,
      runUrl: `https://github.com/${REPOSITORY}/actions/runs/4242`,
      workflow: ".github/workflows/issue-tokens.yml",
      ref: "refs/heads/main",
      sha: SHA,
      part: 1,
      parts: 1,
    });
    expect(block.issued.map((t) => t.device)).toEqual(["pump-01", "pump-02"]);
    expect(await verifyIssuanceProof(block, jwks as never)).toEqual({ ok: true });

    const jwts: string[] = [];
    for (const [token, leaf] of [
      [block.issued[0]!, ec],
      [block.issued[1]!, rsa],
    ] as const) {
      const jwt = await decryptDeviceToken(token.jwe, privateKeyOf(leaf));
      jwts.push(jwt);
      expect(decodeJwt(jwt)).toMatchObject({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: token.device,
        account: "acme-health",
        jti: token.jti,
        cnf: { "x5t#S256": token.x5tS256 },
      });
      expect(
        await verifyDeviceToken(jwt, {
          jwks: jwks,
          issuer: ISSUER,
          audience: AUDIENCE,
          peerCertificate: leaf.der,
        }),
      ).toMatchObject({ ok: true });
      // The other device's key opens nothing.
      await expect(decryptDeviceToken(token.jwe, privateKeyOf(leaf === ec ? rsa : ec))).rejects.toThrow(
        /right device's key|another device/,
      );
    }

    expectNoSecrets(first, jwts);
    for (const jwt of jwts) expect(api.posted[0]!.body).not.toContain(jwt);
    // Each JWT was registered with the runner's masking (a command the runner consumes, never shows).
    for (const jwt of jwts)
      expect(first.stdout.split("\n").filter((line) => line.includes(jwt))).toEqual([`::add-mask::${jwt}`]);
    // The key shows only in the masking commands the runner consumes.
    expect(
      first.stdout
        .split("\n")
        .filter((line) => line.includes(KEY.split("\n")[1]!))
        .every((line) => line.startsWith("::add-mask::")),
    ).toBe(true);
    expect(first.stdout).toMatch(/^::add-mask::-----BEGIN PRIVATE KEY-----/m);
    // The summary names devices, token ids and thumbprints; never a JWE.
    expect(first.summary).toContain(block.issued[0]!.jti);
    expect(first.summary).toContain(block.issued[1]!.x5tS256.replace(/_/g, "&#95;"));
    for (const token of block.issued) expect(first.summary).not.toContain(token.jwe.split(".")[3]!);
    for (const token of block.issued) expect(first.stdout).not.toContain(token.jwe.split(".")[3]!);
    // Every API call carried the workflow token.
    expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    // The record came from the ledger file, at its head commit; no comment was read.
    expect(api.requests.map((r) => r.url)).toContain(
      `/repos/${REPOSITORY}/contents/records%2F${REQUEST}.json?ref=${LEDGER_COMMIT}`,
    );
    expect(api.requests.filter((r) => r.method === "GET" && r.url.includes("/comments"))).toEqual([]);

    // The app accepts the issuance into its record; running again issues nothing.
    const accepted = acceptIssuance(
      withCertifyingHistory(appRecord()),
      issuanceRecordsFrom(block, { by: "github-actions[bot]" }),
    );
    expect(accepted.stage).toBe("live");
    api.ledger = await ledgerText(accepted, recordSigner);
    const second = await run();
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs["issued-count"]).toBe("0");
    expect(second.outputs["issuance-comment-url"]).toBe("");
    expect(api.posted).toHaveLength(1);
    expect(second.stdout).toMatch(/Nothing to issue: the request is live/);
    expect(second.summary).toContain("Nothing to issue");
    expectNoSecrets(second, jwts);
  });

  it("refuses a request its own requester approved, posting nothing and leaking nothing", async () => {
    const self = appRecord();
    api.ledger = await ledgerText({ ...self, certification: { ...self.certification!, by: REQUESTER } }, recordSigner);
    api.labels = ["access: tokens"];
    api.posted = [];
    const refused = await run();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^::error::No tokens issued for request #7:%0A- certification was approved by octocat, who opened the request/m,
    );
    expect(refused.stdout).not.toMatch(/\n\s+at /);
    expect(refused.summary).toContain("self-approved");
    expect(refused.outputs["issued-count"]).toBe("0");
    expect(api.posted).toEqual([]);
    expectNoSecrets(refused, []);
  });

  it("refuses while the ledger branch has no ruleset, saying in the job summary what to configure", async () => {
    api.ledger = await ledgerText(appRecord(), recordSigner);
    api.labels = ["access: tokens"];
    api.posted = [];
    api.unprotected = true;
    try {
      const refused = await run();
      expect(refused.code).toBe(1);
      expect(refused.summary).toContain("ledger-unprotected");
      expect(refused.summary).toMatch(/Restrict deletions.*Block force pushes/);
      expect(refused.outputs["issued-count"]).toBe("0");
      expect(api.posted).toEqual([]);
    } finally {
      api.unprotected = false;
    }
  });

  it("fails on a missing signing key, naming the input", async () => {
    api.posted = [];
    const missing = await run({ "signing-key": "" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(
      /^::error::Input "signing-key": the signing key is required in modes issue-tokens and obtain-certificates/m,
    );
    expect(api.posted).toEqual([]);
  });
});
