import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeIntermediate, makeLeaf, makeRoot, validFor, type Issued } from "../helpers/pki.js";

/**
 * The committed bundle, run the way the runner runs it: `node action/dist/index.js` with the
 * inputs as INPUT_* variables (defaults from action.yml, names upper-cased with dashes kept),
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, a real pull_request payload at GITHUB_EVENT_PATH,
 * and GITHUB_API_URL pointing at a loopback server standing in for the REST API (nock cannot
 * reach into a child process).
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = join(repoRoot, "action/dist/index.js");
const require = createRequire(import.meta.url);
const TOKEN = "ghs_test_token_for_the_bundle";
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const CONFIG_PATH = ".github/onerecord-access.yml";

interface PrFile {
  filename: string;
  status: string;
}

interface Api {
  files: PrFile[];
  /** Config served for the base commit; undefined: 404. */
  config: string | undefined;
  requests: Array<{ method: string; url: string; authorization: string | undefined }>;
}

const api: Api = { files: [], config: undefined, requests: [] };
let server: Server;
let apiUrl: string;
let root: Issued;
let intermediate: Issued;

function json(res: import("node:http").ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  api.requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "GET" && url.pathname === "/repos/Codertocat/Hello-World/pulls/2/files") {
    const page = Number(url.searchParams.get("page") ?? "1");
    // The real shape of a diff entry (from @octokit/openapi's examples).
    const entries =
      page === 1
        ? api.files.map((f) => ({
            sha: "bbcd538c8e72b8c175046e27cc8f907076331401",
            additions: 1,
            deletions: 0,
            changes: 1,
            patch: "",
            ...f,
          }))
        : [];
    return json(res, 200, entries);
  }
  const contents = "/repos/Codertocat/Hello-World/contents/";
  if (req.method === "GET" && url.pathname.startsWith(contents)) {
    const path = decodeURIComponent(url.pathname.slice(contents.length));
    if (path === CONFIG_PATH && url.searchParams.get("ref") === BASE_SHA && api.config !== undefined) {
      return json(res, 200, {
        type: "file",
        encoding: "base64",
        size: api.config.length,
        name: "onerecord-access.yml",
        path,
        content: Buffer.from(api.config).toString("base64"),
      });
    }
    return json(res, 404, { message: "Not Found" });
  }
  json(res, 404, { message: "Not Found" });
}

function configTrusting(ca: Issued, extra = ""): string {
  const indented = ca.pem
    .trim()
    .split("\n")
    .map((line) => `          ${line}`)
    .join("\n");
  return [
    "certificates:",
    "  extraCAs:",
    "    - brand: Bundle Test CA",
    `      fingerprintSha256: "${new X509Certificate(ca.pem).fingerprint256}"`,
    "      pem: |",
    indented,
    extra,
  ].join("\n");
}

function pullRequestEvent(changedFiles: number): unknown {
  const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{
    name: string;
    examples: Array<Record<string, unknown>>;
  }>;
  const opened = examples.find((e) => e.name === "pull_request")!.examples.find((e) => e.action === "opened")!;
  const event = structuredClone(opened) as {
    number: number;
    pull_request: Record<string, unknown> & { base: { sha: string } };
  };
  event.number = 2;
  event.pull_request.number = 2;
  event.pull_request.base.sha = BASE_SHA;
  event.pull_request.changed_files = changedFiles;
  return event;
}

