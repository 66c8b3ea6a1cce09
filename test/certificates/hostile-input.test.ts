import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  validateCertificateBytes,
  validatePaths,
  type FileReport,
  type TrustStore,
} from "../../src/certificates/index.js";
import {
  AT,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  privateKeySamples,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/**
 * Hostile and broken input: every case must come back as a report with the right code — no
 * exception, no hang (no timing assertions: finishing at all is the test).
 */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();

let root: Issued;
let intermediate: Issued;
let leaf: Issued;
let trust: TrustStore;

beforeAll(async () => {
  root = await makeRoot({ cn: "Hostile Root" });
  intermediate = await makeIntermediate(root, { cn: "Hostile Issuing CA" });
  leaf = await makeLeaf(intermediate);
  trust = trustFor(root);
});

function validate(bytes: Uint8Array): FileReport {
  return validateCertificateBytes(bytes, { path: "certificates/1/device-1.pem", trust, at: AT });
}

/** Deterministic pseudo-random bytes (a linear congruential generator), never starting like DER. */
function garbage(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0xff;
  return out;
}

const wrapPem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe("parse-error", () => {
  it.each([
    ["an empty file", () => new Uint8Array()],
    ["garbage bytes", () => garbage(4096)],
    ["a single byte", () => Uint8Array.of(0x30)],
    ["plain text", () => Buffer.from("this is not a certificate\n")],
    ["NUL bytes", () => new Uint8Array(1000)],
    ["only a BOM", () => Uint8Array.of(0xef, 0xbb, 0xbf)],
    ["whitespace", () => Buffer.from("\r\n\r\n   \t\n")],
    [
      "UTF-16 text of a PEM",
      () => Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "utf16le"),
    ],
  ])("reports %s", (_label, bytes) => {
    const report = validate(bytes());
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["parse-error"]);
    expect(report.certificate).toBeNull();
  });

  it("reports a PEM cut in the middle (no END line)", () => {
    const pem = leaf.pem;
    expect(codes(validate(Buffer.from(pem.slice(0, Math.floor(pem.length / 2)))))).toEqual(["parse-error"]);
  });

  it("reports a PEM whose body was truncated but keeps its END line", () => {
    const lines = leaf.pem.trim().split("\n");
    const cut = [...lines.slice(0, 4), lines.at(-1)!].join("\n");
    expect(codes(validate(Buffer.from(cut)))).toEqual(["parse-error"]);
  });

  it("reports a complete leaf followed by a truncated intermediate", () => {
    const bytes = Buffer.from(leaf.pem + intermediate.pem.slice(0, 200));
    expect(codes(validate(bytes))).toEqual(["parse-error"]);
  });

  it("reports a truncated DER certificate", () => {
    expect(codes(validate(leaf.der.slice(0, leaf.der.length - 10)))).toEqual(["parse-error"]);
  });

  it("reports DER with trailing bytes", () => {
    expect(codes(validate(Buffer.concat([leaf.der, Buffer.from([0, 0, 0])])))).toEqual(["parse-error"]);
  });

  it("reports a PEM block of non-base64 text", () => {
    expect(codes(validate(Buffer.from(wrapPem("CERTIFICATE", "@@@ not base64 !!!"))))).toEqual(["parse-error"]);
  });

  it("reports a PEM block holding DER that is not a certificate", () => {
    const notACert = Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]).toString("base64");
    expect(codes(validate(Buffer.from(wrapPem("CERTIFICATE", notACert))))).toEqual(["parse-error"]);
  });

  it("reports a DER SEQUENCE that is not a certificate", () => {
    expect(codes(validate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05)))).toEqual(["parse-error"]);
  });

  it("reports deeply nested ASN.1", () => {
    const depth = 2000;
    const bytes: number[] = [];
    // Indefinite-length nesting is not DER; neither crashes the decoder.
    for (let i = 0; i < depth; i++) bytes.push(0x30, 0x80);
    for (let i = 0; i < depth; i++) bytes.push(0x00, 0x00);
    expect(codes(validate(Uint8Array.from(bytes)))).toEqual(["parse-error"]);
    expect(codes(validate(Buffer.from(wrapPem("CERTIFICATE", Buffer.from(bytes).toString("base64")))))).toEqual([
      "parse-error",
    ]);
  });

  it("reports a public key or a CSR where a certificate belongs", () => {
    expect(codes(validate(Buffer.from(wrapPem("PUBLIC KEY", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"))))).toEqual([
      "parse-error",
    ]);
    expect(codes(validate(Buffer.from(wrapPem("CERTIFICATE REQUEST", "MIIBAA=="))))).toEqual(["parse-error"]);
  });

  it("reports a certificate PEM with a mismatched END label", () => {
    const broken = leaf.pem.replace("-----END CERTIFICATE-----", "-----END X509 CRL-----");
    expect(codes(validate(Buffer.from(broken)))).toEqual(["parse-error"]);
  });

  it("reports a huge file (5 MB) without reading it as certificates", () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, "A");
    huge.write("-----BEGIN CERTIFICATE-----\n", 0);
    huge.write("\n-----END CERTIFICATE-----\n", huge.length - 30);
    const report = validate(huge);
    expect(codes(report)).toEqual(["parse-error"]);
    expect(report.errors[0]!.message.length).toBeLessThan(500);
  });

  it("reports a huge file of repeated real certificates", () => {
    const copies = Math.ceil((5 * 1024 * 1024) / leaf.pem.length);
    expect(codes(validate(Buffer.from(leaf.pem.repeat(copies))))).toEqual(["parse-error"]);
  });

  it("reports thousands of (tiny) PEM blocks", () => {
    const block = wrapPem("CERTIFICATE", "MA==");
    expect(codes(validate(Buffer.from(block.repeat(5000))))).toEqual(["parse-error"]);
  });

  it("reports thousands of BEGIN lines without END", () => {
    expect(codes(validate(Buffer.from("-----BEGIN CERTIFICATE-----\n".repeat(5000))))).toEqual(["parse-error"]);
  });

  it("reports a long run of dashes and near-miss armour", () => {
    expect(codes(validate(Buffer.from("-----BEGIN ".repeat(20000).slice(0, 200_000))))).toEqual(["parse-error"]);
    expect(codes(validate(Buffer.from("-".repeat(200_000))))).toEqual(["parse-error"]);
  });

  it("reports dozens of copies of a valid leaf (more certificates than any real chain)", () => {
    expect(codes(validate(Buffer.from(leaf.pem.repeat(50))))).toEqual(["parse-error"]);
  });

  it("accepts the same leaf twice (a harmless duplicate)", () => {
    const report = validate(pemFile(leaf, intermediate, intermediate));
    expect(report.verdict).toBe("valid");
  });
});

