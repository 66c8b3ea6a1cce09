import "reflect-metadata";
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { allowlistPins } from "../../src/certificates/allowlist/index.js";
import { TrustStore, trustAnchorsFromFile, validateCertificateBytes } from "../../src/certificates/index.js";
import { extraCaSchema } from "../../src/config/schema.js";
import { AT, makeLeaf, makeRoot, pemFile, type Issued } from "../helpers/pki.js";

/**
 * A `--trust` root that is not DER in its outer layers (what OpenSSL reads and re-encodes: the
 * outer SEQUENCE's length, the signature BIT STRING). The anchor is OpenSSL's DER of it, so its
 * fingerprint is the certificate's, and a copy of a pinned root keeps the pin's brand and profile.
 * Found by the attacker review of issue 22's second stop, when the anchor had become the file's
 * bytes; each test failed then.
 */

let root: Issued;
let leaf: Issued;

beforeAll(async () => {
  root = await makeRoot({ cn: "Re-encoded Root" });
  leaf = await makeLeaf(root, { cn: "device-under-reencoded-root" });
});

/** The same certificate with its outer SEQUENCE length in 4 octets instead of 2 (BER, not DER). */
function nonMinimalOuterLength(der: Uint8Array): Buffer {
  expect(der[0]).toBe(0x30);
  expect(der[1]).toBe(0x82);
  return Buffer.concat([Buffer.from([0x30, 0x84, 0x00, 0x00, der[2]!, der[3]!]), der.subarray(4)]);
}

/** The signature BIT STRING claiming one unused bit, that bit set (OpenSSL clears it when it writes DER). */
function unusedSignatureBit(der: Uint8Array): Buffer {
  const bytes = Buffer.from(der);
  // The signatureValue ends the certificate: 03 <short length> 00 <ECDSA signature>.
  let start = -1;
  for (let i = bytes.length - 3; i > 0 && start < 0; i--) {
    if (bytes[i] === 0x03 && bytes[i + 1] === bytes.length - i - 2 && bytes[i + 2] === 0x00) start = i;
  }
  expect(start).toBeGreaterThan(0);
  bytes[start + 2] = 0x01;
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! | 0x01;
  return bytes;
}

const canonicalFingerprint = () => new X509Certificate(root.der).fingerprint256;

describe("a --trust root not in DER", () => {
  it("anchors the DER certificate OpenSSL reads, fingerprinted as such (outer length in BER)", () => {
    const ber = nonMinimalOuterLength(root.der);
    expect(new X509Certificate(ber).fingerprint256).toBe(canonicalFingerprint());
    const result = trustAnchorsFromFile(ber, "trusted by --trust");
    if (!result.ok) throw new Error(result.message);
    expect(result.sources[0]!.fingerprintSha256).toBe(canonicalFingerprint());
    expect(new X509Certificate(result.sources[0]!.pem).raw.equals(Buffer.from(root.der))).toBe(true);
  });

  it("anchors the DER certificate OpenSSL reads (a signature BIT STRING with a set unused bit)", () => {
    const odd = unusedSignatureBit(root.der);
    const result = trustAnchorsFromFile(odd, "trusted by --trust");
    if (!result.ok) throw new Error(result.message);
    expect(result.sources[0]!.fingerprintSha256).toBe(new X509Certificate(odd).fingerprint256);
  });

  it("keeps a pinned root its pin's brand and profile when the --trust copy is BER", () => {
    // A pin carrying this root's fingerprint, standing for a root the operator downloaded.
    const pin = { ...allowlistPins()[0]!, brand: "Pinned Brand", fingerprintSha256: canonicalFingerprint() };
    const result = trustAnchorsFromFile(nonMinimalOuterLength(root.der), "trusted by --trust");
    if (!result.ok) throw new Error(result.message);
    const trust = TrustStore.fromSources(result.sources, [pin]);
    const report = validateCertificateBytes(pemFile(leaf), { path: "device.pem", trust, at: AT });
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.brand).toBe("Pinned Brand");
  });

  it("anchors a configured root (extraCAs) in BER by the fingerprint the configuration's check gives it", () => {
    const ber = nonMinimalOuterLength(root.der);
    const pem = `-----BEGIN CERTIFICATE-----\n${ber.toString("base64")}\n-----END CERTIFICATE-----\n`;
    const entry = { brand: "Extra CA", pem, fingerprintSha256: new X509Certificate(pem).fingerprint256 };
    expect(extraCaSchema.safeParse(entry).success).toBe(true);
    const report = validateCertificateBytes(pemFile(leaf), {
      path: "device.pem",
      trust: TrustStore.default([entry]),
      at: AT,
    });
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.brand).toBe("Extra CA");
  });
});
