import "reflect-metadata";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangedFile } from "../../action/github.js";
import { selectFiles } from "../../action/validate-certificates/1-select-files.js";
import { validateSelection } from "../../action/validate-certificates/2-validate.js";
import { annotationsFor } from "../../action/validate-certificates/3-annotate.js";
import { renderSummary } from "../../action/validate-certificates/4-summarize.js";
import { globMatcher, listWorkspaceFiles, readWorkspaceFile } from "../../action/workspace.js";
import {
  DEFAULT_PATH_PATTERN,
  TrustStore,
  trustAnchorFromPem,
  type FileReport,
  type ValidationReport,
} from "../../src/certificates/index.js";
import { generateKeys, makeIntermediate, makeLeaf, makeRoot, validFor, type Issued } from "../helpers/pki.js";

const HOSTILE_SUBJECT = "CN=<img src=x onerror=alert(1)> | `rm` [x](https://evil.example) **bold**";

describe("1. selectFiles", () => {
  const matches = globMatcher(["certificates/**"]);
  const changed: ChangedFile[] = [
    { path: "certificates/7/device-1.pem", status: "added" },
    { path: "certificates/7/device-2.pem", status: "modified" },
    { path: "certificates/7/old.pem", status: "removed" },
    { path: "certificates/8/renamed.pem", status: "renamed" },
    { path: "README.md", status: "modified" },
    { path: "keys/id_rsa", status: "added" },
  ];
  const workspaceFiles = [
    "certificates/7/device-1.pem",
    "certificates/7/device-2.pem",
    "certificates/7/device-3.pem",
    "certificates/8/renamed.pem",
    "certificates/9/other.pem",
  ];

  it("on a pull request, validates the added and changed certificate files and scans every other changed file for keys", () => {
    const selection = selectFiles({ matches, changedOnly: true, changed, workspaceFiles });
    expect(selection.certificates).toEqual([
      "certificates/7/device-1.pem",
      "certificates/7/device-2.pem",
      "certificates/8/renamed.pem",
    ]);
    expect(selection.keyScan).toEqual(["README.md", "keys/id_rsa"]);
    // Unchanged files beside the changed ones give the layout its context (duplicates).
    expect(selection.layoutContext).toEqual(["certificates/7/device-3.pem"]);
  });

  it("without changed-only, validates every matching workspace file and still scans the PR's other files", () => {
    const selection = selectFiles({ matches, changedOnly: false, changed, workspaceFiles });
    expect(selection.certificates).toEqual(workspaceFiles);
    expect(selection.keyScan).toEqual(["README.md", "keys/id_rsa"]);
    expect(selection.layoutContext).toEqual([]);
  });

  it("outside a pull request there is nothing to scan beyond the certificate files", () => {
    const selection = selectFiles({ matches, changedOnly: false, changed: undefined, workspaceFiles });
    expect(selection.keyScan).toEqual([]);
  });
});

