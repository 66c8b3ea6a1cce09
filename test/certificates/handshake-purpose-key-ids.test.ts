import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes } from "../../src/certificates/index.js";
import { handshake, serverIdentity, type ServerIdentity } from "../helpers/handshake.js";
import { makeIntermediate, makeLeaf, makeRoot, pemFile, trustFor, validFor, type Issued } from "../helpers/pki.js";

/**
 * Two kinds of chain RFC 5280 allows but OpenSSL's TLS stack refuses in the handshake, judged
 * beside a real mutual-TLS handshake (test/helpers/handshake.ts): a CA whose only extended key
 * usage is anyExtendedKeyUsage (OpenSSL error 26, unsuitable certificate purpose), and an
 * authority key identifier that does not match the issuer's subject key identifier (error 20,
 * unable to get local issuer certificate), on each link of the path. A `valid` verdict must mean
 * the handshake succeeds; these are refused with their own findings.
 */
let server: ServerIdentity;
const window = () => validFor(30);
const OTHER_KEY_ID = "0102030405060708090a0b0c0d0e0f1011121314";

beforeAll(async () => {
  server = await serverIdentity();
});

interface Case {
  root: Issued;
  leaf: Issued;
  intermediates: Issued[];
}

async function judgeAndShake(chain: Case) {
  const report = validateCertificateBytes(pemFile(chain.leaf, ...chain.intermediates), {
    path: "device.pem",
    trust: trustFor(chain.root),
    at: new Date(),
  });
  return {
    codes: [...new Set(report.errors.map((e) => e.code))],
    messages: report.errors.map((e) => e.message).join("\n"),
    accepted: await handshake(server, chain),
  };
}

