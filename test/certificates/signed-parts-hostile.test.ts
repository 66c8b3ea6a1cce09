import "reflect-metadata";
import { sign, X509Certificate, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TrustStore } from "../../src/certificates/trust-store.js";
import { extraCaSchema } from "../../src/config/schema.js";
import { CertificateDecodeError, inspectCertificate } from "../../src/certificates/inspect.js";
import { validateCertificateBytes } from "../../src/certificates/validate.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, trustFor, type Issued } from "../helpers/pki.js";

/**
 * Found by the attacker review of the judge's path without OpenSSL's certificate object
 * (signed-parts.ts, issue 22): certificates OpenSSL refuses to decode must not be judged valid
 * because that path never asked OpenSSL; and a configured root's PEM is read as the configuration
 * check reads it. Each test failed before its fix.
 */

// A minimal DER toolkit: split a certificate, replace TBS fields, sign it again.
function header(bytes: Uint8Array, at = 0): { contentStart: number; end: number } {
  let p = at + 1;
  let length = bytes[p++]!;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[p++]!;
  }
  return { contentStart: p, end: p + length };
}
function contentOf(element: Uint8Array): Uint8Array {
  const { contentStart, end } = header(element);
  return element.subarray(contentStart, end);
}
function children(content: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < content.length;) {
    const { end } = header(content, at);
    out.push(content.subarray(at, end));
    at = end;
  }
  return out;
}
function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = Buffer.concat(parts);
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...length]), content]));
}
const hex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
/** `certificate` with TBS fields (1 serial, 3 issuer, 5 subject, …) replaced, signed again by `signer` (ECDSA, SHA-256). */
function resign(certificate: Uint8Array, signer: KeyObject, fields: Record<number, Uint8Array>): Uint8Array {
  const [tbs, algorithm] = children(contentOf(certificate));
  const tbsFields = children(contentOf(tbs!));
  for (const [at, value] of Object.entries(fields)) tbsFields[Number(at)] = value;
  const newTbs = der(0x30, ...tbsFields);
  const signature = sign("sha256", newTbs, { key: signer, dsaEncoding: "der" });
  return der(0x30, newTbs, algorithm!, der(0x03, hex("00"), signature));
}
const pemOf = (bytes: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
/** CN=<value>, the value a UTF8String (tag 0x0C) of these raw bytes. */
const cnUtf8 = (bytes: string) => der(0x30, der(0x31, der(0x30, hex("0603550403"), der(0x0c, hex(bytes)))));

let root: Issued;
let ca: Issued;
let leaf: Issued;
beforeAll(async () => {
  root = await makeRoot({ cn: "Review Root", keyAlg: "p-256" });
  ca = await makeIntermediate(root, { cn: "Review CA", keyAlg: "p-256" });
  leaf = await makeLeaf(ca, { cn: "review-device" });
});

describe("a certificate OpenSSL cannot decode is not judged valid", () => {
  it("the untouched chain is valid, and so is a re-signed one with a well-formed UTF8String name", () => {
    expect(validateCertificateBytes(pemFile(leaf, ca), { path: "ok.pem", trust: trustFor(root), at: AT }).verdict).toBe(
      "valid",
    );
    const utf8 = resign(leaf.der, ca.privateKey, { 5: cnUtf8(Buffer.from("pümp-1").toString("hex")) });
    const r = validateCertificateBytes(pemFile(pemOf(utf8), ca), { path: "utf8.pem", trust: trustFor(root), at: AT });
    expect(r.verdict).toBe("valid");
  });

  // "pump" then bytes that are not UTF-8. OpenSSL's name decoder converts every UTF8String to
  // UTF-8 and refuses the whole certificate; the strict reader read them as Latin-1 (asn1js's
  // fallback), and for a named-curve key no OpenSSL object was made.
  for (const [label, bytes] of [
    ["invalid byte", "70756d70ff"],
    ["UTF-16 surrogate", "70756d70eda080"],
    ["overlong NUL", "70756d70c080"],
  ] as const) {
    it(`a P-256 leaf whose subject CN is a UTF8String with an ${label}`, () => {
      const bad = resign(leaf.der, ca.privateKey, { 5: cnUtf8(bytes) });
      expect(() => new X509Certificate(bad)).toThrow();
      expect(() => inspectCertificate(bad)).toThrow(CertificateDecodeError);
      const r = validateCertificateBytes(pemFile(pemOf(bad), ca), { path: "bad.pem", trust: trustFor(root), at: AT });
      expect(r.errors.map((e) => e.code)).toContain("parse-error");
    });
  }

  it("an EC intermediate OpenSSL cannot decode does not carry a leaf to valid", () => {
    const badName = cnUtf8("526576696577ff"); // "Review" + 0xFF
    const badCa = resign(ca.der, root.privateKey, { 5: badName });
    const badLeaf = resign(leaf.der, ca.privateKey, { 3: badName });
    expect(() => new X509Certificate(badCa)).toThrow();
    const r = validateCertificateBytes(pemFile(pemOf(badLeaf), pemOf(badCa)), {
      path: "bad-ca.pem",
      trust: trustFor(root),
      at: AT,
    });
    expect(r.verdict).toBe("invalid");
  });
});

describe("a configured root's PEM is read as the configuration's check reads it", () => {
  it("an extraCAs entry whose pem holds the root and one more block anchors the root, as before", () => {
    // The configuration accepts it: X509Certificate(pem) reads the first block, whose fingerprint
    // is the pin. The store threw for it, from outside the judge's try, for every file of a run.
    const fingerprintSha256 = new X509Certificate(root.pem).fingerprint256;
    const entry = { brand: "Extra CA", pem: `${root.pem}\n${ca.pem}\n`, fingerprintSha256 };
    expect(extraCaSchema.safeParse(entry).success).toBe(true);
    const report = validateCertificateBytes(pemFile(leaf, ca), {
      path: "ok.pem",
      trust: TrustStore.default([entry]),
      at: AT,
    });
    expect(report.verdict).toBe("valid");
  });
});
