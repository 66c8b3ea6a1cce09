import "reflect-metadata";
import { generateKeyPairSync } from "node:crypto";
import { Extensions, GeneralName, type TBSCertificate } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, type FileReport, type TrustStore } from "../../src/certificates/index.js";
import { deliverableKey } from "../../src/certificates/deliverable-key.js";
import { parseMailbox } from "../../src/certificates/name-constraints.js";
import { keyManagementFor } from "../../src/tokens/encrypt.js";
import {
  AT,
  KeyUsageFlags,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  nameConstraintsExtension,
  pemFile,
  rawExtension,
  resigned,
  trustFor,
  withExplicitCurve,
  type Issued,
} from "../helpers/pki.js";

/**
 * What RFC 5280 (and every OpenSSL-, Go- or NSS-based endpoint) refuses, the judge refuses too:
 * each case was `valid` before, and each has its own finding code.
 */

const codes = (report: FileReport) => [...new Set(report.errors.map((e) => e.code))].sort();
const validate = (bytes: Uint8Array, trust: TrustStore): FileReport =>
  validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT });

const UNKNOWN_OID = "1.3.6.1.4.1.55555.1.2";

let root: Issued;
let intermediate: Issued;
let trust: TrustStore;

beforeAll(async () => {
  root = await makeRoot({ cn: "RFC Root" });
  intermediate = await makeIntermediate(root, { cn: "RFC Issuing CA" });
  trust = trustFor(root);
});