describe("a CA whose only extended key usage is anyExtendedKeyUsage", () => {
  it("an intermediate with only anyExtendedKeyUsage: refused by the judge and by the handshake", async () => {
    const root = await makeRoot({ cn: "Any EKU Root", ...window() });
    const ca = await makeIntermediate(root, { cn: "Any EKU CA", eku: ["any"], ...window() });
    const leaf = await makeLeaf(ca, { cn: "any-eku-device", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["missing-client-auth"]);
    expect(result.messages).toMatch(/"CN=Any EKU CA" lists only anyExtendedKeyUsage/);
    expect(result.messages).toMatch(/clientAuth/);
  });

  it("anyExtendedKeyUsage beside clientAuth on the intermediate: valid, and the handshake succeeds", async () => {
    const root = await makeRoot({ cn: "Any+Client Root", ...window() });
    const ca = await makeIntermediate(root, { cn: "Any+Client CA", eku: ["any", "clientAuth"], ...window() });
    const leaf = await makeLeaf(ca, { cn: "any-client-device", ...window() });
    expect(await judgeAndShake({ root, leaf, intermediates: [ca] })).toMatchObject({ codes: [], accepted: true });
  });

  it("a root with only anyExtendedKeyUsage: refused by the judge (it anchors nothing) and by the handshake", async () => {
    const root = await makeRoot({ cn: "Any EKU Anchor", eku: ["any"], ...window() });
    const ca = await makeIntermediate(root, { cn: "Under Any EKU Anchor", ...window() });
    const leaf = await makeLeaf(ca, { cn: "any-anchor-device", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["anchor-constraint"]);
    expect(result.messages).toMatch(/"CN=Any EKU Anchor" lists only anyExtendedKeyUsage/);
  });
});

describe("an authority key identifier that is not the issuer's subject key identifier", () => {
  it("leaf → intermediate: refused by the judge and by the handshake", async () => {
    const root = await makeRoot({ cn: "AKI Root 1", ...window() });
    const ca = await makeIntermediate(root, { cn: "AKI CA 1", ...window() });
    const leaf = await makeLeaf(ca, { cn: "aki-device-1", authorityKeyId: { keyId: OTHER_KEY_ID }, ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
    expect(result.messages).toMatch(
      /"CN=aki-device-1" names, in its authority key identifier, the key identifier 01:02:03:.*, where "CN=AKI CA 1" has [0-9A-F:]+;/,
    );
    expect(result.messages).toMatch(/put the CA certificate your CA delivered with this certificate in the file/);
  });

  it("intermediate → intermediate: refused by the judge and by the handshake", async () => {
    const root = await makeRoot({ cn: "AKI Root 2", ...window() });
    const upper = await makeIntermediate(root, { cn: "AKI Upper CA 2", ...window() });
    const lower = await makeIntermediate(upper, {
      cn: "AKI Lower CA 2",
      authorityKeyId: { keyId: OTHER_KEY_ID },
      ...window(),
    });
    const leaf = await makeLeaf(lower, { cn: "aki-device-2", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [lower, upper] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
  });

  it("intermediate → root: refused by the judge and by the handshake", async () => {
    const root = await makeRoot({ cn: "AKI Root 3", ...window() });
    const ca = await makeIntermediate(root, { cn: "AKI CA 3", authorityKeyId: { keyId: OTHER_KEY_ID }, ...window() });
    const leaf = await makeLeaf(ca, { cn: "aki-device-3", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
  });

  it("leaf → root: refused by the judge and by the handshake", async () => {
    const root = await makeRoot({ cn: "AKI Root 4", ...window() });
    const leaf = await makeLeaf(root, { cn: "aki-device-4", authorityKeyId: { keyId: OTHER_KEY_ID }, ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
  });

  it("an authorityCertSerialNumber that is not the issuer's serial: refused by both", async () => {
    const root = await makeRoot({ cn: "AKI Root 5", serial: "0a0b0c", ...window() });
    const ca = await makeIntermediate(root, {
      cn: "AKI CA 5",
      authorityKeyId: { serial: "0d0e0f", issuerName: "CN=AKI Root 5" },
      ...window(),
    });
    const leaf = await makeLeaf(ca, { cn: "aki-device-5", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
  });

  it("an authorityCertIssuer that is not the issuer's issuer: refused by both", async () => {
    const root = await makeRoot({ cn: "AKI Root 7", serial: "0a0b0e", ...window() });
    const ca = await makeIntermediate(root, {
      cn: "AKI CA 7",
      authorityKeyId: { serial: "0a0b0e", issuerName: "CN=Another Root 7" },
      ...window(),
    });
    const leaf = await makeLeaf(ca, { cn: "aki-device-7", ...window() });
    const result = await judgeAndShake({ root, leaf, intermediates: [ca] });
    expect(result.accepted).toBe(false);
    expect(result.codes).toEqual(["key-identifier-mismatch"]);
  });

  it("a copy of the CA with another key identifier listed first does not hide the right one", async () => {
    const root = await makeRoot({ cn: "AKI Root 8", ...window() });
    const ca = await makeIntermediate(root, { cn: "AKI CA 8", ...window() });
    const copy = await makeIntermediate(root, {
      cn: "AKI CA 8",
      keys: ca.keys,
      subjectKeyId: OTHER_KEY_ID,
      ...window(),
    });
    const leaf = await makeLeaf(ca, { cn: "aki-device-8", ...window() });
    expect(await judgeAndShake({ root, leaf, intermediates: [copy, ca] })).toMatchObject({ codes: [], accepted: true });
    const alone = await judgeAndShake({ root, leaf, intermediates: [copy] });
    expect(alone).toMatchObject({ codes: ["key-identifier-mismatch"], accepted: false });
  });

  it("the right serial and issuer name, and an issuer (the root) without a key identifier: valid, and accepted", async () => {
    const root = await makeRoot({ cn: "AKI Root 6", serial: "0a0b0d", subjectKeyId: false, ...window() });
    const ca = await makeIntermediate(root, {
      cn: "AKI CA 6",
      authorityKeyId: { keyId: OTHER_KEY_ID, serial: "0a0b0d", issuerName: "CN=AKI Root 6" },
      ...window(),
    });
    const leaf = await makeLeaf(ca, { cn: "aki-device-6", ...window() });
    expect(await judgeAndShake({ root, leaf, intermediates: [ca] })).toMatchObject({ codes: [], accepted: true });
  });
});
