import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  WARNING_CODES,
  summarize,
  validateCertificateBytes,
  type FileReport,
  type TrustStore,
} from "../../src/certificates/index.js";
import {
  AT,
  cachedKeys,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  trustFor,
  type Issued,
} from "../helpers/pki.js";

/** Valid chains and the accepted input encodings (PEM blocks, CRLF, BOM, DER). */

const codes = (report: FileReport) => report.errors.map((e) => e.code);
const fingerprint = (der: Uint8Array) =>
  createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");

function validate(bytes: Uint8Array, trust: TrustStore, at = AT): FileReport {
  return validateCertificateBytes(bytes, { path: "certificates/1/device-1.pem", trust, at });
}

describe("valid chains", () => {
  let rsa: { root: Issued; intermediate: Issued; leaf: Issued; trust: TrustStore };
  let ec: { root: Issued; intermediate: Issued; leaf: Issued; trust: TrustStore };

  beforeAll(async () => {
    const rsaRoot = await makeRoot({
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "root"),
      name: "C=US, O=Test PKI, CN=Test RSA Root",
    });
    const rsaInt = await makeIntermediate(rsaRoot, {
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "int"),
      cn: "Test RSA Issuing CA",
    });
    const rsaLeaf = await makeLeaf(rsaInt, {
      keyAlg: "rsa-2048",
      keys: await cachedKeys("rsa-2048", "leaf"),
      cn: "device-1",
    });
    rsa = { root: rsaRoot, intermediate: rsaInt, leaf: rsaLeaf, trust: trustFor(rsaRoot) };

    const ecRoot = await makeRoot({ keyAlg: "p-384", cn: "Test EC Root" });
    const ecInt = await makeIntermediate(ecRoot, {
      keyAlg: "p-256",
      cn: "Test EC Issuing CA",
      basicConstraints: { ca: true, pathLength: 0 },
    });
    const ecLeaf = await makeLeaf(ecInt, { keyAlg: "p-256", cn: "device-ec" });
    ec = { root: ecRoot, intermediate: ecInt, leaf: ecLeaf, trust: trustFor(ecRoot) };
  });

  it("accepts an RSA 2048 client chain (leaf + intermediate) and reports the summary", () => {
    const report = validate(pemFile(rsa.leaf, rsa.intermediate), rsa.trust);
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe("valid");
    expect(report.path).toBe("certificates/1/device-1.pem");
    expect(report.certificate).toEqual({
      subject: "CN=device-1",
      issuer: "CN=Test RSA Issuing CA",
      brand: "Test CA",
      notBefore: rsa.leaf.cert.notBefore.toISOString(),
      notAfter: rsa.leaf.cert.notAfter.toISOString(),
      fingerprintSha256: fingerprint(rsa.leaf.der),
      chain: ["CN=Test RSA Issuing CA", "C=US, O=Test PKI, CN=Test RSA Root"],
    });
    expect(report.certificate!.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("accepts an EC P-256 leaf under a P-384 root", () => {
    const report = validate(pemFile(ec.leaf, ec.intermediate), ec.trust);
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.chain).toEqual(["CN=Test EC Issuing CA", "CN=Test EC Root"]);
  });

  it("accepts a leaf issued directly by the trusted root", async () => {
    const leaf = await makeLeaf(ec.root, { cn: "direct" });
    const report = validate(pemFile(leaf), ec.trust);
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.chain).toEqual(["CN=Test EC Root"]);
  });

  // Ed25519 device keys pass the handshake but receive no token: see undeliverable-key (rfc5280.test.ts).
  it("accepts RSA 3072, P-384 and P-521 device keys", async () => {
    const leaves = [
      await makeLeaf(ec.intermediate, { keyAlg: "rsa-3072", keys: await cachedKeys("rsa-3072"), cn: "rsa3072" }),
      await makeLeaf(ec.intermediate, { keyAlg: "p-384", cn: "p384" }),
      await makeLeaf(ec.intermediate, { keyAlg: "p-521", cn: "p521" }),
    ];
    for (const leaf of leaves) {
      const report = validate(pemFile(leaf, ec.intermediate), ec.trust);
      expect(report.errors, report.certificate?.subject).toEqual([]);
    }
  });

  it("accepts a chain signed by an Ed25519 CA", async () => {
    const root = await makeRoot({ keyAlg: "ed25519", cn: "Ed Root" });
    const leaf = await makeLeaf(root, { keyAlg: "p-256" });
    expect(validate(pemFile(leaf), trustFor(root)).verdict).toBe("valid");
  });

  it("accepts a file that also carries the pinned root itself", () => {
    const report = validate(pemFile(ec.leaf, ec.intermediate, ec.root), ec.trust);
    expect(report.errors).toEqual([]);
    expect(report.certificate?.brand).toBe("Test CA");
  });

  it("finds the intermediate whatever its position after the leaf, ignoring unrelated extra certificates", async () => {
    const stranger = await makeRoot({ cn: "Unrelated CA" });
    const report = validate(pemFile(ec.leaf, stranger, ec.intermediate), ec.trust);
    expect(report.errors).toEqual([]);
    expect(report.verdict).toBe("valid");
  });

  it("builds the path by key even when several roots are trusted", async () => {
    const other = await makeRoot({ cn: "Other Root" });
    const trust = trustFor(other, rsa.root, ec.root);
    expect(validate(pemFile(ec.leaf, ec.intermediate), trust).certificate?.chain).toEqual([
      "CN=Test EC Issuing CA",
      "CN=Test EC Root",
    ]);
    expect(validate(pemFile(rsa.leaf, rsa.intermediate), trust).verdict).toBe("valid");
  });

  describe("input encodings", () => {
    it("accepts DER (the leaf alone, issued by the root)", async () => {
      const leaf = await makeLeaf(ec.root, { cn: "der-device" });
      const report = validate(leaf.der, ec.trust);
      expect(report.errors).toEqual([]);
      expect(report.certificate?.subject).toBe("CN=der-device");
    });

    it("accepts CRLF line endings", () => {
      const text = `${ec.leaf.pem}\n${ec.intermediate.pem}`.replace(/\r?\n/g, "\r\n");
      expect(validate(Buffer.from(text), ec.trust).errors).toEqual([]);
    });

    it("accepts a UTF-8 byte order mark", () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pemFile(ec.leaf, ec.intermediate))]);
      expect(validate(bytes, ec.trust).errors).toEqual([]);
    });

    it("accepts a BOM with CRLF together", () => {
      const text = `\uFEFF${ec.leaf.pem}${ec.intermediate.pem}`.replace(/\r?\n/g, "\r\n");
      expect(validate(Buffer.from(text, "utf8"), ec.trust).verdict).toBe("valid");
    });

    it("accepts explanatory text around the PEM blocks (as openssl writes it)", () => {
      const text = `subject=CN=device-1\nissuer=CN=Test EC Issuing CA\n${ec.leaf.pem}\n\n# the intermediate\n${ec.intermediate.pem}\n`;
      expect(validate(Buffer.from(text), ec.trust).verdict).toBe("valid");
    });

    it("accepts PEM bodies wrapped at other widths", () => {
      const rewrap = (pem: string) => {
        const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
        return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,76}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
      };
      expect(validate(Buffer.from(rewrap(ec.leaf.pem) + rewrap(ec.intermediate.pem)), ec.trust).verdict).toBe("valid");
    });

    it("reads the first block as the leaf", () => {
      const report = validate(pemFile(ec.intermediate, ec.leaf), ec.trust);
      expect(report.certificate?.subject).toBe("CN=Test EC Issuing CA");
      expect(report.verdict).toBe("invalid");
      expect(codes(report)).toContain("ca-leaf");
    });
  });

  it("never throws and always answers with the same report for the same input", () => {
    const bytes = pemFile(rsa.leaf, rsa.intermediate);
    expect(validate(bytes, rsa.trust)).toEqual(validate(bytes, rsa.trust));
  });
});

