import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { PinnedRoot } from "../../src/certificates/allowlist/index.js";
import {
  TrustStore,
  trustAnchorFromPem,
  validateCertificateBytes,
  type FileReport,
} from "../../src/certificates/index.js";
import { inspectCertificate } from "../../src/certificates/inspect.js";
import { missingPath, titled } from "../helpers/environment.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, type Issued } from "../helpers/pki.js";

/**
 * Roots pinned by fingerprint only (the dedicated client-authentication roots, whose certificates
 * the project does not ship): a generated test root stands in for one, through the same code
 * path — a TrustStore constructed with a test pin.
 */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();
const validate = (bytes: Uint8Array, trust: TrustStore) =>
  validateCertificateBytes(bytes, { path: "certificates/1/device-1.pem", trust, at: AT });

const NAME = "Test Client Authentication Root G5";
let root: Issued;
let intermediate: Issued;
let leaf: Issued;
let pin: PinnedRoot;
let fingerprint: string;

function pinFor(issued: Issued): PinnedRoot {
  const facts = inspectCertificate(issued.der);
  return {
    brand: "DigiCert",
    fingerprintSha256: facts.fingerprintSha256,
    profile: {
      name: NAME,
      subject: facts.subject,
      fingerprintSha256: facts.fingerprintSha256,
      brand: "DigiCert",
      brands: ["DigiCert"],
      purpose: "client-authentication root",
      purposeBasis: "test",
      key: "EC P-256",
      notAfter: facts.notAfter.toISOString(),
      programs: ["Microsoft"],
      trustBits: "Client Authentication",
      factsSource: "test",
      clientAuthEnds: null,
      carried: true,
    },
  };
}

beforeAll(async () => {
  root = await makeRoot({ name: `C=US, O=Test PKI, CN=${NAME}` });
  intermediate = await makeIntermediate(root, { cn: "Test Client Issuing CA" });
  leaf = await makeLeaf(intermediate, { cn: "device-1" });
  pin = pinFor(root);
  fingerprint = pin.fingerprintSha256;
});

const pinnedStore = () => TrustStore.fromSources([], [pin]);

describe("a root pinned by fingerprint and carried in the file", () => {
  it("anchors the path when the file carries it as the last block", () => {
    const report = validate(pemFile(leaf, intermediate, root), pinnedStore());
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.brand).toBe("DigiCert");
    expect(report.certificate?.rootPurpose).toBe("client-authentication root");
    expect(report.certificate?.chain).toEqual(["CN=Test Client Issuing CA", `C=US, O=Test PKI, CN=${NAME}`]);
  });

  it("says which root to add, with its SHA-256, when the file stops at an intermediate it issued", () => {
    const report = validate(pemFile(leaf, intermediate), pinnedStore());
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["missing-root"]);
    expect(report.errors[0]!.message).toContain(
      `add the root certificate ${NAME} (SHA-256 ${fingerprint}) at the end of the file; your CA publishes it`,
    );
  });

  it("never trusts a certificate that only carries the pinned root's name", async () => {
    const lookalike = await makeRoot({ name: `C=US, O=Test PKI, CN=${NAME}` });
    const forged = await makeIntermediate(lookalike, { cn: "Test Client Issuing CA" });
    const forgedLeaf = await makeLeaf(forged, { cn: "device-1" });
    const report = validate(pemFile(forgedLeaf, forged, lookalike), pinnedStore());
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["untrusted-root"]);
    expect(report.errors[0]!.message).toContain(`the approved ${NAME} has SHA-256 ${fingerprint}`);
    expect(report.certificate?.brand).toBeNull();
  });

  it("admits it only as the last block: elsewhere in the file it is reported with where it belongs", () => {
    const report = validate(pemFile(leaf, root, intermediate), pinnedStore());
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["missing-root"]);
    expect(report.errors[0]!.message).toContain("not as the last block");
  });

  it("trusts it for that file only: a later file without it still needs it (order never matters)", () => {
    const store = pinnedStore();
    expect(validate(pemFile(leaf, intermediate, root), store).verdict).toBe("valid");
    expect(codes(validate(pemFile(leaf, intermediate), store))).toEqual(["missing-root"]);
    expect(validate(pemFile(leaf, intermediate, root), store).verdict).toBe("valid");
  });

  it("is trusted without the file carrying it when the configuration supplies it (certificates.extraCAs)", () => {
    const store = TrustStore.fromSources([trustAnchorFromPem(root.pem, "Configured name")], [pin]);
    const report = validate(pemFile(leaf, intermediate), store);
    expect(report.errors).toEqual([]);
    expect(report.certificate?.brand).toBe("DigiCert"); // the pin's brand and facts, not the entry's
    expect(report.certificate?.rootPurpose).toBe("client-authentication root");
  });
});

