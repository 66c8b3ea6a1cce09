import "reflect-metadata";
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { readFast } from "../../src/certificates/certificate-view.js";
import { NotCanonical } from "../../src/certificates/der-reader.js";
import { CertificateDecodeError, inspectCertificate } from "../../src/certificates/inspect.js";
import { namedCurvePoint, verifySignedParts } from "../../src/certificates/signed-parts.js";
import { missingPath, titled } from "../helpers/environment.js";
import { makeIntermediate, makeLeaf, makeRoot, type Issued } from "../helpers/pki.js";

/**
 * The judge checks signatures and reads EC keys without OpenSSL's certificate object for the
 * shapes device certificates take (src/certificates/signed-parts.ts, issue 22). These tests hold
 * it to OpenSSL's own answers: wherever it answers, `X509Certificate` must answer the same; and a
 * certificate it reads without OpenSSL must be one OpenSSL decodes, with the same key.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const realChains = path.resolve(repoRoot, "../shared/fixtures/real-chains");
const noRealChains = missingPath(realChains, "the real chains are read from ../shared in place", repoRoot);

type Outcome = "fast" | "openssl";

/** The fast check agrees with OpenSSL's `X509Certificate.verify` on `der` under `key`. */
function sameVerdict(der: Uint8Array, key: KeyObject, label: string): Outcome {
  let signed;
  try {
    signed = readFast(der).signed;
  } catch (error) {
    if (error instanceof NotCanonical) return "openssl";
    throw error;
  }
  if (!signed) throw new Error(`${label}: the strict reader gave no signed parts`);
  const fast = verifySignedParts(signed, key);
  if (fast === undefined) return "openssl";
  let reference: boolean;
  try {
    reference = new X509Certificate(der).verify(key);
  } catch {
    throw new Error(`${label}: the strict reader read bytes OpenSSL refuses`);
  }
  expect(fast, label).toBe(reference);
  return "fast";
}

/** A key read without OpenSSL is a key OpenSSL reads from the same certificate, and equal to it. */
function sameKey(der: Uint8Array, label: string): Outcome {
  let view;
  try {
    view = readFast(der);
  } catch (error) {
    if (error instanceof NotCanonical) return "openssl";
    throw error;
  }
  const curve = namedCurvePoint(view);
  if (curve === undefined) return "openssl";
  let reference: KeyObject;
  try {
    reference = new X509Certificate(der).publicKey;
  } catch {
    throw new Error(`${label}: a key read without OpenSSL is one OpenSSL refuses`);
  }
  expect(reference.asymmetricKeyDetails?.namedCurve, label).toBe(curve);
  expect(createPublicKey({ key: Buffer.from(view.signed!.spki), format: "der", type: "spki" }).equals(reference)).toBe(
    true,
  );
  return "fast";
}

/**
 * Up to the signature's first octets: a change further into the signature value is one more
 * signature that does not verify, on both paths alike, and would only lengthen the test.
 */
function signedBytesEnd(der: Uint8Array): number {
  const signature = readFast(der).signed!.signature;
  return signature.byteOffset - der.byteOffset + 8;
}

function mutations(bytes: Uint8Array, from = 0, to = bytes.length): Array<{ at: number; der: Uint8Array }> {
  const out: Array<{ at: number; der: Uint8Array }> = [];
  for (let i = from; i < to; i++) {
    for (const replace of [0x00, bytes[i]! ^ 0x01, bytes[i]! ^ 0x80]) {
      if (replace === bytes[i]) continue;
      const der = new Uint8Array(bytes);
      der[i] = replace;
      out.push({ at: i, der });
    }
  }
  return out;
}

let rsaRoot: Issued;
let ecCa: Issued;
let rsaCa: Issued;
let leaves: Array<{ label: string; issued: Issued; issuer: Issued }>;

beforeAll(async () => {
  rsaRoot = await makeRoot({ cn: "Signed Parts Root", keyAlg: "rsa-2048" });
  ecCa = await makeIntermediate(rsaRoot, { cn: "Signed Parts EC CA", keyAlg: "p-384" });
  rsaCa = await makeIntermediate(rsaRoot, { cn: "Signed Parts RSA CA", keyAlg: "rsa-2048", hash: "SHA-384" });
  const made: Array<[string, Issued, Promise<Issued>]> = [
    ["P-256 leaf under an EC CA", ecCa, makeLeaf(ecCa, { cn: "p256" })],
    ["P-384 leaf, ECDSA with SHA-384", ecCa, makeLeaf(ecCa, { cn: "p384", keyAlg: "p-384", hash: "SHA-384" })],
    ["P-521 leaf", ecCa, makeLeaf(ecCa, { cn: "p521", keyAlg: "p-521" })],
    ["P-256 leaf under an RSA CA", rsaCa, makeLeaf(rsaCa, { cn: "rsa-signed" })],
    // UTF8String names: a one-byte change makes them no UTF-8, which OpenSSL refuses to decode.
    ["P-256 leaf with UTF8String names", ecCa, makeLeaf(ecCa, { name: [{ O: ["Ünïcode Co"] }, { CN: ["pümp-1"] }] })],
    ["RSA leaf", rsaCa, makeLeaf(rsaCa, { cn: "rsa", keyAlg: "rsa-2048" })],
    ["Ed25519 leaf", ecCa, makeLeaf(ecCa, { cn: "ed", keyAlg: "ed25519" })],
    ["SHA-1 RSA signature", rsaCa, makeLeaf(rsaCa, { cn: "sha1", hash: "SHA-1" })],
  ];
  leaves = [];
  for (const [label, issuer, issued] of made) leaves.push({ label, issuer, issued: await issued });
});

