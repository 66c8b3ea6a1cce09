import { beforeAll, describe, expect, it } from "vitest";
import { TrustStore, validateCertificateBytes, type FileReport } from "../../src/certificates/index.js";
import {
  AT,
  DIGICERT_G2_NAME,
  cachedKeys,
  corruptSignature,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  makeSelfSignedLeaf,
  pemFile,
  realRootSubject,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/** Path building: by signature and key, to a pinned root, never by name. */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();

function validate(bytes: Uint8Array, trust: TrustStore, at = AT): FileReport {
  return validateCertificateBytes(bytes, { path: "device.pem", trust, at });
}

let root: Issued;
let intermediate: Issued;
let leaf: Issued;
let trust: TrustStore;

beforeAll(async () => {
  root = await makeRoot({ cn: "Path Test Root" });
  intermediate = await makeIntermediate(root, { cn: "Path Test Issuing CA" });
  leaf = await makeLeaf(intermediate, { cn: "device-1" });
  trust = trustFor(root);
});

describe("self-signed", () => {
  it("refuses a self-signed leaf", async () => {
    const self = await makeSelfSignedLeaf({ cn: "my-device" });
    const report = validate(pemFile(self), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["self-signed"]);
    expect(report.certificate?.subject).toBe("CN=my-device");
    expect(report.certificate?.brand).toBeNull();
  });

  it("refuses a self-signed leaf even when the file also carries trusted certificates", async () => {
    const self = await makeSelfSignedLeaf({ cn: "my-device" });
    expect(codes(validate(pemFile(self, intermediate, root), trust))).toContain("self-signed");
  });

  it("refuses a leaf signed by its own key that names another issuer as self-signed, not missing-intermediate", async () => {
    const self = await makeSelfSignedLeaf({ cn: "my-device", issuerName: "CN=Some Issuing CA" });
    const report = validate(pemFile(self), trust);
    expect(codes(report)).toEqual(["self-signed"]);
    expect(report.errors[0]!.message).toContain('names "CN=Some Issuing CA" as its issuer');
  });

  it("refuses a leaf signed by its own key that names a pinned root as issuer as self-signed", async () => {
    const self = await makeSelfSignedLeaf({ cn: "my-device", issuerName: "CN=Path Test Root" });
    expect(codes(validate(pemFile(self, intermediate), trust))).toEqual(["self-signed"]);
  });

  it("refuses a self-signed RSA leaf without basicConstraints", async () => {
    const self = await makeSelfSignedLeaf({
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "self"),
      basicConstraints: null,
    });
    expect(codes(validate(pemFile(self), trust))).toContain("self-signed");
  });
});

describe("untrusted-root", () => {
  it("refuses a chain to a root that is not in the store", async () => {
    const otherRoot = await makeRoot({ cn: "Unlisted Root" });
    const otherInt = await makeIntermediate(otherRoot, { cn: "Unlisted Issuing CA" });
    const otherLeaf = await makeLeaf(otherInt);
    const report = validate(pemFile(otherLeaf, otherInt), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["untrusted-root"]);
    expect(report.certificate?.brand).toBeNull();
  });

  it("refuses a chain whose (unlisted) root is included in the file: roots never come from the file", async () => {
    const otherRoot = await makeRoot({ cn: "Unlisted Root" });
    const otherInt = await makeIntermediate(otherRoot, { cn: "Unlisted Issuing CA" });
    const otherLeaf = await makeLeaf(otherInt);
    const report = validate(pemFile(otherLeaf, otherInt, otherRoot), trust);
    expect(codes(report)).toEqual(["untrusted-root"]);
  });

  it("refuses a root that has the same name as the trusted one but another key", async () => {
    const twin = await makeRoot({ cn: "Path Test Root" });
    const twinLeaf = await makeLeaf(twin, { cn: "twin-device" });
    const report = validate(pemFile(twinLeaf, twin), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("untrusted-root");
    expect(report.certificate?.brand).toBeNull();
  });

  it("refuses everything against an empty store", () => {
    const report = validate(pemFile(leaf, intermediate, root), TrustStore.fromSources([]));
    expect(codes(report)).toEqual(["untrusted-root"]);
  });

  it("refuses a test root under the real allowlist", () => {
    expect(codes(validate(pemFile(leaf, intermediate, root), TrustStore.default()))).toEqual(["untrusted-root"]);
  });

  it("accepts the same chain once the root is added as an extra CA", async () => {
    const { trustAnchorFromPem } = await import("../../src/certificates/index.js");
    const report = validate(
      pemFile(leaf, intermediate),
      TrustStore.default([trustAnchorFromPem(root.pem, "Example Brand")]),
    );
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.brand).toBe("Example Brand");
  });

  it("ignores an anchor whose pinned fingerprint does not match its PEM", () => {
    const tampered = TrustStore.fromSources([
      { brand: "Test CA", pem: root.pem, fingerprintSha256: "00:".repeat(31) + "00" },
    ]);
    const report = validate(pemFile(leaf, intermediate), tampered);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("untrusted-root");
  });
});