describe("duplicate-extension (RFC 5280 §4.2: at most one instance of each)", () => {
  it("refuses EKU serverAuth followed by EKU clientAuth (the last copy must not win)", async () => {
    const leaf = await makeLeaf(intermediate, {
      eku: ["serverAuth"],
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
    });
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("duplicate-extension");
    expect(report.errors.find((e) => e.code === "duplicate-extension")!.message).toContain("extKeyUsage (2.5.29.37)");
  });

  it("refuses an intermediate with basicConstraints CA:FALSE then CA:TRUE", async () => {
    const sneaky = await makeIntermediate(root, {
      cn: "Sneaky CA",
      basicConstraints: { ca: false },
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const leaf = await makeLeaf(sneaky);
    expect(codes(validate(pemFile(leaf, sneaky), trust))).toContain("duplicate-extension");
  });

  it("refuses a trusted root carrying an extension twice", async () => {
    const twice = await makeRoot({
      cn: "Twice Root",
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    const leaf = await makeLeaf(twice);
    expect(codes(validate(pemFile(leaf), trustFor(twice)))).toEqual(["duplicate-extension"]);
  });
});

describe("unknown-critical-extension (RFC 5280 §4.2)", () => {
  it("refuses a leaf with a critical extension the judge does not process", async () => {
    const leaf = await makeLeaf(intermediate, { extensions: [rawExtension(UNKNOWN_OID, true)] });
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(codes(report)).toEqual(["unknown-critical-extension"]);
    expect(report.errors[0]!.message).toContain(UNKNOWN_OID);
  });

  it("refuses an intermediate with one", async () => {
    const ca = await makeIntermediate(root, { cn: "Critical CA", extensions: [rawExtension(UNKNOWN_OID, true)] });
    const leaf = await makeLeaf(ca);
    expect(codes(validate(pemFile(leaf, ca), trust))).toEqual(["unknown-critical-extension"]);
  });

  it("refuses a trust anchor with one (a pin does not make the TLS stack process it)", async () => {
    const critical = await makeRoot({ cn: "Critical Root", extensions: [rawExtension(UNKNOWN_OID, true)] });
    const leaf = await makeLeaf(critical);
    expect(codes(validate(pemFile(leaf), trustFor(critical)))).toEqual(["unknown-critical-extension"]);
  });

  it("refuses critical extensions that are known but not processed (policyConstraints, key identifiers)", async () => {
    const policy = await makeLeaf(intermediate, {
      extensions: [rawExtension("2.5.29.36", true, [0x30, 0x03, 0x80, 0x01, 0x00])],
    });
    expect(codes(validate(pemFile(policy, intermediate), trust))).toEqual(["unknown-critical-extension"]);
  });

  it("accepts the same extension when it is not critical", async () => {
    const leaf = await makeLeaf(intermediate, { extensions: [rawExtension(UNKNOWN_OID, false)] });
    expect(validate(pemFile(leaf, intermediate), trust).verdict).toBe("valid");
  });

  it("accepts critical certificatePolicies (no policy input makes them change the outcome)", async () => {
    const policies = new x509.CertificatePolicyExtension(["2.23.140.1.2.1"], true);
    const leaf = await makeLeaf(intermediate, { extensions: [policies] });
    expect(validate(pemFile(leaf, intermediate), trust).verdict).toBe("valid");
  });
});

describe("name-chaining (RFC 5280 §6.1.3 (a)(4): name and key)", () => {
  it("refuses a leaf signed by the intermediate's key under another issuer name", async () => {
    const leaf = await makeLeaf(intermediate, { issuerName: "CN=Some Other CA" });
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toEqual(["name-chaining"]);
    expect(report.errors[0]!.message).toContain('signed by "CN=RFC Issuing CA"');
  });

  it("refuses an intermediate signed by the root's key under another issuer name", async () => {
    const renamed = await makeIntermediate(root, { cn: "Renamed CA", issuerName: "CN=Not The Root" });
    const leaf = await makeLeaf(renamed);
    expect(codes(validate(pemFile(leaf, renamed), trust))).toEqual(["name-chaining"]);
  });

  it("accepts names that match under the RFC 5280 §7.1 comparison (case, spaces)", async () => {
    const leaf = await makeLeaf(intermediate, { issuerName: "CN=  rfc   issuing ca " });
    expect(validate(pemFile(leaf, intermediate), trust).verdict).toBe("valid");
  });

  it("still never trusts by name alone", async () => {
    const twin = await makeRoot({ cn: "RFC Root" });
    const leaf = await makeLeaf(twin);
    expect(codes(validate(pemFile(leaf), trust))).toContain("untrusted-root");
  });
});

describe("anchor-constraint: an anchor that states a constraint against itself anchors nothing", () => {
  it("refuses a path to a root that says CA:FALSE", async () => {
    const notCa = await makeRoot({ cn: "Not A CA Root", basicConstraints: { ca: false } });
    const leaf = await makeLeaf(notCa);
    const report = validate(pemFile(leaf), trustFor(notCa));
    expect(codes(report)).toEqual(["anchor-constraint"]);
    expect(report.errors[0]!.message).toContain("CA:FALSE");
  });

  it("refuses a path to a root whose EKU excludes clientAuth", async () => {
    const serverOnly = await makeRoot({ cn: "Server Only Root", eku: ["serverAuth"] });
    const leaf = await makeLeaf(serverOnly);
    expect(codes(validate(pemFile(leaf), trustFor(serverOnly)))).toEqual(["anchor-constraint"]);
  });

  it("accepts a root whose EKU includes clientAuth, and one without basicConstraints (v1-style)", async () => {
    const client = await makeRoot({ cn: "Client Root", eku: ["clientAuth"] });
    expect(validate(pemFile(await makeLeaf(client)), trustFor(client)).verdict).toBe("valid");
    const legacy = await makeRoot({ cn: "Legacy Root", basicConstraints: null });
    expect(validate(pemFile(await makeLeaf(legacy)), trustFor(legacy)).verdict).toBe("valid");
  });
});

describe("explicit-curve (RFC 5480 §2.1.1: namedCurve only)", () => {
  it("refuses a device key with explicit P-256 parameters", async () => {
    const leaf = await withExplicitCurve(await makeLeaf(intermediate), intermediate);
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(report.verdict).toBe("invalid");
    expect(codes(report)).toContain("explicit-curve");
  });

  it("refuses an intermediate with explicit parameters", async () => {
    const ca = await withExplicitCurve(await makeIntermediate(root, { cn: "Explicit CA" }), root);
    const leaf = await makeLeaf(ca);
    expect(codes(validate(pemFile(leaf, ca), trust))).toContain("explicit-curve");
  });
});

describe("undeliverable-key: a device key no token can be delivered to", () => {
  it("refuses an Ed25519 device certificate (valid for TLS, but no JWE reaches it)", async () => {
    const leaf = await makeLeaf(intermediate, { keyAlg: "ed25519" });
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(codes(report)).toEqual(["undeliverable-key"]);
    expect(report.errors[0]!.message).toContain("ed25519");
  });

  it("still accepts Ed25519 CA keys (only the device key receives the token)", async () => {
    const edRoot = await makeRoot({ cn: "Ed Root", keyAlg: "ed25519" });
    const leaf = await makeLeaf(edRoot);
    expect(validate(pemFile(leaf), trustFor(edRoot)).verdict).toBe("valid");
  });

  it("is the one definition the token code uses", () => {
    const keys = [
      ["rsa 2048", generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, true],
      ["rsa 1024", generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey, false],
      ["rsa-pss", generateKeyPairSync("rsa-pss", { modulusLength: 2048 }).publicKey, false],
      ["P-256", generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, true],
      ["P-521", generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey, true],
      ["secp256k1", generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey, false],
      ["ed25519", generateKeyPairSync("ed25519").publicKey, false],
      ["x25519", generateKeyPairSync("x25519").publicKey, false],
    ] as const;
    for (const [label, key, ok] of keys) {
      expect(deliverableKey(key).ok, label).toBe(ok);
      let tokenAccepts = true;
      try {
        keyManagementFor(key);
      } catch {
        tokenAccepts = false;
      }
      expect(tokenAccepts, label).toBe(ok);
    }
  });
});

describe("name-constraints (RFC 5280 §4.2.1.10, §6.1)", () => {
  async function constrained(
    constraints: Parameters<typeof nameConstraintsExtension>[0],
    critical = true,
  ): Promise<Issued> {
    return makeIntermediate(root, {
      cn: "Constrained CA",
      name: "O=Acme, CN=Constrained CA",
      extensions: [nameConstraintsExtension(constraints, critical)],
    });
  }
  const judge = async (ca: Issued, leafOptions: Parameters<typeof makeLeaf>[1]) =>
    validate(pemFile(await makeLeaf(ca, leafOptions), ca), trust);

  it("dNSName: permits the subtree, refuses names outside it and excluded ones", async () => {
    const ca = await constrained({
      permitted: [{ type: "dns", value: "example.com" }],
      excluded: [{ type: "dns", value: "bad.example.com" }],
    });
    expect((await judge(ca, { san: [{ type: "dns", value: "pump.example.com" }] })).verdict).toBe("valid");
    expect(codes(await judge(ca, { san: [{ type: "dns", value: "pump.evil.com" }] }))).toEqual(["name-constraints"]);
    expect(codes(await judge(ca, { san: [{ type: "dns", value: "x.bad.example.com" }] }))).toEqual([
      "name-constraints",
    ]);
    // A suffix that is not a label boundary is outside.
    expect(codes(await judge(ca, { san: [{ type: "dns", value: "notexample.com" }] }))).toEqual(["name-constraints"]);
  });

  it("dNSName also binds a leaf's host-name-like common name when it has no dNSName (as OpenSSL does)", async () => {
    const ca = await constrained({ permitted: [{ type: "dns", value: "example.com" }] });
    expect(codes(await judge(ca, { cn: "pump.evil.com" }))).toEqual(["name-constraints"]);
    expect((await judge(ca, { cn: "pump.example.com" })).verdict).toBe("valid");
    expect((await judge(ca, { cn: "pump 7" })).verdict).toBe("valid");
    expect((await judge(ca, { cn: "pump.evil.com", san: [{ type: "dns", value: "pump.example.com" }] })).verdict).toBe(
      "valid",
    );
  });

  it("dNSName: a wildcard name reaching into an excluded subtree is refused (CVE-2025-61727)", async () => {
    const ca = await constrained({ excluded: [{ type: "dns", value: "bar.example.com" }] });
    expect(codes(await judge(ca, { san: [{ type: "dns", value: "*.example.com" }] }))).toEqual(["name-constraints"]);
    expect((await judge(ca, { san: [{ type: "dns", value: "*.other.example.com" }] })).verdict).toBe("valid");
  });

  it("refuses, rather than runs, a quadratic check of thousands of names against thousands of constraints", async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ type: "dns" as const, value: `n${i}.example.com` }));
    const ca = await constrained({ permitted: many });
    const report = await judge(ca, { san: many.slice(0, 250) });
    expect(codes(report)).toEqual(["name-constraints"]);
    expect(report.errors[0]!.message).toContain("too many names");
  });

  it("rfc822Name: mailbox, host and domain forms, in the SAN and in the subject's emailAddress", async () => {
    const ca = await constrained({ permitted: [{ type: "email", value: ".example.com" }] });
    expect((await judge(ca, { san: [{ type: "email", value: "ops@mail.example.com" }] })).verdict).toBe("valid");
    expect(codes(await judge(ca, { san: [{ type: "email", value: "ops@example.org" }] }))).toEqual([
      "name-constraints",
    ]);
    const legacy = await judge(ca, {
      name: "CN=device, E=ops@example.org",
    });
    expect(codes(legacy)).toEqual(["name-constraints"]);
  });

  it("rfc822Name: an address with more than one @ is no mailbox, inside no subtree (RFC 5280 §4.2.1.6)", async () => {
    const ca = await constrained({ permitted: [{ type: "email", value: "example.com" }] });
    const twoAts = await judge(ca, { san: [{ type: "email", value: "invalid@address@example.com" }] });
    expect(codes(twoAts)).toEqual(["name-constraints"]);
    expect(twoAts.errors[0]!.message).toMatch(
      /the e-mail address "invalid@address@example.com" is not a valid mailbox \(one @ between a local part and a domain.*have the certificate reissued/,
    );
    expect(codes(await judge(ca, { name: "CN=device, E=invalid@address@example.com" }))).toEqual(["name-constraints"]);
    const mailbox = await constrained({ permitted: [{ type: "email", value: "ops@example.com" }] });
    expect(codes(await judge(mailbox, { san: [{ type: "email", value: "x@ops@example.com" }] }))).toEqual([
      "name-constraints",
    ]);
    // Under excluded subtrees only, it cannot be shown to lie outside them either.
    const excluded = await constrained({ excluded: [{ type: "email", value: "evil.com" }] });
    expect(codes(await judge(excluded, { san: [{ type: "email", value: "ops@evil.com@example.com" }] }))).toEqual([
      "name-constraints",
    ]);
    // A quoted local part may hold an @ (RFC 5321 §4.1.2): that is one mailbox, inside example.com.
    expect((await judge(ca, { san: [{ type: "email", value: '"ops@pump"@example.com' }] })).verdict).toBe("valid");
    // Where no CA constrains e-mail addresses, a malformed one is not the judge's concern.
    const dnsOnly = await constrained({ permitted: [{ type: "dns", value: "example.com" }] });
    const unconstrained = {
      san: [
        { type: "dns" as const, value: "pump.example.com" },
        { type: "email" as const, value: "a@b@c" },
      ],
    };
    expect((await judge(dnsOnly, unconstrained)).verdict).toBe("valid");
  });

  it("parseMailbox: RFC 5321 §4.1.2's Mailbox, nothing looser", () => {
    expect(parseMailbox("ops@mail.example.com")).toEqual({ local: "ops", domain: "mail.example.com" });
    expect(parseMailbox('"a@b"@example.com')).toEqual({ local: '"a@b"', domain: "example.com" });
    for (const bad of [
      "a@b@example.com",
      "@example.com",
      "ops@",
      "ops",
      "a..b@x.com",
      ".a@x.com",
      "a@x..com",
      "a@-x.com",
      '"a"b@x.com',
    ])
      expect(parseMailbox(bad), bad).toBeUndefined();
  });

  it("iPAddress: address and mask", async () => {
    const ca = await constrained({ permitted: [{ type: "ip", value: "10.0.0.0/8" }] });
    expect((await judge(ca, { san: [{ type: "ip", value: "10.20.30.40" }] })).verdict).toBe("valid");
    expect(codes(await judge(ca, { san: [{ type: "ip", value: "192.168.1.1" }] }))).toEqual(["name-constraints"]);
    // An IPv6 address is not inside an IPv4 subtree (OpenSSL agrees).
    expect(codes(await judge(ca, { san: [{ type: "ip", value: "2001:db8::1" }] }))).toEqual(["name-constraints"]);
  });

  it("URI: the host of the URI", async () => {
    const ca = await constrained({ excluded: [{ type: "url", value: ".evil.com" }] });
    expect((await judge(ca, { san: [{ type: "url", value: "https://api.example.com/x" }] })).verdict).toBe("valid");
    expect(codes(await judge(ca, { san: [{ type: "url", value: "https://a.evil.com/x" }] }))).toEqual([
      "name-constraints",
    ]);
  });

  it("directoryName: the subject must lie under the permitted name", async () => {
    const ca = await constrained({ permitted: [{ type: "dn", value: "O=Acme" }] });
    expect((await judge(ca, { name: "O=Acme, CN=device-1" })).verdict).toBe("valid");
    expect(codes(await judge(ca, { name: "O=Evil, CN=device-1" }))).toEqual(["name-constraints"]);
  });

  it("binds across the path: the root's constraints bind the leaf below a second CA", async () => {
    const ncRoot = await makeRoot({
      cn: "NC Root",
      extensions: [nameConstraintsExtension({ permitted: [{ type: "dns", value: "example.com" }] })],
    });
    const ca = await makeIntermediate(ncRoot, {
      cn: "NC Issuing CA",
      extensions: [nameConstraintsExtension({ permitted: [{ type: "dns", value: "other.com" }] })],
    });
    const inOther = await makeLeaf(ca, { san: [{ type: "dns", value: "a.other.com" }] });
    const report = validate(pemFile(inOther, ca), trustFor(ncRoot));
    expect(codes(report)).toEqual(["name-constraints"]);
    expect(report.errors[0]!.message).toContain("NC Root");
  });

  it("refuses a critical extension holding a form it cannot process; processes the rest when not critical", async () => {
    const registered = { type: "raw" as const, value: new GeneralName({ registeredID: "1.2.3.4" }) };
    const critical = await constrained({ permitted: [registered, { type: "dns", value: "example.com" }] });
    const report = await judge(critical, { san: [{ type: "dns", value: "pump.example.com" }] });
    expect(codes(report)).toEqual(["name-constraints"]);
    expect(report.errors[0]!.message).toContain("registeredID");
    const lenient = await constrained({ permitted: [registered, { type: "dns", value: "example.com" }] }, false);
    expect((await judge(lenient, { san: [{ type: "dns", value: "pump.example.com" }] })).verdict).toBe("valid");
    expect(codes(await judge(lenient, { san: [{ type: "dns", value: "pump.evil.com" }] }))).toEqual([
      "name-constraints",
    ]);
  });
});

describe("validity to the second (RFC 5280 §4.1.2.5: notAfter is inclusive)", () => {
  it("is valid within the notAfter second and expired from the next", async () => {
    const notAfter = new Date(AT.getTime() + 1000 * 3600);
    const leaf = await makeLeaf(intermediate, { notAfter });
    const at = (ms: number) =>
      validateCertificateBytes(pemFile(leaf, intermediate), {
        path: "d.pem",
        trust,
        at: new Date(notAfter.getTime() + ms),
      });
    expect(at(0).verdict).toBe("valid");
    expect(at(5).verdict).toBe("valid");
    expect(at(999).verdict).toBe("valid");
    expect(codes(at(1000))).toEqual(["expired"]);
  });
});

describe("certificate-profile: RFC 5280 MUSTs that OpenSSL's strict mode enforces", () => {
  const without = (oid: string) => (tbs: TBSCertificate) => {
    tbs.extensions = new Extensions(tbs.extensions!.filter((e) => e.extnID !== oid));
  };

  it("refuses a leaf without an authority key identifier (§4.2.1.1)", async () => {
    const leaf = await resigned(await makeLeaf(intermediate), intermediate, without("2.5.29.35"));
    const report = validate(pemFile(leaf, intermediate), trust);
    expect(codes(report)).toEqual(["certificate-profile"]);
    expect(report.errors[0]!.message).toContain("authority key identifier");
  });

  it("refuses an intermediate without a subject key identifier (§4.2.1.2)", async () => {
    const ca = await resigned(await makeIntermediate(root, { cn: "No SKI CA" }), root, without("2.5.29.14"));
    expect(codes(validate(pemFile(await makeLeaf(ca), ca), trust))).toEqual(["certificate-profile"]);
  });

  it("refuses keyCertSign on a leaf that is not a CA (§4.2.1.3)", async () => {
    const leaf = await makeLeaf(intermediate, { keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign });
    expect(codes(validate(pemFile(leaf, intermediate), trust))).toEqual(["certificate-profile"]);
  });

  it("refuses name constraints on a leaf (§4.2.1.10: CA certificates only)", async () => {
    const leaf = await makeLeaf(intermediate, {
      extensions: [nameConstraintsExtension({ permitted: [{ type: "dns", value: "example.com" }] })],
    });
    expect(codes(validate(pemFile(leaf, intermediate), trust))).toEqual(["certificate-profile"]);
  });

  it("refuses an empty subject unless the subjectAltName is critical (§4.2.1.6)", async () => {
    const names = [{ type: "dns" as const, value: "pump.example.com" }];
    const loose = await makeLeaf(intermediate, { name: "", san: names });
    expect(codes(validate(pemFile(loose, intermediate), trust))).toEqual(["certificate-profile"]);
    const strict = await makeLeaf(intermediate, {
      name: "",
      extensions: [new x509.SubjectAlternativeNameExtension(names, true)],
    });
    expect(validate(pemFile(strict, intermediate), trust).verdict).toBe("valid");
  });
});
