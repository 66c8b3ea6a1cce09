import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DIGICERT_G2_NAME,
  KeyUsageFlags,
  cachedKeys,
  corruptSignature,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  makeSelfSignedLeaf,
  realRootSubject,
} from "../helpers/pki.js";
import { missingCommand, titled } from "../helpers/environment.js";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";

/**
 * The test PKI itself: a factory that silently made the wrong certificate would make the
 * validation tests pass for the wrong reason, so what it makes is checked with OpenSSL's eyes.
 */

const node = (issued: { der: Uint8Array }) => new X509Certificate(issued.der);
const oneLine = (name: string) => name.split("\n").join(", ");

const noOpenssl = missingCommand("openssl", "apt-get install openssl; .ci/run does");

describe("test PKI factory", () => {
  it("makes a chain that verifies by signature", async () => {
    const root = await makeRoot();
    const intermediate = await makeIntermediate(root);
    const leaf = await makeLeaf(intermediate);
    expect(node(leaf).verify(node(intermediate).publicKey)).toBe(true);
    expect(node(intermediate).verify(node(root).publicKey)).toBe(true);
    expect(node(leaf).checkIssued(node(intermediate))).toBe(true);
    expect(node(root).ca).toBe(true);
    expect(node(leaf).ca).toBe(false);
    expect(node(leaf).keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]); // Node names the EKU "keyUsage"
  });

  it.skipIf(noOpenssl !== null)(titled("makes a chain openssl accepts for TLS client auth", noOpenssl), async () => {
    const root = await makeRoot({ keyAlg: "rsa-2048", keys: await cachedKeys("rsa-2048") });
    const intermediate = await makeIntermediate(root, { basicConstraints: { ca: true, pathLength: 0 } });
    const leaf = await makeLeaf(intermediate);
    const dir = mkdtempSync(join(tmpdir(), "pki-openssl-"));
    try {
      writeFileSync(join(dir, "root.pem"), root.pem);
      writeFileSync(join(dir, "int.pem"), intermediate.pem);
      writeFileSync(join(dir, "leaf.pem"), leaf.pem);
      const at = String(Math.floor(leaf.cert.notBefore.getTime() / 1000) + 86_400);
      const out = execFileSync(
        "openssl",
        ["verify", "-attime", at, "-purpose", "sslclient", "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"],
        {
          cwd: dir,
          encoding: "utf8",
        },
      );
      expect(out.trim()).toBe("leaf.pem: OK");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["SHA-256", "p-256", "1.2.840.10045.4.3.2"],
    ["SHA-1", "p-256", "1.2.840.10045.4.1"],
    ["SHA-256", "rsa-2048", "1.2.840.113549.1.1.11"],
    ["SHA-384", "rsa-2048", "1.2.840.113549.1.1.12"],
    ["SHA-1", "rsa-2048", "1.2.840.113549.1.1.5"],
    ["MD5", "rsa-2048", "1.2.840.113549.1.1.4"],
  ] as const)("signs with %s under a %s issuer", async (hash, keyAlg, oid) => {
    const root = await makeRoot({ keyAlg, keys: keyAlg === "rsa-2048" ? await cachedKeys("rsa-2048") : undefined });
    const leaf = await makeLeaf(root, { hash });
    // The outer signatureAlgorithm OID, read from the DER.
    const asn = AsnConvert.parse(leaf.der, Certificate);
    expect(asn.signatureAlgorithm.algorithm).toBe(oid);
    expect(asn.tbsCertificate.signature.algorithm).toBe(oid);
    // A genuine signature: weak-signature tests must not pass because of a broken signature.
    expect(node(leaf).verify(node(root).publicKey)).toBe(true);
  });

  it("makes the key sizes and curves it is asked for", async () => {
    const root = await makeRoot();
    const rsa1024 = await makeLeaf(root, { keyAlg: "rsa-1024" });
    const p384 = await makeLeaf(root, { keyAlg: "p-384" });
    const ed = await makeLeaf(root, { keyAlg: "ed25519" });
    expect(node(rsa1024).publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(node(p384).publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
    expect(node(ed).publicKey.asymmetricKeyType).toBe("ed25519");
  });

  it("corrupts exactly the signature", async () => {
    const root = await makeRoot();
    const leaf = await makeLeaf(root);
    const broken = corruptSignature(leaf);
    expect(broken.der.length).toBe(leaf.der.length);
    expect(Buffer.compare(Buffer.from(broken.der), Buffer.from(leaf.der))).not.toBe(0);
    expect(node(broken).subject).toBe(node(leaf).subject);
    expect(node(broken).verify(node(root).publicKey)).toBe(false);
  });

  it("writes names in the order given and copies real subjects byte for byte", async () => {
    const forged = await makeRoot({ name: DIGICERT_G2_NAME });
    expect(oneLine(node(forged).subject)).toBe(DIGICERT_G2_NAME);
    const exact = await makeRoot({ name: realRootSubject("DigiCert Global Root G2") });
    expect(new Uint8Array(exact.cert.subjectName.toArrayBuffer())).toEqual(realRootSubject("DigiCert Global Root G2"));
    expect(node(exact).subject).toBe(node(forged).subject);
  });

  it("leaves extensions out when asked, and lies about the issuer when asked", async () => {
    const root = await makeRoot({ cn: "Real Issuer" });
    const bare = await makeLeaf(root, {
      basicConstraints: null,
      keyUsage: null,
      eku: null,
      issuerName: "CN=Somebody Else",
    });
    const ids = bare.cert.extensions.map((e) => e.type);
    expect(ids).not.toContain("2.5.29.19");
    expect(ids).not.toContain("2.5.29.15");
    expect(ids).not.toContain("2.5.29.37");
    expect(node(bare).issuer).toBe("CN=Somebody Else");
    const ku = await makeIntermediate(root, {
      keyUsage: KeyUsageFlags.digitalSignature,
      basicConstraints: { ca: true, pathLength: 2 },
    });
    expect(ku.cert.extensions.map((e) => e.type)).toEqual(expect.arrayContaining(["2.5.29.19", "2.5.29.15"]));
  });

  it("makes self-signed leaves", async () => {
    const self = await makeSelfSignedLeaf({ cn: "me" });
    expect(node(self).subject).toBe(node(self).issuer);
    expect(node(self).verify(node(self).publicKey)).toBe(true);
    expect(node(self).ca).toBe(false);
  });
});