describe("forged DigiCert Global Root G2", () => {
  let forged: Issued;
  let forgedInt: Issued;
  let forgedLeaf: Issued;
  let exactForged: Issued;
  let exactLeaf: Issued;

  beforeAll(async () => {
    forged = await makeRoot({
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "forged"),
      name: DIGICERT_G2_NAME,
    });
    forgedInt = await makeIntermediate(forged, {
      name: "C=US, O=DigiCert Inc, CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1",
    });
    forgedLeaf = await makeLeaf(forgedInt, { cn: "device-1" });
    // Byte-identical subject to the real root (same string types), in case names were compared as DER.
    exactForged = await makeRoot({
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "forged"),
      name: realRootSubject("DigiCert Global Root G2"),
    });
    exactLeaf = await makeLeaf(exactForged, { cn: "device-2" });
  });

  it("has the real root's display name", () => {
    const report = validate(pemFile(forgedLeaf, forgedInt, forged), TrustStore.fromSources([]));
    expect(report.certificate?.chain.at(-1)).toBe(DIGICERT_G2_NAME);
  });

  it.each([
    ["without the forged root in the file", () => pemFile(forgedLeaf, forgedInt)],
    ["with the forged root in the file", () => pemFile(forgedLeaf, forgedInt, forged)],
    ["leaf issued by the forged root directly", () => pemFile(exactLeaf)],
    ["leaf issued by the forged root directly, root in the file", () => pemFile(exactLeaf, exactForged)],
  ])("is untrusted under the real allowlist: %s", (_label, file) => {
    const report = validate(file(), TrustStore.default());
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("untrusted-root");
    expect(report.certificate?.brand).toBeNull();
  });
});

describe("missing-intermediate", () => {
  it("reports a leaf whose issuer is neither in the file nor trusted", () => {
    const report = validate(pemFile(leaf), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["missing-intermediate"]);
  });

  it("reports it when only the root is in the file", () => {
    expect(codes(validate(pemFile(leaf, root), trust))).toEqual(["missing-intermediate"]);
  });

  it("reports it for a DER leaf (which cannot carry intermediates)", () => {
    expect(codes(validate(leaf.der, trust))).toEqual(["missing-intermediate"]);
  });
});

describe("bad-signature", () => {
  it("refuses a leaf whose signature bytes were altered", () => {
    const report = validate(pemFile(corruptSignature(leaf), intermediate), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("bad-signature");
  });

  it("refuses an intermediate whose signature bytes were altered", () => {
    const report = validate(pemFile(leaf, corruptSignature(intermediate)), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("bad-signature");
  });

  it("refuses an altered RSA signature (leaf directly under an RSA root)", async () => {
    const rsaRoot = await makeRoot({ keyAlg: "rsa-2048", keys: await cachedKeys("rsa-2048", "root"), cn: "RSA Root" });
    const rsaLeaf = await makeLeaf(rsaRoot);
    expect(validate(pemFile(rsaLeaf), trustFor(rsaRoot)).verdict).toBe("valid");
    const report = validate(pemFile(corruptSignature(rsaLeaf)), trustFor(rsaRoot));
    expect(codes(report)).toContain("bad-signature");
  });

  it("refuses a leaf that names the intermediate as issuer but was signed by another key", async () => {
    const impostor = await makeRoot({ cn: "Impostor" });
    const forgedLeaf = await makeLeaf(impostor, { issuerName: "CN=Path Test Issuing CA" });
    const report = validate(pemFile(forgedLeaf, intermediate), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("bad-signature");
  });
});
