import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPrivateKeys, validateCertificateBytes, validatePaths, type TrustStore } from "../../src/certificates/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, opensshKey, pemFile, privateKeySamples, trustFor, type Issued, type PrivateKeySample } from "../helpers/pki.js";

/** Private keys are refused in any format, and their material never reaches a report. */

const samples = privateKeySamples();
let trust: TrustStore;
let leaf: Issued;
let intermediate: Issued;

beforeAll(async () => {
  const root = await makeRoot();
  intermediate = await makeIntermediate(root);
  leaf = await makeLeaf(intermediate);
  trust = trustFor(root);
});

function expectNoLeak(output: string, sample: PrivateKeySample): void {
  for (const secret of sample.secrets) {
    expect(output.includes(secret), `${sample.label} material leaked`).toBe(false);
    // Also no long run of it (a report that quotes part of a line leaks too).
    for (let i = 0; i + 24 <= secret.length; i += 24) expect(output.includes(secret.slice(i, i + 24))).toBe(false);
  }
}

it("covers every common private key format", () => {
  const labels = samples.map((s) => s.label);
  expect(labels).toEqual(
    expect.arrayContaining([
      "PKCS#8 PEM (RSA)",
      "PKCS#1 RSA PRIVATE KEY",
      "SEC1 EC PRIVATE KEY",
      "ENCRYPTED PRIVATE KEY",
      "DER PKCS#8 (RSA)",
      "JWK with d (EC)",
      "JWK with d (RSA)",
    ]),
  );
});

it.skipIf(opensshKey() === null)("has an OpenSSH key sample (ssh-keygen is installed)", () => {
  expect(samples.map((s) => s.label)).toContain("OPENSSH PRIVATE KEY");
  expect(opensshKey()).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
});

describe.each(samples.map((s) => [s.label, s] as const))("a file holding a %s", (_label, sample) => {
  it("is refused with private-key and nothing of the key is reported", () => {
    const report = validateCertificateBytes(sample.bytes, { path: "certificates/1/device-1.pem", trust, at: AT });
    expect(report.verdict).toBe("invalid");
    expect(report.errors.map((e) => e.code)).toEqual(["private-key"]);
    expect(report.certificate).toBeNull();
    expectNoLeak(JSON.stringify(report), sample);
  });

  it("is detected by findPrivateKeys", () => {
    expect(findPrivateKeys(sample.bytes).length).toBeGreaterThan(0);
  });
});

describe("a private key next to a certificate", () => {
  const pemSamples = samples.filter((s) => Buffer.from(s.bytes).toString("latin1").includes("-----BEGIN"));

  it.each(pemSamples.map((s) => [s.label, s] as const))("refuses a certificate file that also holds a %s", (_label, sample) => {
    const bytes = Buffer.concat([Buffer.from(pemFile(leaf, intermediate)), Buffer.from(sample.bytes)]);
    const report = validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT });
    expect(report.verdict).toBe("invalid");
    expect(report.errors.map((e) => e.code)).toContain("private-key");
    expectNoLeak(JSON.stringify(report), sample);
  });

  it("refuses a key placed before the certificate", () => {
    const sample = samples.find((s) => s.label === "PKCS#1 RSA PRIVATE KEY")!;
    const bytes = Buffer.concat([Buffer.from(sample.bytes), Buffer.from(pemFile(leaf, intermediate))]);
    expect(validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT }).errors.map((e) => e.code)).toContain("private-key");
  });
});

it("does not mistake a certificate or a public key for a private key", () => {
  expect(findPrivateKeys(pemFile(leaf, intermediate))).toEqual([]);
  expect(findPrivateKeys(leaf.der)).toEqual([]);
  expect(findPrivateKeys(Buffer.from('{"kty":"EC","crv":"P-256","x":"abc","y":"def"}'))).toEqual([]);
});

describe("through validatePaths", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "private-keys-"));
    mkdirSync(join(dir, "certificates", "7"), { recursive: true });
    samples.forEach((s, i) => writeFileSync(join(dir, "certificates", "7", `device-${i}.pem`), s.bytes));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses every key file of a folder and leaks none", async () => {
    const result = await validatePaths(["certificates"], { root: dir, trust, at: AT });
    expect(result.files).toHaveLength(samples.length);
    expect(result.summary).toEqual({ valid: 0, invalid: samples.length });
    for (const file of result.files) expect(file.errors.map((e) => e.code)).toEqual(["private-key"]);
    const json = JSON.stringify(result);
    for (const sample of samples) expectNoLeak(json, sample);
  });
});
