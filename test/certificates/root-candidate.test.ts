import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { allowlistSources } from "../../src/certificates/allowlist/index.js";
import { judgeRootCandidate } from "../../src/certificates/root-candidate.js";
import { makeIntermediate, makeLeaf, makeRoot, privateKeySamples, validFor } from "../helpers/pki.js";

/**
 * A root certificate someone asks OneRecord to approve (issue 20, "Adding a CA"): one self-signed
 * CA certificate that could anchor client certificates, judged in four stages; what was pasted
 * instead is refused by a stable code, a private key never echoed.
 */
const at = new Date();
const options = { at, extraCAs: [] };
const bytes = (text: string) => new TextEncoder().encode(text);

describe("judgeRootCandidate", () => {
  it("accepts a self-signed CA certificate, with its fingerprint, subject and key", async () => {
    const root = await makeRoot({ cn: "Candidate Root", ...validFor(3650) });
    const judged = judgeRootCandidate(bytes(root.pem), options);
    expect(judged).toMatchObject({ verdict: "acceptable", errors: [], approvedAs: null, facts: null });
    expect(judged.fingerprintSha256).toBe(new X509Certificate(root.pem).fingerprint256);
    expect(judged.subject).toMatch(/Candidate Root/);
    expect(judged.key).toMatch(/ec/i);
  });

  it("says which brand approves it already: the allowlist (with its CCADB facts) or extraCAs", async () => {
    const shipped = allowlistSources()[0]!;
    const known = judgeRootCandidate(bytes(shipped.pem), options);
    expect(known).toMatchObject({ approvedAs: shipped.brand, facts: { programs: expect.any(Array) } });
    const root = await makeRoot({ cn: "Extra Root", ...validFor(3650) });
    const fingerprintSha256 = new X509Certificate(root.pem).fingerprint256;
    expect(
      judgeRootCandidate(bytes(root.pem), { at, extraCAs: [{ brand: "Extra CA", fingerprintSha256 }] }),
    ).toMatchObject({
      approvedAs: "Extra CA",
    });
  });

  it("refuses a leaf, an intermediate, two certificates, garbage, an expired or weak root", async () => {
    const root = await makeRoot({ cn: "R", ...validFor(3650) });
    const intermediate = await makeIntermediate(root, { cn: "I", ...validFor(3650) });
    const leaf = await makeLeaf(intermediate, { cn: "gw-1", ...validFor(300) });
    const code = (text: string) => judgeRootCandidate(bytes(text), options).errors.map((e) => e.code);
    expect(code(leaf.pem)).toEqual(["not-a-ca"]);
    expect(code(intermediate.pem)).toEqual(["not-self-signed"]);
    expect(code(`${root.pem}\n${intermediate.pem}`)).toEqual(["not-one-certificate"]);
    expect(code("hello")).toEqual(["not-a-certificate"]);
    const old = await makeRoot({
      cn: "Old",
      notBefore: new Date(Date.now() - 900 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(code(old.pem)).toEqual(["expired"]);
    const weak = await makeRoot({ cn: "Weak", keyAlg: "rsa-1024", ...validFor(3650) });
    expect(code(weak.pem)).toContain("weak-key");
    const soon = await makeRoot({ cn: "Soon", ...validFor(100) });
    expect(judgeRootCandidate(bytes(soon.pem), options)).toMatchObject({
      verdict: "acceptable",
      warnings: [{ code: "expires-soon" }],
    });
  });

  it("refuses a private key pasted instead (alone or beside a certificate), naming only its kind", async () => {
    const root = await makeRoot({ cn: "R2", ...validFor(3650) });
    // A form field holds text: every text form of a key, alone and beside a certificate (binary DER
    // keys are refused too, as no certificate: not-a-certificate).
    for (const sample of privateKeySamples().filter((k) => !/DER/.test(k.label))) {
      for (const pasted of [sample.bytes, Buffer.concat([Buffer.from(`${root.pem}\n`), sample.bytes])]) {
        const judged = judgeRootCandidate(pasted, options);
        expect(
          judged.errors.map((e) => e.code),
          sample.label,
        ).toEqual(["private-key"]);
        for (const secret of sample.secrets) expect(JSON.stringify(judged)).not.toContain(secret);
      }
    }
  });
});