describe("certificate fields are shown safely", () => {
  it("escapes control characters in subjects", async () => {
    const sneaky = await makeLeaf(intermediate, { name: [{ CN: ["device\u001b[31m\r\nverdict: VALID\u202e"] }] });
    const report = validate(pemFile(sneaky, intermediate));
    const unsafe = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f" || c === "\u202e");
    expect(unsafe(report.certificate!.subject)).toBe(false);
    expect(report.certificate!.subject).toMatch(/^CN=device.*verdict: VALID/);
    for (const message of report.errors.map((e) => e.message)) expect(unsafe(message)).toBe(false);
  });
});

describe("validatePaths: files, folders and symlinks", () => {
  let base: string;
  let workspace: string;
  let outside: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "hostile-paths-"));
    workspace = join(base, "workspace");
    outside = join(base, "outside");
    mkdirSync(join(workspace, "certificates", "1"), { recursive: true });
    mkdirSync(join(workspace, "certificates", "2"), { recursive: true });
    mkdirSync(outside, { recursive: true });

    writeFileSync(join(workspace, "certificates", "1", "device-1.pem"), pemFile(leaf, intermediate));
    // Outside the workspace: a private key, so reading it would show up as private-key.
    const key = privateKeySamples().find((s) => s.label === "PKCS#1 RSA PRIVATE KEY")!;
    writeFileSync(join(outside, "secret.pem"), key.bytes);
    mkdirSync(join(outside, "dir"));
    writeFileSync(join(outside, "dir", "other.pem"), key.bytes);

    symlinkSync(join(outside, "secret.pem"), join(workspace, "certificates", "1", "device-2.pem"));
    symlinkSync("../../../outside/secret.pem", join(workspace, "certificates", "2", "relative.pem"));
    symlinkSync(join(outside, "dir"), join(workspace, "certificates", "3"));
    mkdirSync(join(workspace, "store"));
    writeFileSync(join(workspace, "store", "device-9.pem"), pemFile(leaf, intermediate));
    symlinkSync(join(workspace, "store", "device-9.pem"), join(workspace, "certificates", "2", "inside-link.pem"));
    symlinkSync(join(base, "nowhere.pem"), join(workspace, "certificates", "2", "dangling.pem"));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const byPath = (files: FileReport[]) => new Map(files.map((f) => [f.path, f]));

  it("refuses symlinks that lead out of the workspace, without reading them", async () => {
    const result = await validatePaths(["certificates"], { root: workspace, trust, at: AT });
    const files = byPath(result.files);

    for (const path of ["certificates/1/device-2.pem", "certificates/2/relative.pem", "certificates/3"]) {
      const report = files.get(path);
      expect(report, path).toBeDefined();
      expect(report!.verdict).toBe("invalid");
      expect(report!.certificate).toBeNull();
      expect(report!.errors).toHaveLength(1);
      expect(report!.errors[0]!.code, path).not.toBe("private-key");
      expect(report!.errors[0]!.message).toMatch(/outside/);
    }
    // Nothing under the linked-out folder was walked.
    expect([...files.keys()].some((p) => p.includes("other.pem"))).toBe(false);
    expect(JSON.stringify(result)).not.toContain("RSA PRIVATE KEY");
  });

  it("follows symlinks that stay inside the workspace", async () => {
    const result = await validatePaths(["certificates"], { root: workspace, trust, at: AT });
    const files = byPath(result.files);
    expect(files.get("certificates/1/device-1.pem")?.verdict).toBe("valid");
    expect(files.get("certificates/2/inside-link.pem")?.verdict).toBe("valid");
  });

  it("follows a symlink inside the workspace given directly", async () => {
    const result = await validatePaths(["certificates/2/inside-link.pem"], { root: workspace, trust, at: AT });
    expect(result.files.map((f) => [f.path, f.verdict])).toEqual([["certificates/2/inside-link.pem", "valid"]]);
  });

  it("reports a symlink that makes one device's certificate another's (duplicate-device), not drops it", async () => {
    const dupRoot = mkdtempSync(join(base, "dup-"));
    mkdirSync(join(dupRoot, "certificates", "1"), { recursive: true });
    mkdirSync(join(dupRoot, "certificates", "2"), { recursive: true });
    writeFileSync(join(dupRoot, "certificates", "1", "dev-a.pem"), pemFile(leaf, intermediate));
    symlinkSync("../1/dev-a.pem", join(dupRoot, "certificates", "2", "dev-b.pem"));
    const result = await validatePaths(["certificates"], {
      root: dupRoot,
      trust,
      at: AT,
      pattern: "certificates/{request}/{device}.pem",
    });
    const files = byPath(result.files);
    expect([...files.keys()].sort()).toEqual(["certificates/1/dev-a.pem", "certificates/2/dev-b.pem"]);
    expect(codes(files.get("certificates/2/dev-b.pem")!)).toContain("duplicate-device");
    expect(result.summary.invalid).toBeGreaterThan(0);
  });

  it("reports a dangling symlink as an error", async () => {
    const result = await validatePaths(["certificates/2/dangling.pem"], { root: workspace, trust, at: AT });
    expect(result.files).toHaveLength(1);
    expect(result.files[0]!.verdict).toBe("invalid");
    expect(result.files[0]!.errors).toHaveLength(1);
  });

  it("refuses a path argument that climbs out of the root", async () => {
    const result = await validatePaths(["../outside/secret.pem"], { root: workspace, trust, at: AT });
    expect(result.files).toHaveLength(1);
    expect(result.files[0]!.verdict).toBe("invalid");
    expect(result.files[0]!.errors.map((e) => e.code)).not.toContain("private-key");
  });

  it("reports a missing path instead of throwing", async () => {
    const result = await validatePaths(["certificates/9/nope.pem"], { root: workspace, trust, at: AT });
    expect(result.summary).toEqual({ valid: 0, invalid: 1 });
    expect(result.files[0]!.errors).toHaveLength(1);
  });

  it("refuses a huge file on disk", async () => {
    const hugeDir = join(base, "huge");
    mkdirSync(hugeDir);
    writeFileSync(join(hugeDir, "big.pem"), Buffer.alloc(5 * 1024 * 1024, "A"));
    const result = await validatePaths(["big.pem"], { root: hugeDir, trust, at: AT });
    expect(result.files[0]!.errors.map((e) => e.code)).toEqual(["parse-error"]);
  });

  it("without a root, reads the files it is given", async () => {
    const result = await validatePaths([join(workspace, "certificates", "1", "device-1.pem")], { trust, at: AT });
    expect(result.summary).toEqual({ valid: 1, invalid: 0 });
  });
});
