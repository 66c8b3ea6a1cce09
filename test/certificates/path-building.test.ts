import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, type FileReport, type TrustStore } from "../../src/certificates/index.js";
import {
  AT,
  DAY,
  generateKeys,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/**
 * Valid chains the greedy path builder refused: backtracking over candidate issuers (RFC 4158)
 * and RFC 5280 §6.1.4 (l) for self-issued certificates.
 */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();
const validate = (bytes: Uint8Array, trust: TrustStore): FileReport =>
  validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT });

let root: Issued;
let trust: TrustStore;

beforeAll(async () => {
  root = await makeRoot({ cn: "Backtrack Root", basicConstraints: { ca: true, pathLength: 1 } });
  trust = trustFor(root);
});

describe("self-issued intermediates and pathLenConstraint (RFC 5280 §6.1.4 (l))", () => {
  it("accepts root pathlen:1 → intermediate → its key-rollover self-issued copy → leaf", async () => {
    const intermediate = await makeIntermediate(root, { cn: "Rollover CA" });
    // The new key of the same CA, certified by the old key: same name as subject and issuer.
    const rollover = await makeIntermediate(intermediate, { cn: "Rollover CA" });
    const leaf = await makeLeaf(rollover);
    const report = validate(pemFile(leaf, rollover, intermediate), trust);
    expect(report.errors).toEqual([]);
    expect(report.certificate?.chain).toEqual(["CN=Rollover CA", "CN=Rollover CA", "CN=Backtrack Root"]);
  });

  it("still counts an intermediate that is not self-issued", async () => {
    const first = await makeIntermediate(root, { cn: "First CA" });
    const second = await makeIntermediate(first, { cn: "Second CA" });
    const third = await makeIntermediate(second, { cn: "Third CA" });
    const leaf = await makeLeaf(third);
    expect(codes(validate(pemFile(leaf, third, second, first), trust))).toEqual(["path-length"]);
  });
});

describe("backtracking over candidate issuers", () => {
  it("finds the approved path when the unapproved cross-certificate is listed first", async () => {
    const other = await makeRoot({ cn: "Unapproved Root" });
    const keys = await generateKeys("p-256");
    const viaApproved = await makeIntermediate(root, { cn: "Cross CA", keys });
    const viaOther = await makeIntermediate(other, { cn: "Cross CA", keys });
    const leaf = await makeLeaf(viaApproved);
    const report = validate(pemFile(leaf, viaOther, viaApproved), trust);
    expect(report.errors).toEqual([]);
    expect(report.certificate?.brand).toBe("Test CA");
    // Without the approved copy, the unapproved path is what is reported.
    expect(codes(validate(pemFile(leaf, viaOther), trust))).toEqual(["untrusted-root"]);
  });

  it("uses the renewed copy of an intermediate when an expired copy (same name and key) comes first", async () => {
    const keys = await generateKeys("p-256");
    const expired = await makeIntermediate(root, {
      cn: "Renewed CA",
      keys,
      notBefore: new Date(AT.getTime() - 800 * DAY),
      notAfter: new Date(AT.getTime() - 10 * DAY),
    });
    const renewed = await makeIntermediate(root, { cn: "Renewed CA", keys });
    const leaf = await makeLeaf(renewed);
    expect(validate(pemFile(leaf, expired, renewed), trust).errors).toEqual([]);
    // With the expired copy alone, the path reaches the root and fails on its validity.
    expect(codes(validate(pemFile(leaf, expired), trust))).toEqual(["expired"]);
  });

  it("reports the most complete failing path: one that reaches a root before a dead end", async () => {
    const other = await makeRoot({ cn: "Unapproved Root" });
    const keys = await generateKeys("p-256");
    const serverOnly = await makeIntermediate(root, { cn: "Picky CA", keys, eku: ["serverAuth"] });
    const viaOther = await makeIntermediate(other, { cn: "Picky CA", keys });
    const leaf = await makeLeaf(serverOnly);
    const report = validate(pemFile(leaf, viaOther, serverOnly), trust);
    expect(codes(report)).toEqual(["missing-client-auth"]);
    expect(report.certificate?.brand).toBe("Test CA");
  });

  it("between two failing paths to a root, reports the one closest to valid", async () => {
    const keys = await generateKeys("p-256");
    const expired = await makeIntermediate(root, {
      cn: "Close CA",
      keys,
      notBefore: new Date(AT.getTime() - 800 * DAY),
      notAfter: new Date(AT.getTime() - 10 * DAY),
    });
    const renewed = await makeIntermediate(root, { cn: "Close CA", keys });
    const leaf = await makeLeaf(renewed, { eku: ["serverAuth"] });
    // The expired copy comes first and gives the same path plus "expired": only the EKU is wrong.
    expect(codes(validate(pemFile(leaf, expired, renewed), trust))).toEqual(["missing-client-auth"]);
  });

  it("stays bounded on a file of mutually cross-signed CAs (no path, no hang)", async () => {
    // Nine CAs of one name, each key certified by the next: a graph with many cycles.
    const keys = await Promise.all(Array.from({ length: 9 }, () => generateKeys("p-256")));
    const seed = await makeIntermediate(root, { cn: "Loop CA", keys: keys[0] });
    const loop: Issued[] = [];
    for (let i = 0; i < 9; i++) {
      const signer = { ...seed, keys: keys[(i + 1) % 9]! };
      loop.push(await makeIntermediate(signer, { cn: "Loop CA", keys: keys[i] }));
    }
    const leaf = await makeLeaf({ ...seed, keys: keys[0]! });
    const report = validate(pemFile(leaf, ...loop), trust);
    expect(report.verdict).toBe("invalid");
    expect(report.errors.length).toBeGreaterThan(0);
  });
});
