import "reflect-metadata";
import { RsaSaPssParams } from "@peculiar/asn1-rsa";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inspectCertificate } from "../../src/certificates/inspect.js";
import { parseDer } from "../../src/certificates/der.js";
import { pssHashOf } from "../../src/certificates/pss-params.js";

/**
 * The judge declares RSASSA-PSS-params itself (src/certificates/pss-params.ts, issue 22: the
 * @peculiar/asn1-rsa package cost 6 ms of every CLI start). Held here to that package's
 * RsaSaPssParams, the reference it replaces: the same hash for the same bytes, the same refusals.
 */
x509.cryptoProvider.set(webcrypto);

function reference(parameters: Uint8Array | undefined): string {
  return (parameters ? parseDer(parameters, RsaSaPssParams) : new RsaSaPssParams()).hashAlgorithm.algorithm;
}

const SHA256 = "2.16.840.1.101.3.4.2.1";
const encoded = (params: RsaSaPssParams) => new Uint8Array(AsnConvert.serialize(params));

describe("RSASSA-PSS parameters", () => {
  it("give the hash as asn1-rsa's RsaSaPssParams does, whatever fields are present", () => {
    const cases: Array<Uint8Array | undefined> = [
      undefined,
      encoded(new RsaSaPssParams()),
      encoded(new RsaSaPssParams({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256, parameters: null }) })),
      encoded(new RsaSaPssParams({ hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256 }), saltLength: 32 })),
      encoded(new RsaSaPssParams({ saltLength: 64, trailerField: 1 })),
    ];
    for (const params of cases) expect(pssHashOf(params)).toBe(reference(params));
    expect(pssHashOf(cases[2])).toBe(SHA256);
  });

  it("on odd bytes, refuse where the reference refuses and agree where it does not", () => {
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch {
        return "refused";
      }
    };
    const odd = [
      "0401",
      "30",
      "3003a00100",
      "a000",
      "3000",
      "3005a0030601",
      "30070500a003020120",
      "3008a2030201200500",
    ];
    let refused = 0;
    for (const hex of odd) {
      const bytes = new Uint8Array(Buffer.from(hex, "hex"));
      const expected = outcome(() => reference(bytes));
      if (expected === "refused") refused++;
      expect(
        outcome(() => pssHashOf(bytes)),
        hex,
      ).toBe(expected);
    }
    expect(refused).toBeGreaterThan(0);
  });

  it("name a certificate signed with RSASSA-PSS and SHA-256", async () => {
    const alg = { name: "RSA-PSS", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=PSS Root",
      keys,
      signingAlgorithm: { name: "RSA-PSS", saltLength: 32 },
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2027-01-01T00:00:00Z"),
    });
    expect(inspectCertificate(new Uint8Array(cert.rawData)).signatureAlgorithm).toEqual({
      name: "RSASSA-PSS with SHA-256",
      weak: false,
    });
  });
});
