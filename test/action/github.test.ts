import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../action/config.js";
import type { RunContext } from "../../action/context.js";
import { createOctokit, listPullRequestFiles } from "../../action/github.js";
import { OneRecordError } from "../../src/errors.js";
import { makeRoot, validFor, type Issued } from "../helpers/pki.js";

const API = "https://api.github.test";
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const fetchThroughNock: typeof fetch = (input, init) => globalThis.fetch(input, init);
const octokit = () => createOctokit({ token: "test-token", baseUrl: API, fetch: fetchThroughNock });

let workspace: string;
let root: Issued;

function context(pr: boolean): RunContext {
  return {
    eventName: pr ? "pull_request" : "push",
    workspace,
    tempDir: workspace,
    apiUrl: API,
    owner: "Codertocat",
    repo: "Hello-World",
    pullRequest: pr ? { number: 2, baseRef: BASE_SHA, changedFiles: undefined } : undefined,
  };
}

const fileEntry = (filename: string, status = "added") => ({
  sha: "bbcd538c8e72b8c175046e27cc8f907076331401",
  filename,
  status,
  additions: 1,
  deletions: 0,
  changes: 1,
});

beforeAll(async () => {
  nock.disableNetConnect();
  workspace = mkdtempSync(join(tmpdir(), "action-config-"));
  root = await makeRoot({ name: "CN=Config Test Root", ...validFor(3650) });
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  rmSync(workspace, { recursive: true, force: true });
});

describe("listPullRequestFiles", () => {
  it("follows the pages of pulls.listFiles", async () => {
    const scope = nock(API)
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query({ per_page: "100" })
      .reply(200, [fileEntry("certificates/2/a.pem")], {
        link: `<${API}/repos/Codertocat/Hello-World/pulls/2/files?per_page=100&page=2>; rel="next"`,
      })
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query({ per_page: "100", page: "2" })
      .reply(200, [fileEntry("certificates/2/b.pem", "removed")]);
    const files = await listPullRequestFiles(octokit(), context(true), 2, 2);
    expect(files).toEqual([
      { path: "certificates/2/a.pem", status: "added" },
      { path: "certificates/2/b.pem", status: "removed" },
    ]);
    scope.done();
  });

  it("refuses a list the API cut short rather than checking part of the pull request", async () => {
    nock(API)
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query(true)
      .reply(200, [fileEntry("a")]);
    await expect(listPullRequestFiles(octokit(), context(true), 2, 3001)).rejects.toThrow(
      /changes 3001 files but the API listed 1/,
    );
  });

  it("turns an API refusal into an io-error that names the status, not the token", async () => {
    nock(API)
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query(true)
      .reply(403, { message: "Resource not accessible by integration" });
    const error = await listPullRequestFiles(octokit(), context(true), 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OneRecordError);
    expect((error as OneRecordError).message).toBe("GitHub API: cannot list the files of pull request #2 (HTTP 403)");
    expect((error as OneRecordError).message).not.toContain("test-token");
  });

  it("needs a token", () => {
    expect(() => createOctokit({ token: "", baseUrl: API })).toThrow(/Input "github-token"/);
  });
});

describe("loadConfig", () => {
  const configPath = ".github/onerecord-access.yml";
  const yamlFor = (pem: string) => {
    const fingerprint = new X509Certificate(pem).fingerprint256;
    const indented = pem
      .trim()
      .split("\n")
      .map((line) => `          ${line}`)
      .join("\n");
    return `certificates:\n  warnDays: 10\n  extraCAs:\n    - brand: Test CA\n      fingerprintSha256: "${fingerprint}"\n      pem: |\n${indented}\n`;
  };
  const contentReply = (text: string) => ({
    type: "file",
    encoding: "base64",
    size: text.length,
    name: "onerecord-access.yml",
    path: configPath,
    content: Buffer.from(text).toString("base64"),
  });

  it("on a pull request reads the base branch through the API, never the head's file", async () => {
    // The head (the workspace) tries to add its own CA; it must not be read.
    mkdirSync(join(workspace, ".github"), { recursive: true });
    writeFileSync(join(workspace, configPath), "certificates:\n  warnDays: 999\n");
    const scope = nock(API)
      .get(`/repos/Codertocat/Hello-World/contents/${encodeURIComponent(configPath)}`)
      .query({ ref: BASE_SHA })
      .reply(200, contentReply(yamlFor(root.pem)));
    const { config, source } = await loadConfig(configPath, context(true), octokit);
    scope.done();
    expect(config.certificates.warnDays).toBe(10);
    expect(config.certificates.extraCAs.map((ca) => ca.brand)).toEqual(["Test CA"]);
    expect(source).toContain("(base)");
  });

  it("uses the defaults when the base branch has no configuration", async () => {
    nock(API)
      .get(/\/contents\//)
      .query(true)
      .reply(404, { message: "Not Found" });
    const { config, source } = await loadConfig(configPath, context(true), octokit);
    expect(source).toBe("defaults");
    expect(config.certificates.extraCAs).toEqual([]);
  });

  it("reports a broken base configuration with the field it names", async () => {
    nock(API)
      .get(/\/contents\//)
      .query(true)
      .reply(200, contentReply("certificates:\n  warnDays: soon\n"));
    await expect(loadConfig(configPath, context(true), octokit)).rejects.toMatchObject({
      code: "config-invalid",
      field: "certificates.warnDays",
    });
  });

  it("outside a pull request reads the checked-out file, and defaults when it is absent", async () => {
    writeFileSync(join(workspace, configPath), "certificates:\n  warnDays: 45\n");
    expect((await loadConfig(configPath, context(false), octokit)).config.certificates.warnDays).toBe(45);
    expect((await loadConfig("missing.yml", context(false), octokit)).source).toBe("defaults");
  });
});
