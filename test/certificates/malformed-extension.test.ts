import "reflect-metadata";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, validatePaths, type TrustStore } from "../../src/certificates/index.js";
import {
  AT,
  leafWithRawExtension,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/**
 * A certificate OpenSSL loads but whose extension bodies do not decode is one file's parse-error,
 * never an exception that ends the run and hides the other files' reports.
 */

let trust: TrustStore;
let intermediate: Issued;
let good: Uint8Array;

beforeAll(async () => {
  const root = await makeRoot({ cn: "Malformed Test Root" });
  intermediate = await makeIntermediate(root, { cn: "Malformed Test CA" });
  trust = trustFor(root);
  good = pemFile(await makeLeaf(intermediate, { cn: "good-device" }), intermediate);
});

const MALFORMED: Array<[string, string, number[]]> = [
  ["basicConstraints 01:02:03", "2.5.29.19", [0x01, 0x02, 0x03]],
  ["basicConstraints with a truncated SEQUENCE", "2.5.29.19", [0x30, 0x03, 0x01, 0x01]],
  ["keyUsage 01:02:03", "2.5.29.15", [0x01, 0x02, 0x03]],
  ["extKeyUsage 01:02:03", "2.5.29.37", [0x01, 0x02, 0x03]],
];

describe.each(MALFORMED)("a leaf with a malformed %s", (_label, oid, value) => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = pemFile(await leafWithRawExtension(intermediate, oid, value), intermediate);
  });

  it("is a parse-error of its file from validateCertificateBytes, not an exception", () => {
    const report = validateCertificateBytes(bytes, { path: "certificates/3/bad.pem", trust, at: AT });
    expect(report.verdict).toBe("invalid");
    expect(report.errors.map((e) => e.code)).toEqual(["parse-error"]);
    expect(report.errors[0]!.message).toMatch(/does not decode/);
    expect(report.certificate).toBeNull();
  });

  it("as an intermediate in the file, is a parse-error too", () => {
    const leaf = validateCertificateBytes(good, { path: "x.pem", trust, at: AT });
    expect(leaf.verdict).toBe("valid");
    const withBadCa = Buffer.concat([Buffer.from(good), Buffer.from(bytes)]);
    expect(validateCertificateBytes(withBadCa, { path: "x.pem", trust, at: AT }).errors.map((e) => e.code)).toEqual([
      "parse-error",
    ]);
  });
});

describe("validatePaths over a folder holding one malformed certificate", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "malformed-extension-"));
    mkdirSync(join(dir, "certificates", "3"), { recursive: true });
    writeFileSync(
      join(dir, "certificates", "3", "bad.pem"),
      pemFile(await leafWithRawExtension(intermediate, "2.5.29.19", [1, 2, 3]), intermediate),
    );
    writeFileSync(join(dir, "certificates", "3", "good.pem"), good);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the malformed file as parse-error and still judges the valid one beside it", async () => {
    const result = await validatePaths(["certificates"], {
      root: dir,
      trust,
      at: AT,
      pattern: "certificates/{request}/{device}.pem",
    });
    expect(result.files.map((f) => [f.path, f.verdict, f.errors.map((e) => e.code)])).toEqual([
      ["certificates/3/bad.pem", "invalid", ["parse-error"]],
      ["certificates/3/good.pem", "valid", []],
    ]);
    expect(result.summary).toEqual({ valid: 1, invalid: 1 });
  });
});
