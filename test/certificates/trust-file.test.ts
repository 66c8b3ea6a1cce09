import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import {
  TrustStore,
  trustAnchorsFromFile,
  validateCertificateBytes,
  type TrustAnchorSource,
} from "../../src/certificates/index.js";
import { AT, makeLeaf, makeRoot, pemFile, privateKeySamples, type Issued } from "../helpers/pki.js";

/** `--trust FILE`: every certificate of a PEM bundle or a DER file, CAs only, never a key. */

let first: Issued;
let second: Issued;

beforeAll(async () => {
  first = await makeRoot({ cn: "Bundle Root 1" });
  second = await makeRoot({ cn: "Bundle Root 2" });
});

function sources(bytes: Uint8Array): TrustAnchorSource[] {
  const result = trustAnchorsFromFile(bytes, "trusted by --trust bundle.pem");
  if (!result.ok) throw new Error(result.message);
  return result.sources;
}

describe("trustAnchorsFromFile", () => {
  it("takes every certificate of a PEM bundle, not only the first", async () => {
    const anchors = sources(pemFile(first, second));
    expect(anchors).toHaveLength(2);
    const leaf = await makeLeaf(second);
    const report = validateCertificateBytes(pemFile(leaf), {
      path: "device.pem",
      trust: TrustStore.fromSources(anchors),
      at: AT,
    });
    expect(report.verdict).toBe("valid");
    expect(report.certificate?.brand).toBe("trusted by --trust bundle.pem");
  });

  it("takes a DER certificate", () => {
    expect(sources(first.der).map((s) => s.fingerprintSha256)).toEqual([sources(pemFile(first))[0]!.fingerprintSha256]);
  });

  it("refuses a file holding a private key, naming no key material", () => {
    for (const sample of privateKeySamples()) {
      // Text keys beside a root; DER keys as the whole file (DER holds one object).
      const der = sample.label.includes("DER");
      const bytes = der ? sample.bytes : Buffer.concat([Buffer.from(first.pem), Buffer.from(sample.bytes)]);
      const result = trustAnchorsFromFile(bytes, "x");
      expect(result.ok, sample.label).toBe(false);
      const message = result.ok ? "" : result.message;
      expect(message).toContain("private key");
      for (const secret of sample.secrets) expect(message).not.toContain(secret.slice(0, 24));
    }
  });

  it("refuses a certificate that is not a CA, with a clear message", async () => {
    const leaf = await makeLeaf(first, { cn: "not-a-ca" });
    const result = trustAnchorsFromFile(pemFile(first, leaf), "x");
    expect(result).toEqual({
      ok: false,
      message:
        'certificate 2 of the file: "CN=not-a-ca" is not a CA certificate (it says CA:FALSE); only a CA can be a trust anchor',
    });
    const bare = await makeLeaf(first, { cn: "bare", basicConstraints: null });
    expect(trustAnchorsFromFile(pemFile(bare), "x").ok).toBe(false);
  });

  it("accepts a self-signed root without basicConstraints (v1-style, like some pinned roots)", async () => {
    const legacy = await makeRoot({ cn: "Legacy", basicConstraints: null });
    expect(sources(pemFile(legacy))).toHaveLength(1);
  });

  it("refuses garbage and empty files", () => {
    expect(trustAnchorsFromFile(Buffer.from("hello"), "x").ok).toBe(false);
    expect(trustAnchorsFromFile(new Uint8Array(), "x").ok).toBe(false);
  });
});