interface Run {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

/** Runs the bundle as the runner would; inputs not given take their action.yml defaults. */
async function runBundle(
  workspace: string,
  options: { inputs?: Record<string, string>; event?: unknown; eventName?: string },
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "action-runner-"));
  const runnerTemp = join(dir, "temp");
  mkdirSync(runnerTemp);
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const eventPath = join(dir, "event.json");
  writeFileSync(eventPath, JSON.stringify(options.event ?? {}));

  const metadata = parseYaml(readFileSync(join(repoRoot, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: options.eventName ?? "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: "Codertocat/Hello-World",
    GITHUB_API_URL: apiUrl,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
  };
  for (const [name, input] of Object.entries(metadata.inputs)) {
    const value = options.inputs?.[name] ?? String(input.default ?? "").replace("${{ github.token }}", TOKEN);
    env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }

  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done, fail) => {
    // Asynchronous on purpose: the API server answers from this same process.
    const child = spawn(process.execPath, [bundle], { cwd: workspace, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", fail);
    child.on("close", (exitCode) => done({ code: exitCode, stdout: out }));
  });
  return {
    code,
    stdout,
    outputs: parseOutputs(readFileSync(outputFile, "utf8")),
    summary: readFileSync(summaryFile, "utf8"),
    runnerTemp,
  };
}

/** GITHUB_OUTPUT's heredoc format: name<<DELIMITER, value lines, DELIMITER. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

function workspaceWith(files: Record<string, string>): string {
  const workspace = mkdtempSync(join(tmpdir(), "action-workspace-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  return workspace;
}

const HOSTILE = "CN=<img src=x onerror=alert(1)> | `x` [link](https://evil.example)";

beforeAll(async () => {
  // The bundle is committed (check-dist keeps it fresh); its absence is a failure, not a skip.
  if (!existsSync(bundle)) throw new Error("action/dist/index.js is missing: run `npm run bundle`");
  root = await makeRoot({ name: "CN=Bundle Test Root", ...validFor(3650) });
  intermediate = await makeIntermediate(root, { name: "CN=Bundle Test Intermediate", ...validFor(1825) });
  server = createServer(handle);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
});

describe("action/dist/index.js run as the runner runs it", () => {
  it("fails on an invalid certificate and a private key, annotating the files and escaping the summary", async () => {
    const good = await makeLeaf(intermediate, { name: HOSTILE, ...validFor(365) });
    const serverOnly = await makeLeaf(intermediate, { cn: "device-2", eku: ["serverAuth"], ...validFor(365) });
    const keyPem = good.keyPem;
    const workspace = workspaceWith({
      "certificates/2/device-1.pem": good.pem + intermediate.pem,
      "certificates/2/device-2.pem": serverOnly.pem + intermediate.pem,
      "config/client.key": keyPem,
      "README.md": "# hello\n",
      // The head's own config trusts nothing extra: only the base one may be used.
      [CONFIG_PATH]: "certificates:\n  warnDays: 1\n",
    });
    api.files = [
      { filename: "certificates/2/device-1.pem", status: "added" },
      { filename: "certificates/2/device-2.pem", status: "added" },
      { filename: "certificates/2/gone.pem", status: "removed" },
      { filename: "config/client.key", status: "added" },
      { filename: "README.md", status: "modified" },
    ];
    api.config = configTrusting(root);
    api.requests = [];
    try {
      const run = await runBundle(workspace, { event: pullRequestEvent(api.files.length) });

      expect(run.code).toBe(1);
      expect(run.outputs["valid-count"]).toBe("1");
      expect(run.outputs["invalid-count"]).toBe("2");
      expect(run.outputs.report!.startsWith(run.runnerTemp)).toBe(true);

      // The JSON report has the CLI's --json shape.
      const report = JSON.parse(readFileSync(run.outputs.report!, "utf8")) as {
        files: Array<{
          path: string;
          verdict: string;
          certificate: { brand: string } | null;
          errors: Array<{ code: string }>;
        }>;
        summary: { valid: number; invalid: number };
      };
      expect(report.summary).toEqual({ valid: 1, invalid: 2 });
      const byPath = Object.fromEntries(report.files.map((f) => [f.path, f]));
      expect(byPath["certificates/2/device-1.pem"]).toMatchObject({
        verdict: "valid",
        certificate: { brand: "Bundle Test CA" },
      });
      expect(byPath["certificates/2/device-2.pem"]!.errors.map((e) => e.code)).toContain("missing-client-auth");
      expect(byPath["config/client.key"]!.errors.map((e) => e.code)).toEqual(["private-key"]);
      expect(byPath["README.md"]).toBeUndefined();

      // Annotations on the files, as workflow commands.
      expect(run.stdout).toMatch(/^::error title=missing-client-auth,file=certificates\/2\/device-2\.pem::/m);
      expect(run.stdout).toMatch(/^::error title=private-key,file=config\/client\.key::/m);
      expect(run.stdout).toMatch(
        /^::error::2 of 3 files failed the certificate check \(1 with private key material\)/m,
      );
      // No key material and no token anywhere in the log.
      expect(run.stdout).not.toContain("PRIVATE KEY");
      expect(run.stdout).not.toContain(keyPem.split("\n")[1]!);
      // The token shows only in the add-mask command, which the runner consumes and never prints.
      expect(run.stdout.split("\n").filter((line) => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`]);

      // The summary names the files, and the hostile subject is inert text.
      expect(run.summary).toContain("certificates/2/device-2.pem");
      expect(run.summary).toContain("config/client.key");
      expect(run.summary).not.toContain("<img");
      expect(run.summary).not.toContain("| `x`");
      expect(run.summary).not.toContain("[link](https");
      expect(run.summary).toContain("&#60;img src=x onerror=alert&#40;1&#41;");
      expect(run.summary).toContain(
        `Configuration: .github/onerecord-access.yml at ${BASE_SHA.slice(0, 12)} &#40;base&#41;`,
      );

      // The API was asked for the files and for the config at the base commit, with the token.
      expect(api.requests.map((r) => r.url)).toContainEqual(
        expect.stringMatching(/^\/repos\/Codertocat\/Hello-World\/pulls\/2\/files\?per_page=100/),
      );
      expect(api.requests.map((r) => r.url)).toContainEqual(
        expect.stringMatching(new RegExp(`/contents/.*onerecord-access\\.yml\\?ref=${BASE_SHA}$`)),
      );
      expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("passes when every changed certificate is valid, with warnings from warn-days and a fixed validation-time", async () => {
    const leaf = await makeLeaf(intermediate, { cn: "device-1", ...validFor(200) });
    const workspace = workspaceWith({ "certificates/2/device-1.pem": leaf.pem + intermediate.pem });
    api.files = [{ filename: "certificates/2/device-1.pem", status: "added" }];
    api.config = configTrusting(root);
    try {
      const run = await runBundle(workspace, {
        event: pullRequestEvent(1),
        inputs: { "warn-days": "365", "validation-time": new Date().toISOString() },
      });
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ "valid-count": "1", "invalid-count": "0" });
      expect(run.stdout).toMatch(/^::warning title=expires-soon,file=certificates\/2\/device-1\.pem::/m);
      expect(run.stdout).not.toMatch(/^::error/m);
      expect(run.summary).toContain("✅ 1 valid, 0 invalid");
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("does not trust a CA that only the pull request's own config adds", async () => {
    const leaf = await makeLeaf(intermediate, validFor(365));
    const workspace = workspaceWith({
      // The root rides along in the file too: roots come only from the allowlist and the base config.
      "certificates/2/device-1.pem": leaf.pem + intermediate.pem + root.pem,
      [CONFIG_PATH]: configTrusting(root),
    });
    api.files = [
      { filename: "certificates/2/device-1.pem", status: "added" },
      { filename: CONFIG_PATH, status: "added" },
    ];
    api.config = undefined; // no config on the base branch
    try {
      const run = await runBundle(workspace, { event: pullRequestEvent(2) });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^::error title=untrusted-root,file=certificates\/2\/device-1\.pem::/m);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("outside a pull request checks every matching file of the checkout, with its config", async () => {
    const one = await makeLeaf(intermediate, { cn: "a", ...validFor(365) });
    const two = await makeLeaf(intermediate, { cn: "b", ...validFor(365) });
    const workspace = workspaceWith({
      "certificates/5/a.pem": one.pem + intermediate.pem,
      "certificates/5/b.pem": two.pem + intermediate.pem,
      "certificates/5/B.pem": two.pem + intermediate.pem,
      [CONFIG_PATH]: configTrusting(root),
    });
    try {
      const run = await runBundle(workspace, { eventName: "push", event: { ref: "refs/heads/main" } });
      expect(run.code).toBe(1);
      expect(run.outputs).toMatchObject({ "valid-count": "1", "invalid-count": "2" });
      expect(run.stdout).toMatch(/^::error title=duplicate-device,file=certificates\/5\/B\.pem::/m);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("fails with a clear message naming a bad input, and no stack trace", async () => {
    const workspace = workspaceWith({});
    try {
      const bad = await runBundle(workspace, { event: pullRequestEvent(0), inputs: { mode: "mint-tokens" } });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        /^::error::Input "mode": unsupported mode; this version of the Action supports: validate-certificates, issue-tokens, obtain-certificates \(got "mint-tokens"\)$/m,
      );
      expect(bad.stdout).not.toMatch(/\bat .*\.js:\d+/);

      const days = await runBundle(workspace, { event: pullRequestEvent(0), inputs: { "warn-days": "soon" } });
      expect(days.code).toBe(1);
      expect(days.stdout).toMatch(/^::error::Input "warn-days": must be a whole number/m);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
