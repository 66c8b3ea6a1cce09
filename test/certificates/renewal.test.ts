import { beforeAll, describe, expect, it } from "vitest";
import { allowlistPins, allowlistSources } from "../../src/certificates/allowlist/index.js";
import { TrustStore, trustAnchorFromPem, validateCertificateBytes } from "../../src/certificates/index.js";
import { AT, makeIntermediate, makeLeaf, makeRoot, pemFile, type Issued } from "../helpers/pki.js";

/**
 * Renewal warning (client-auth-ending): a valid certificate under a root whose CA stops issuing
 * clientAuth certificates there. Test roots stand in for the real ones, carrying the real roots'
 * facts from roots.json (their profile), so the message is the one a customer would see.
 */

const DIGICERT_G2 = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
const SECTIGO_USERTRUST_RSA =
  "E7:93:C9:B0:2F:D8:AA:13:E2:1C:31:22:8A:CC:B0:81:19:64:3B:74:9C:89:89:64:B1:74:6D:46:C3:D4:CB:D2";
const DIGICERT_CLIENT_RSA =
  "3A:F2:14:66:92:0F:A9:1F:A3:1F:43:31:E4:45:C1:6B:E2:33:00:24:BF:D2:C2:39:C0:D8:5A:B5:30:71:47:66";

const profileOf = (fingerprint: string) =>
  allowlistSources().find((s) => s.fingerprintSha256 === fingerprint)?.profile ??
  allowlistPins().find((p) => p.fingerprintSha256 === fingerprint)!.profile;

let root: Issued;
let leafBytes: Uint8Array;

beforeAll(async () => {
  root = await makeRoot({ cn: "Stand-in Root" });
  const intermediate = await makeIntermediate(root);
  leafBytes = pemFile(await makeLeaf(intermediate), intermediate);
});

function validateUnder(profileFingerprint: string | null, bytes = leafBytes) {
  const source = trustAnchorFromPem(root.pem, "DigiCert");
  const trust = TrustStore.fromSources([
    profileFingerprint ? { ...source, profile: profileOf(profileFingerprint) } : source,
  ]);
  return validateCertificateBytes(bytes, { path: "device.pem", trust, at: AT });
}

describe("client-auth-ending", () => {
  it("warns a valid certificate under a DigiCert multi-purpose root, naming the date and what to buy", () => {
    const report = validateUnder(DIGICERT_G2);
    expect(report.verdict).toBe("valid");
    const warning = report.warnings.find((w) => w.code === "client-auth-ending");
    expect(warning?.message).toContain("DigiCert Global Root G2, a multi-purpose root");
    expect(warning?.message).toContain("2027-03-01");
    expect(warning?.message).toContain("DigiCert Client RSA4096 Root G5 or DigiCert Client ECC P384 Root G5");
    expect(warning?.message).toContain("works now, but its renewal must come from a client-authentication hierarchy");
  });

  it("tells a Sectigo (Comodo) customer that the brand has no client root and how support adds a CA", () => {
    const message = validateUnder(SECTIGO_USERTRUST_RSA).warnings.find((w) => w.code === "client-auth-ending")?.message;
    expect(message).toContain("2027-02-10");
    expect(message).toContain("Sectigo has no public client-authentication root");
    expect(message).toContain("certificates.extraCAs");
  });

  it("does not warn under a client-authentication root, nor under a configured root the allowlist has no facts for", () => {
    expect(validateUnder(DIGICERT_CLIENT_RSA).warnings).toEqual([]);
    expect(validateUnder(null).warnings).toEqual([]);
  });

  it("does not add it to an invalid certificate (its errors come first)", async () => {
    const serverOnly = await makeLeaf(root, { eku: ["serverAuth"] });
    const report = validateUnder(DIGICERT_G2, pemFile(serverOnly));
    expect(report.verdict).toBe("invalid");
    expect(report.warnings.map((w) => w.code)).not.toContain("client-auth-ending");
  });
});