describe("the real client-authentication pins (default store)", () => {
  it("names DigiCert Client RSA4096 Root G5 and its SHA-256 when a chain stops at an intermediate it issued", async () => {
    const other = await makeRoot({ cn: "Some Root" });
    const issuing = await makeIntermediate(other, {
      cn: "DigiCert Assured ID Client CA G5",
      issuerName: [{ C: ["US"] }, { O: ["DigiCert, Inc."] }, { CN: ["DigiCert Client RSA4096 Root G5"] }],
    });
    const device = await makeLeaf(issuing, { cn: "device-1" });
    const report = validate(pemFile(device, issuing), TrustStore.default());
    expect(codes(report)).toEqual(["missing-root"]);
    expect(report.errors[0]!.message).toContain(
      "add the root certificate DigiCert Client RSA4096 Root G5 (SHA-256 3A:F2:14:66:92:0F:A9:1F:A3:1F:43:31:E4:45:C1:6B:E2:33:00:24:BF:D2:C2:39:C0:D8:5A:B5:30:71:47:66) at the end of the file; your CA publishes it",
    );
  });
});

// The real client roots' certificates, read in place from the CCADB snapshot (never copied into
// the project); skipped, saying so, in a clone without ../shared.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const snapshot = path.resolve(repoRoot, "../shared/ccadb/brand-roots.json");
const noSnapshot = missingPath(snapshot, "the CCADB snapshot", repoRoot);

describe.skipIf(noSnapshot !== null)(titled("the real client-authentication roots, carried", noSnapshot), () => {
  // Read only where the snapshot exists: a skipped describe still runs its body to collect.
  type Snapshot = { roots: { subject: string; pem: string }[] };
  const roots = existsSync(snapshot) ? (JSON.parse(readFileSync(snapshot, "utf8")) as Snapshot).roots : [];
  const pemOf = (cn: string) => roots.find((root) => root.subject.endsWith(`CN=${cn}`))!.pem;

  it.each([
    ["DigiCert Client RSA4096 Root G5", "DigiCert"],
    ["DigiCert Client ECC P384 Root G5", "DigiCert"],
    ["GlobalSign Client Authentication Root R45", "GlobalSign"],
    ["GlobalSign Client Authentication Root E45", "GlobalSign"],
  ])("admits %s as the anchor of a file that carries it last (brand %s)", (name, brand) => {
    const facts = inspectCertificate(new X509Certificate(pemOf(name)).raw);
    const store = TrustStore.default();
    expect(store.anchorByFingerprint(facts.fingerprintSha256)).toBeUndefined();
    const anchor = store.withCarriedRoot([facts]).anchorByFingerprint(facts.fingerprintSha256);
    expect(anchor?.brand).toBe(brand);
    expect(anchor?.profile).toMatchObject({ name, purpose: "client-authentication root", carried: true });
  });

  it("does not admit another root of the snapshot carried the same way (only the pins count)", () => {
    const facts = inspectCertificate(new X509Certificate(pemOf("QuoVadis Client RSA 4096 Root G4")).raw);
    expect(TrustStore.default().withCarriedRoot([facts]).anchorByFingerprint(facts.fingerprintSha256)).toBeUndefined();
  });
});