describe("2. validateSelection, 3. annotationsFor, 4. renderSummary (on a real workspace)", () => {
  let workspace: string;
  let outside: string;
  let root: Issued;
  let intermediate: Issued;
  let trust: TrustStore;
  let report: ValidationReport;
  let unscanned: Array<{ path: string; reason: string }>;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), "action-steps-"));
    outside = mkdtempSync(join(tmpdir(), "action-outside-"));
    root = await makeRoot({ name: "CN=Action Test Root", ...validFor(3650) });
    intermediate = await makeIntermediate(root, { name: "CN=Action Test Intermediate", ...validFor(1825) });
    trust = TrustStore.fromSources([trustAnchorFromPem(root.pem, "Test CA")]);
    const good = await makeLeaf(intermediate, validFor(365));
    const hostile = await makeLeaf(intermediate, { name: HOSTILE_SUBJECT, ...validFor(365) });
    const serverOnly = await makeLeaf(intermediate, { eku: ["serverAuth"], ...validFor(365) });

    const write = (path: string, text: string) => {
      mkdirSync(join(workspace, path, ".."), { recursive: true });
      writeFileSync(join(workspace, path), text);
    };
    write("certificates/7/device-1.pem", good.pem + intermediate.pem);
    write("certificates/7/hostile.pem", hostile.pem + intermediate.pem);
    write("certificates/7/server.pem", serverOnly.pem + intermediate.pem);
    write("certificates/7/Device-1.pem", (await makeLeaf(intermediate, validFor(365))).pem + intermediate.pem); // same device, other case
    write("certificates/notes.txt", "not a certificate");
    write("docs/readme.md", "# hello");
    write("deploy/client.key", good.keyPem);
    // basicConstraints whose DER body is 01:02:03: OpenSSL loads it, the extension decoder cannot.
    const malformed = await x509.X509CertificateGenerator.create({
      serialNumber: "0badbad0",
      subject: "CN=malformed",
      issuer: intermediate.cert.subject,
      ...validFor(365),
      publicKey: (await generateKeys("p-256")).publicKey,
      signingKey: intermediate.keys.privateKey,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      extensions: [new x509.Extension("2.5.29.19", true, new Uint8Array([1, 2, 3]))],
    });
    write("certificates/7/malformed.pem", malformed.toString("pem") + intermediate.pem);
    // Files that name the PEM armour without holding a key, as this repository's own PRs carry.
    write(
      ".env.example",
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n...replace me...\\n-----END RSA PRIVATE KEY-----\\n"\n',
    );
    write(
      "src/keys.ts",
      'export const PKCS8 = "-----BEGIN PRIVATE KEY-----";\nexport const ENCRYPTED = "-----BEGIN ENCRYPTED PRIVATE KEY-----";\n',
    );
    writeFileSync(join(outside, "secret.pem"), good.pem + intermediate.pem);
    symlinkSync(join(outside, "secret.pem"), join(workspace, "certificates/7/escape.pem"));

    const selection = selectFiles({
      matches: globMatcher(["certificates/**"]),
      changedOnly: true,
      changed: [
        { path: "certificates/7/device-1.pem", status: "added" },
        { path: "certificates/7/hostile.pem", status: "added" },
        { path: "certificates/7/server.pem", status: "added" },
        { path: "certificates/7/escape.pem", status: "added" },
        { path: "certificates/notes.txt", status: "added" },
        { path: "docs/readme.md", status: "modified" },
        { path: "deploy/client.key", status: "added" },
        { path: "certificates/7/malformed.pem", status: "added" },
        { path: ".env.example", status: "modified" },
        { path: "src/keys.ts", status: "modified" },
      ],
      workspaceFiles: listWorkspaceFiles(workspace, ["certificates/**"]),
    });
    ({ report, unscanned } = await validateSelection(selection, {
      root: workspace,
      trust,
      at: undefined,
      warnDays: 30,
      pattern: DEFAULT_PATH_PATTERN,
      read: (path) => readWorkspaceFile(workspace, path, 1024 * 1024),
    }));
  });

  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const byPath = (path: string): FileReport => {
    const file = report.files.find((f) => f.path === path);
    if (!file) throw new Error(`no report for ${path}: ${report.files.map((f) => f.path).join(", ")}`);
    return file;
  };
  const codes = (path: string) => byPath(path).errors.map((e) => e.code);

  it("reports the changed files only, not the context files", () => {
    expect(report.files.map((f) => f.path).sort()).toEqual([
      "certificates/7/device-1.pem",
      "certificates/7/escape.pem",
      "certificates/7/hostile.pem",
      "certificates/7/malformed.pem",
      "certificates/7/server.pem",
      "certificates/notes.txt",
      "deploy/client.key",
    ]);
  });

  it("reports a certificate whose extension does not decode as parse-error, beside the others", () => {
    expect(codes("certificates/7/malformed.pem")).toEqual(["parse-error"]);
    expect(byPath("certificates/7/hostile.pem").verdict).toBe("valid");
  });

  it("does not take a placeholder or a source line naming the PEM armour for a key", () => {
    expect(report.files.some((f) => f.path === ".env.example" || f.path === "src/keys.ts")).toBe(false);
  });

  it("finds a second file for an existing device through the unchanged sibling", () => {
    expect(codes("certificates/7/device-1.pem")).toEqual(["duplicate-device"]);
  });

  it("judges certificates with the library's codes", () => {
    expect(byPath("certificates/7/hostile.pem").verdict).toBe("valid");
    expect(codes("certificates/7/server.pem")).toContain("missing-client-auth");
    expect(codes("certificates/notes.txt")).toContain("device-mismatch");
  });

  it("refuses a symbolic link that leaves the workspace", () => {
    expect(byPath("certificates/7/escape.pem").verdict).toBe("invalid");
    expect(byPath("certificates/7/escape.pem").certificate).toBeNull();
  });

  it("refuses a private key anywhere in the pull request, without quoting it", () => {
    const file = byPath("deploy/client.key");
    expect(codes("deploy/client.key")).toEqual(["private-key"]);
    expect(file.errors[0]!.message).not.toMatch(/BEGIN|MII/);
    expect(report.files.some((f) => f.path === "docs/readme.md")).toBe(false);
    expect(unscanned).toEqual([]);
  });

  it("annotates each error and warning on its file with the code as title", () => {
    const annotations = annotationsFor(report);
    expect(annotations).toContainEqual(
      expect.objectContaining({ level: "error", file: "deploy/client.key", title: "private-key" }),
    );
    expect(annotations).toContainEqual(
      expect.objectContaining({ level: "error", file: "certificates/7/server.pem", title: "missing-client-auth" }),
    );
    const errors = report.files.reduce((n, f) => n + f.errors.length, 0);
    expect(annotations.filter((a) => a.level === "error")).toHaveLength(errors);
  });

  it("renders a summary table per file where certificate text is inert", () => {
    const html = renderSummary(report, {
      configSource: "defaults",
      changedOnly: true,
      validationTime: undefined,
      unscanned: [],
    });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("onerror=alert(1)>");
    expect(html).not.toMatch(/\| `rm`|\[x\]\(https/);
    expect(html).toContain("CN=&#60;img src=x onerror=alert&#40;1&#41;"); // inert text, shown as written
    expect(html).toContain("&#124; &#96;rm&#96;");
    expect(html.match(/<table>/g)).toHaveLength(report.files.length);
    expect(html).toContain(byPath("certificates/7/hostile.pem").certificate!.fingerprintSha256);
    expect(html).not.toMatch(/\n\s*\n/); // one HTML block: a blank line would re-enable Markdown
    // Invalid files come first.
    expect(html.indexOf("hostile.pem")).toBeGreaterThan(html.indexOf("server.pem"));
  });

  it("keeps the summary within a size budget and says what it left out", () => {
    const html = renderSummary(
      report,
      { configSource: "defaults", changedOnly: true, validationTime: undefined, unscanned: [] },
      1500,
    );
    expect(html.match(/<table>/g)?.length ?? 0).toBeLessThan(report.files.length);
    expect(html).toMatch(/more file\(s\) are left out/);
  });
});

describe("readWorkspaceFile", () => {
  it("does not follow links, nor read outside the workspace or past the size limit", () => {
    const workspace = mkdtempSync(join(tmpdir(), "action-read-"));
    try {
      writeFileSync(join(workspace, "big.bin"), Buffer.alloc(2048));
      symlinkSync("/etc/hostname", join(workspace, "link"));
      mkdirSync(join(workspace, "sub"));
      expect(readWorkspaceFile(workspace, "big.bin", 1024)).toEqual({ skipped: "larger than 1024 bytes" });
      expect(readWorkspaceFile(workspace, "link", 1024)).toEqual({ skipped: "a symbolic link" });
      expect(readWorkspaceFile(workspace, "../x", 1024)).toEqual({ skipped: "outside the workspace" });
      expect(readWorkspaceFile(workspace, "sub", 1024)).toEqual({ skipped: "not a regular file" });
      expect(readWorkspaceFile(workspace, "missing", 1024)).toEqual({ skipped: "not in the workspace" });
      expect(readWorkspaceFile(workspace, "big.bin", 4096)).toEqual({ bytes: Buffer.alloc(2048) });
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