describe("summarize", () => {
  it("counts valid and invalid files", () => {
    const file = (verdict: "valid" | "invalid"): FileReport => ({
      path: verdict,
      verdict,
      certificate: null,
      errors: [],
      warnings: [],
    });
    expect(summarize([file("valid"), file("invalid"), file("invalid")]).summary).toEqual({ valid: 1, invalid: 2 });
    expect(summarize([])).toEqual({ files: [], summary: { valid: 0, invalid: 0 } });
  });
});

describe("finding codes", () => {
  it("are exactly the stable codes of the contract (each has its own tests in this folder)", () => {
    expect([...ERROR_CODES]).toEqual([
      "parse-error",
      "private-key",
      "self-signed",
      "untrusted-root",
      "missing-intermediate",
      "bad-signature",
      "expired",
      "not-yet-valid",
      "ca-leaf",
      "missing-client-auth",
      "weak-key",
      "weak-signature",
      "path-length",
      "key-usage",
      "duplicate-extension",
      "unknown-critical-extension",
      "name-chaining",
      "key-identifier-mismatch",
      "name-constraints",
      "anchor-constraint",
      "explicit-curve",
      "undeliverable-key",
      "certificate-profile",
      "device-mismatch",
      "duplicate-device",
      "missing-root",
    ]);
    expect([...WARNING_CODES]).toEqual(["expires-soon", "client-auth-ending"]);
  });
});