describe("signatures checked without OpenSSL's certificate object agree with X509Certificate.verify", () => {
  it("on every pair of the corpus, right and wrong issuer keys, EC and RSA alike", () => {
    const certificates = [rsaRoot, ecCa, rsaCa, ...leaves.map((l) => l.issued)];
    const tally = { fast: 0, openssl: 0, valid: 0 };
    for (const child of certificates) {
      for (const issuer of certificates) {
        const label = `${child.cert.subject} under ${issuer.cert.subject}`;
        tally[sameVerdict(child.der, createPublicKey(issuer.privateKey), label)]++;
        if (new X509Certificate(child.der).verify(createPublicKey(issuer.privateKey))) tally.valid++;
      }
    }
    // Both paths are taken, and the fast one says yes as well as no.
    expect(tally.fast).toBeGreaterThan(30);
    expect(tally.openssl).toBeGreaterThan(5);
    expect(tally.valid).toBeGreaterThanOrEqual(9);
  });

  it("on every one-byte change of a P-256 leaf under an EC CA and of one under an RSA CA", () => {
    const tally = { fast: 0, openssl: 0 };
    // Under an EC CA (UTF8String names) and under an RSA one: the two signature algorithms.
    const chosen = ["P-256 leaf with UTF8String names", "P-256 leaf under an RSA CA"];
    for (const { label, issued, issuer } of leaves.filter((l) => chosen.includes(l.label))) {
      const key = createPublicKey(issuer.privateKey);
      for (const { at, der } of mutations(issued.der, 0, signedBytesEnd(issued.der))) {
        tally[sameVerdict(der, key, `${label} byte ${at}`)]++;
      }
    }
    expect(tally.fast).toBeGreaterThan(500);
    expect(tally.openssl).toBeGreaterThan(100);
  });

  it.skipIf(noRealChains !== null)(titled("on the real chains of ../shared, their keys too", noRealChains), () => {
    let fast = 0;
    let keys = 0;
    for (const name of readdirSync(realChains)) {
      const pems = ["leaf.pem", "intermediates.pem", "root.pem"]
        .map((f) => path.join(realChains, name, f))
        .filter((f) => existsSync(f))
        .flatMap(
          (f) => readFileSync(f, "utf8").match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [],
        );
      const certificates = pems.map((pem) => new X509Certificate(pem));
      for (const child of certificates) {
        if (sameKey(new Uint8Array(child.raw), `${name}: ${child.subject}`) === "fast") keys++;
        for (const issuer of certificates) {
          if (sameVerdict(new Uint8Array(child.raw), issuer.publicKey, `${name}: ${child.subject}`) === "fast") fast++;
        }
      }
    }
    expect(fast).toBeGreaterThan(20);
    expect(keys).toBeGreaterThan(3);
  });
});

describe("EC keys read without OpenSSL's certificate object are the keys OpenSSL reads", () => {
  it("on the corpus, on every curve; other keys are left to OpenSSL", () => {
    const outcomes = Object.fromEntries(leaves.map((l) => [l.label, sameKey(l.issued.der, l.label)]));
    expect(outcomes).toMatchObject({
      "P-256 leaf under an EC CA": "fast",
      "P-384 leaf, ECDSA with SHA-384": "fast",
      "P-521 leaf": "fast",
      "RSA leaf": "openssl",
      "Ed25519 leaf": "openssl",
    });
  });

  it("on every one-byte change of a P-256 leaf; a point off the curve stays unreadable", () => {
    const tally = { fast: 0, openssl: 0 };
    const chosen = ["P-256 leaf under an EC CA", "P-256 leaf with UTF8String names"];
    for (const { label, issued } of leaves.filter((l) => chosen.includes(l.label))) {
      for (const { at, der } of mutations(issued.der, 0, signedBytesEnd(issued.der))) {
        tally[sameKey(der, `${label} byte ${at}`)]++;
      }
    }
    expect(tally.fast).toBeGreaterThan(500);
    const leaf = leaves[0]!.issued;

    // A point moved off the curve: OpenSSL decodes the certificate but not its key, and the
    // judge refuses it as before (the point's last byte is the certificate key's last byte).
    const point = readFast(leaf.der).signed!.publicKey;
    const at = point.byteOffset - leaf.der.byteOffset + point.length - 1;
    const offCurve = new Uint8Array(leaf.der);
    offCurve[at] = offCurve[at]! ^ 0x01;
    expect(namedCurvePoint(readFast(offCurve))).toBeUndefined();
    expect(() => new X509Certificate(offCurve).publicKey).toThrow();
    expect(() => inspectCertificate(offCurve)).toThrow(CertificateDecodeError);
  });

  it("makes OpenSSL's objects only when asked, and they are the certificate's", () => {
    const leaf = leaves[0]!.issued;
    const facts = inspectCertificate(leaf.der);
    expect(facts.key).toEqual({ type: "ec", bits: undefined, curve: "prime256v1", explicitCurve: false });
    expect(facts.publicKey.equals(new X509Certificate(leaf.der).publicKey)).toBe(true);
    expect(facts.node.fingerprint256).toBe(new X509Certificate(leaf.der).fingerprint256);
  });
});
