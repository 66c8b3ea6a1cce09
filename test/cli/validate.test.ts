import "reflect-metadata";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/dispatch.js";
import {
  AT,
  DAY,
  leafWithRawExtension,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  privateKeySamples,
  type Issued,
  type PrivateKeySample,
} from "../helpers/pki.js";

/**
 * `onerecord-access validate [--json] [--at ISO] [--trust ROOT.pem]... PATH...` from a folder of
 * certificate files: in-process through the real dispatcher (`main`, as src/cli/main.ts calls
 * it), and a few runs as a customer runs it, a child process
 * `node --import tsx src/cli/main.ts validate …` (its exit codes and streams). Each child process
 * costs a Node start and a TypeScript load, a second or more on a busy machine: the cases that
 * judge output run in-process.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const entry = path.join(repoRoot, "src/cli/main.ts");
// Resolved to a URL so the child can run in any working directory.
const tsx = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** In-process, from `cwd` (paths on the command line are relative to it, as a customer's are). */
async function cli(args: string[], cwd: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(["validate", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}

/** As a customer runs it: a child process, its exit code and its two streams. */
function spawnCli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, entry, "validate", ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface JsonReport {
  files: Array<{
    path: string;
    verdict: "valid" | "invalid";
    certificate: Record<string, unknown> | null;
    errors: Array<{ code: string; message: string }>;
    warnings: Array<{ code: string; message: string }>;
    request?: number;
    device?: string;
  }>;
  summary: { valid: number; invalid: number };
}

const json = (run: Run) => JSON.parse(run.stdout) as JsonReport;
const codesOf = (file: JsonReport["files"][number]) => [...new Set(file.errors.map((e) => e.code))].sort();
const noStackTrace = (run: Run) => {
  expect(run.stderr).not.toMatch(/\n\s+at .+[(:]\d+/);
  expect(run.stdout).not.toMatch(/\n\s+at .+[(:]\d+/);
};

const ISO_AT = AT.toISOString();
let dir: string;
let root: Issued;
let leaf: Issued;
let intermediate: Issued;
let keySample: PrivateKeySample;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "cli-validate-"));
  root = await makeRoot({ cn: "CLI Test Root" });
  intermediate = await makeIntermediate(root, { cn: "CLI Issuing CA" });
  leaf = await makeLeaf(intermediate, { cn: "gateway-01" });
  const serverOnly = await makeLeaf(intermediate, { cn: "server-only", eku: ["serverAuth"] });
  const soon = await makeLeaf(intermediate, {
    cn: "soon",
    notBefore: new Date(AT.getTime() - 300 * DAY),
    notAfter: new Date(AT.getTime() + 10 * DAY),
  });
  keySample = privateKeySamples().find((s) => s.label === "PKCS#8 PEM (EC)")!;

  const write = (file: string, bytes: Uint8Array | string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), bytes);
  };
  write("root.pem", root.pem);
  write("not-a-cert.pem", "hello\n");
  write("valid/device.pem", pemFile(leaf, intermediate));
  write("valid/device.der", (await makeLeaf(root, { cn: "der-device" })).der);
  write("invalid/server-only.pem", pemFile(serverOnly, intermediate));
  write("soon.pem", pemFile(soon, intermediate));
  write("key.pem", keySample.bytes);
  const sneaky = await makeLeaf(intermediate, {
    name: [{ CN: ["evil\u001b[2J\u001b[32m\r\n  verdict  VALID\u202e"] }],
    eku: ["serverAuth"],
  });
  write("sneaky.pem", pemFile(sneaky, intermediate));
  write("garbage.pem", Buffer.from([0xff, 0x00, 0x13, 0x37, 0x30, 0x82, 0xff, 0xff]));
  write("certificates/12/gateway-01.pem", pemFile(leaf, intermediate));
  write("certificates/12/bad name.pem", pemFile(leaf, intermediate));
  write("certificates/13/\u001b[2J\u001b[31mVALID.pem", pemFile(leaf, intermediate));
  // basicConstraints whose DER body is 01:02:03: OpenSSL loads the certificate, the decoder cannot.
  const malformed = await leafWithRawExtension(intermediate, "2.5.29.19", [1, 2, 3]);
  write("malformed/bad.pem", pemFile(malformed, intermediate));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("as a customer runs it: a child process", () => {
  it("exits 0 and prints the verdict for a valid certificate", async () => {
    const run = await spawnCli(["--at", ISO_AT, "--trust", "root.pem", "valid/device.pem"], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/verdict\s+VALID/);
    expect(run.stdout).toContain("1 valid, 0 invalid");
  });

  it("exits 1 for an invalid certificate, without a stack trace", async () => {
    const run = await spawnCli(["--json", "--at", ISO_AT, "--trust", "root.pem", "valid", "invalid"], dir);
    expect(run.code).toBe(1);
    expect(json(run).summary).toEqual({ valid: 2, invalid: 1 });
    noStackTrace(run);
  });

  it("exits 2 for a usage error, on stderr only", async () => {
    const run = await spawnCli(["--at", "2026-02-30", "valid/device.pem"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.length).toBeGreaterThan(0);
    expect(run.stdout).toBe("");
    noStackTrace(run);
  });
});

describe("exit codes and output", () => {
  it("exits 0 and prints subject, brand, fingerprint and verdict for a valid certificate", async () => {
    const run = await cli(["--at", ISO_AT, "--trust", "root.pem", "valid/device.pem"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("valid/device.pem");
    expect(run.stdout).toContain("CN=gateway-01");
    expect(run.stdout).toContain("root.pem"); // the brand of a --trust root names its file
    expect(run.stdout).toContain(new X509Certificate(leaf.der).fingerprint256);
    expect(run.stdout).toMatch(/verdict\s+VALID/);
    expect(run.stdout).toContain("1 valid, 0 invalid");
  });

  it("exits 0 for a folder of valid PEM and DER files (recursive)", async () => {
    const run = await cli(["--json", "--at", ISO_AT, "--trust", "root.pem", "valid"], dir);
    expect(run.code).toBe(0);
    const report = json(run);
    expect(report.files.map((f) => f.path).sort()).toEqual(["valid/device.der", "valid/device.pem"]);
    expect(report.summary).toEqual({ valid: 2, invalid: 0 });
  });

  it("exits 1 and prints the reasons for an invalid certificate", async () => {
    const run = await cli(["--at", ISO_AT, "--trust", "root.pem", "invalid/server-only.pem"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/verdict\s+INVALID/);
    expect(run.stdout).toContain("missing-client-auth");
    expect(run.stdout).toContain("0 valid, 1 invalid");
    noStackTrace(run);
  });

  it("exits 1 when any of several files is invalid", async () => {
    const run = await cli(["--json", "--at", ISO_AT, "--trust", "root.pem", "valid", "invalid"], dir);
    expect(run.code).toBe(1);
    expect(json(run).summary).toEqual({ valid: 2, invalid: 1 });
  });

  it("without --trust, a test root is not an approved CA", async () => {
    const run = await cli(["--json", "--at", ISO_AT, "valid/device.pem"], dir);
    expect(run.code).toBe(1);
    const [file] = json(run).files;
    expect(codesOf(file!)).toEqual(["untrusted-root"]);
    expect(file!.certificate?.brand).toBeNull();
  });

  it("--at decides the validation time", async () => {
    const later = new Date(AT.getTime() + 400 * DAY).toISOString();
    const run = await cli(["--json", "--at", later, "--trust", "root.pem", "valid/device.pem"], dir);
    expect(run.code).toBe(1);
    expect(codesOf(json(run).files[0]!)).toEqual(["expired"]);
  });

  it("--at takes a date alone, and February 29 of a leap year", async () => {
    expect((await cli(["--at", "2026-06-01", "--trust", "root.pem", "valid/device.pem"], dir)).code).toBe(0);
    const leap = await cli(["--json", "--at", "2028-02-29T00:00:00Z", "--trust", "root.pem", "valid/device.pem"], dir);
    expect(codesOf(json(leap).files[0]!)).toEqual(["expired"]);
  });

  it("--warn-days sets the expires-soon window", async () => {
    const warned = json(
      await cli(["--json", "--at", ISO_AT, "--trust", "root.pem", "--warn-days", "30", "soon.pem"], dir),
    );
    expect(warned.files[0]!.verdict).toBe("valid");
    expect(warned.files[0]!.warnings.map((w) => w.code)).toEqual(["expires-soon"]);
    const quiet = await cli(["--json", "--at", ISO_AT, "--trust", "root.pem", "--warn-days", "5", "soon.pem"], dir);
    expect(quiet.code).toBe(0);
    expect(json(quiet).files[0]!.warnings).toEqual([]);
  });
});

describe("--json", () => {
  it("has the documented shape", async () => {
    const run = await cli(
      ["--json", "--at", ISO_AT, "--trust", "root.pem", "valid/device.pem", "invalid/server-only.pem"],
      dir,
    );
    const report = json(run);
    expect(Object.keys(report).sort()).toEqual(["files", "skipped", "summary", "validatedAt"]);
    expect((report as unknown as { validatedAt: string }).validatedAt).toBe(ISO_AT);
    expect(report.summary).toEqual({ valid: 1, invalid: 1 });
    for (const file of report.files) {
      expect(file).toEqual(
        expect.objectContaining({
          path: expect.any(String),
          verdict: expect.stringMatching(/^(valid|invalid)$/),
          errors: expect.any(Array),
          warnings: expect.any(Array),
        }),
      );
      expect(file.certificate).toEqual(
        expect.objectContaining({
          subject: expect.any(String),
          issuer: expect.any(String),
          notBefore: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          notAfter: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
        }),
      );
      expect(file.certificate).toHaveProperty("brand");
      for (const finding of [...file.errors, ...file.warnings])
        expect(Object.keys(finding).sort()).toEqual(["code", "message"]);
    }
    const [valid, invalid] = report.files;
    expect(valid).toMatchObject({
      path: "valid/device.pem",
      verdict: "valid",
      errors: [],
      certificate: { subject: "CN=gateway-01", issuer: "CN=CLI Issuing CA" },
    });
    expect(invalid).toMatchObject({ path: "invalid/server-only.pem", verdict: "invalid" });
    expect(codesOf(invalid!)).toEqual(["missing-client-auth"]);
  });

  it("ties files under certificates/<request>/<device>.pem to their request and device", async () => {
    const run = await cli(["--json", "--at", ISO_AT, "--trust", "root.pem", "certificates"], dir);
    const byPath = new Map(json(run).files.map((f) => [f.path, f]));
    expect(byPath.get("certificates/12/gateway-01.pem")).toMatchObject({ request: 12, device: "gateway-01" });
    // Same certificate in both files: the badly named one breaks the pattern, so only it is flagged.
    expect(codesOf(byPath.get("certificates/12/bad name.pem")!)).toContain("device-mismatch");
    expect(run.code).toBe(1);
  });
});

describe("bad input", () => {
  it("refuses a private key file with private-key and never prints key material", async () => {
    for (const args of [["--json"], []]) {
      const run = await cli([...args, "--at", ISO_AT, "--trust", "root.pem", "key.pem"], dir);
      expect(run.code).toBe(1);
      const output = run.stdout + run.stderr;
      expect(output).toContain("private-key");
      for (const secret of keySample.secrets) expect(output).not.toContain(secret);
      expect(output).not.toContain("BEGIN PRIVATE KEY");
      noStackTrace(run);
    }
  });

  it("reports garbage and non-certificates as parse-error, without a stack trace", async () => {
    const run = await cli(["--json", "--at", ISO_AT, "garbage.pem", "not-a-cert.pem"], dir);
    expect(run.code).toBe(1);
    expect(json(run).files.map(codesOf)).toEqual([["parse-error"], ["parse-error"]]);
    noStackTrace(run);
  });

  it("reports a certificate whose extension does not decode as parse-error and still judges the other files", async () => {
    const run = await cli(
      ["--json", "--at", ISO_AT, "--trust", "root.pem", "malformed/bad.pem", "valid/device.pem"],
      dir,
    );
    expect(run.code).toBe(1);
    expect(json(run).files.map((f) => [f.path, f.verdict, codesOf(f)])).toEqual([
      ["malformed/bad.pem", "invalid", ["parse-error"]],
      ["valid/device.pem", "valid", []],
    ]);
    expect(run.stderr).toBe("");
    noStackTrace(run);
  });

  it("never lets control characters from a file name reach the terminal", async () => {
    const run = await cli(["--at", ISO_AT, "--trust", "root.pem", "certificates/13"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("device-mismatch");
    expect(run.stdout).toContain("\\u001b[2J");
    expect([...run.stdout].filter((c) => c !== "\n" && c.charCodeAt(0) < 0x20)).toEqual([]);
  });

  it("never lets control characters from a certificate reach the terminal", async () => {
    const run = await cli(["--at", ISO_AT, "--trust", "root.pem", "sneaky.pem"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("evil");
    expect([...run.stdout].filter((c) => c !== "\n" && (c.charCodeAt(0) < 0x20 || c === "\u202e"))).toEqual([]);
    expect(run.stdout).not.toMatch(/^\s+verdict\s+VALID/m);
  });

  it("reports a missing file without a stack trace", async () => {
    const run = await cli(["--at", ISO_AT, "does-not-exist.pem"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain("does-not-exist.pem");
    noStackTrace(run);
  });
});

describe("usage errors exit 2", () => {
  it.each([
    ["an unknown flag", ["--frobnicate", "valid/device.pem"]],
    ["a bad --at", ["--at", "yesterday", "valid/device.pem"]],
    ["a bad --at date", ["--at", "2026-13-45T00:00:00Z", "valid/device.pem"]],
    ["an --at date not on the calendar", ["--at", "2026-02-30", "valid/device.pem"]],
    ["an --at time with February 30", ["--at", "2026-02-30T12:00:00Z", "valid/device.pem"]],
    ["an --at of April 31", ["--at", "2026-04-31T00:00:00Z", "valid/device.pem"]],
    ["an --at of February 29 in a common year", ["--at", "2026-02-29", "valid/device.pem"]],
    ["an --at hour 24", ["--at", "2026-01-01T24:00:00Z", "valid/device.pem"]],
    ["no paths", ["--json"]],
    ["--at without a value", ["valid/device.pem", "--at"]],
    ["a bad --warn-days", ["--warn-days", "soon", "valid/device.pem"]],
    ["a --trust file that is not a certificate", ["--trust", "not-a-cert.pem", "valid/device.pem"]],
    ["a --trust file that does not exist", ["--trust", "missing-root.pem", "valid/device.pem"]],
  ])("%s", async (_label, args) => {
    const run = await cli(args, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.length).toBeGreaterThan(0);
    expect(run.stdout).toBe("");
    noStackTrace(run);
  });
});
