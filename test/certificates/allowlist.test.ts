import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  allowlistBrands,
  allowlistPins,
  allowlistSources,
  type AllowlistFile,
} from "../../src/certificates/allowlist/index.js";
import { inspectCertificate } from "../../src/certificates/inspect.js";
import { TrustStore } from "../../src/certificates/trust-store.js";
import roots from "../../src/certificates/allowlist/roots.json" with { type: "json" };
import baseline from "../../scripts/allowlist/baseline.json" with { type: "json" };
import { missingPath, titled } from "../helpers/environment.js";

const data = roots as AllowlistFile;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const BRANDS = ["VeriSign", "DigiCert", "GeoTrust", "GlobalSign", "Comodo", "GoDaddy", "Symantec"];

const DIGICERT_GLOBAL_ROOT_G2 =
  "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
const DIGICERT_GLOBAL_ROOT_G3 =
  "31:AD:66:48:F8:10:41:38:C7:38:F3:9E:A4:32:01:33:39:3E:3A:18:CC:02:29:6E:F9:7C:2A:C9:EF:67:31:D0";
const GLOBALSIGN_ROOT_R3 =
  "CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B";
const STARFIELD_ROOT_G2 =
  "2C:E1:CB:0B:F9:D2:F9:E1:02:99:3F:BE:21:51:52:C3:B2:DD:0C:AB:DE:1C:68:E5:31:9B:83:91:54:DB:B7:F5";

// Public roots of CAs that are not among the seven approved brands.
const NOT_APPROVED = {
  "GTS Root R1": "D9:47:43:2A:BD:E7:B7:FA:90:FC:2E:6B:59:10:1B:12:80:E0:E1:C7:E4:E4:0F:A3:C6:88:7F:FF:57:A7:F4:CF",
  "GTS Root R4": "34:9D:FA:40:58:C5:E2:63:12:3B:39:8A:E7:95:57:3C:4E:13:13:C8:3F:E6:8F:93:55:6C:D5:E8:03:1B:3C:7D",
  "Amazon Root CA 1": "8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E",
  "ISRG Root X1": "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6",
};

const allRoots = data.roots;
const shipped = allRoots.filter((root) => root.pem !== null);
const sources = allowlistSources();
const primaryBrand = (fingerprint: string) => sources.find((source) => source.fingerprintSha256 === fingerprint)?.brand;
const rootOf = (fingerprint: string) => allRoots.find((root) => root.fingerprintSha256 === fingerprint);

// The dedicated client-authentication roots, pinned by fingerprint from CCADB facts.
const CLIENT_ROOTS: Record<string, [string, string]> = {
  "DigiCert Client RSA4096 Root G5": [
    "DigiCert",
    "3A:F2:14:66:92:0F:A9:1F:A3:1F:43:31:E4:45:C1:6B:E2:33:00:24:BF:D2:C2:39:C0:D8:5A:B5:30:71:47:66",
  ],
  "DigiCert Client ECC P384 Root G5": [
    "DigiCert",
    "CD:85:1C:5C:25:46:7C:00:95:A4:39:27:D0:B2:29:2D:93:29:75:E8:4D:CE:4C:5E:79:45:42:C6:57:4C:3A:A4",
  ],
  "GlobalSign Client Authentication Root R45": [
    "GlobalSign",
    "16:5C:7E:81:0B:D3:7C:1D:57:CE:98:49:AC:CD:50:0E:5C:B0:1E:EA:37:DC:55:0D:B0:7E:59:8A:AD:24:74:A8",
  ],
  "GlobalSign Client Authentication Root E45": [
    "GlobalSign",
    "8B:0F:0F:AA:2C:00:FE:05:32:A8:A5:4E:7B:C5:FD:13:9C:19:22:C4:F1:0F:0B:16:E1:0F:B8:BE:1A:63:49:64",
  ],
};

describe("pinned allowlist (roots.json)", () => {
  it("was written by the generator from the frozen baseline and a dated CCADB snapshot, not from a running Node", () => {
    expect(data.generatedBy).toBe("scripts/generate-allowlist.ts");
    expect(data.sources.baseline).toMatch(
      /^Node\.js v20\.20\.2 tls\.rootCertificates \(frozen baseline of \d{4}-\d{2}-\d{2}\)$/,
    );
    expect(data.sources.ccadb).toContain(
      "crtsh/ccadb_data, commit 01082aefae232dbc960aafe1443da8ea9527916b, about 2026-09",
    );
  });

  it("still pins every root of the frozen baseline, with its PEM, under the same brands (or removes it explicitly)", () => {
    const removed = new Set(data.removed.map((entry) => entry.fingerprintSha256));
    for (const root of baseline.roots) {
      if (removed.has(root.fingerprintSha256)) continue;
      expect(rootOf(root.fingerprintSha256)?.pem, root.subject).toBe(root.pem);
    }
    expect(baseline.roots).toHaveLength(24);
  });

  it("has at least one root for each of the seven approved brands, and no other group", () => {
    expect(data.brands.map((group) => group.brand).sort()).toEqual([...BRANDS].sort());
    for (const group of data.brands) {
      expect(group.roots.length, group.brand).toBeGreaterThan(0);
      expect(group.note.length, group.brand).toBeGreaterThan(0);
      for (const fingerprint of group.roots) expect(rootOf(fingerprint)?.brands, group.brand).toContain(group.brand);
    }
  });

  it.each([
    ["DigiCert Global Root G2", DIGICERT_GLOBAL_ROOT_G2, "DigiCert"],
    ["DigiCert Global Root G3", DIGICERT_GLOBAL_ROOT_G3, "DigiCert"],
    ["GlobalSign Root CA - R3", GLOBALSIGN_ROOT_R3, "GlobalSign"],
    ["Starfield Root Certificate Authority - G2", STARFIELD_ROOT_G2, "GoDaddy"],
  ])("trusts %s, reported as %s's brand", (_name, fingerprint, brand) => {
    expect(primaryBrand(fingerprint)).toBe(brand);
  });

  it.each(Object.entries(CLIENT_ROOTS))(
    "pins %s by SHA-256 with its CCADB trust fact, without its certificate",
    (name, [brand, fingerprint]) => {
      const root = rootOf(fingerprint);
      expect(root).toMatchObject({
        name,
        brand,
        purpose: "client-authentication root",
        programs: ["Microsoft"],
        trustBits: "Client Authentication",
        carried: true,
        pem: null,
        clientAuthEnds: null,
      });
      expect(root?.factsSource).toContain("CCADB");
      expect(primaryBrand(fingerprint)).toBeUndefined(); // not shipped: the file carries it
      expect(allowlistPins().map((pin) => pin.fingerprintSha256)).toContain(fingerprint);
    },
  );

  it("records per root its brand, purpose, root programs, key and expiry, with their source", () => {
    for (const root of allRoots) {
      expect(["client-authentication root", "multi-purpose root", "TLS-server root"], root.name).toContain(
        root.purpose,
      );
      expect(root.brands, root.name).toContain(root.brand);
      expect(root.programs.length, root.name).toBeGreaterThan(0);
      expect(root.key, root.name).toMatch(/^(RSA \d{4}|EC P-\d{3})$/);
      expect(new Date(root.notAfter).toISOString(), root.name).toBe(root.notAfter);
      expect([data.sources.ccadb, data.sources.baseline], root.name).toContain(root.factsSource);
      // Every root whose CA stops issuing clientAuth under it says when; client roots do not.
      if (root.purpose === "client-authentication root") expect(root.clientAuthEnds).toBeNull();
      else expect(root.clientAuthEnds?.date, root.name).toMatch(/^2027-\d{2}-\d{2}$/);
    }
  });

  it("does not count DigiCert-owned QuoVadis roots as DigiCert (a decision written in the input)", () => {
    for (const root of allRoots) expect(root.subject).not.toMatch(/QuoVadis/);
  });

  it("lists the DigiCert roots that issue the VeriSign, GeoTrust and Symantec brands under those brands too", () => {
    for (const brand of ["VeriSign", "GeoTrust", "Symantec"]) {
      const group = data.brands.find((g) => g.brand === brand);
      expect(group?.roots, brand).toContain(DIGICERT_GLOBAL_ROOT_G2);
      for (const fingerprint of group?.roots ?? []) expect(rootOf(fingerprint)?.subject, brand).toMatch(/O=DigiCert/);
    }
  });

  it.each(Object.entries(NOT_APPROVED))("does not trust %s", (_name, fingerprint) => {
    expect(allRoots.map((root) => root.fingerprintSha256)).not.toContain(fingerprint);
    expect(primaryBrand(fingerprint)).toBeUndefined();
  });

  it("trusts no root of the Symantec-operated hierarchies distrusted in 2018", () => {
    for (const root of allRoots) expect(root.subject).not.toMatch(/O=(VeriSign|GeoTrust|Symantec|thawte)/i);
  });

  it("pins every PEM to its own SHA-256 fingerprint, and each is a self-signed CA certificate", () => {
    for (const root of shipped) {
      const certificate = new X509Certificate(root.pem!);
      expect(certificate.fingerprint256, root.subject).toBe(root.fingerprintSha256);
      expect(root.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(certificate.ca, root.subject).toBe(true);
      expect(certificate.checkIssued(certificate), root.subject).toBe(true);
      expect(certificate.verify(certificate.publicKey), root.subject).toBe(true);
    }
  });

  it("has no self-contradictory entry: notAfter, subject and name are the certificate's own", () => {
    for (const root of shipped) {
      const facts = inspectCertificate(new X509Certificate(root.pem!).raw);
      expect(root.notAfter, root.name).toBe(facts.notAfter.toISOString());
      expect(root.subject, root.name).toBe(facts.subject);
      expect(facts.node.subject.split("\n"), root.name).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^(CN|OU)=${escapeRegExp(root.name)}$`))]),
      );
    }
  });

  it("is sorted, so a regenerated file diffs cleanly", () => {
    const names = data.brands.map((group) => group.brand);
    expect(names).toEqual([...names].sort());
    const keys = allRoots.map((root) => `${root.brand}\u0000${root.name}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe("allowlistSources", () => {
  it("returns every shipped root exactly once, with its facts", () => {
    const fingerprints = sources.map((source) => source.fingerprintSha256);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(new Set(fingerprints)).toEqual(new Set(shipped.map((root) => root.fingerprintSha256)));
    for (const source of sources) expect(source.profile?.fingerprintSha256).toBe(source.fingerprintSha256);
  });

  it("reports a root shared with the legacy brands under DigiCert, never VeriSign, GeoTrust or Symantec", () => {
    for (const source of sources) expect(["VeriSign", "GeoTrust", "Symantec"]).not.toContain(source.brand);
    const digicert = data.brands.find((group) => group.brand === "DigiCert");
    for (const fingerprint of digicert?.roots ?? [])
      if (rootOf(fingerprint)?.pem) expect(primaryBrand(fingerprint)).toBe("DigiCert");
  });

  it("gives each source the PEM its fingerprint pins", () => {
    for (const source of sources) expect(new X509Certificate(source.pem).fingerprint256).toBe(source.fingerprintSha256);
  });
});

describe("the trust store's lazy index", () => {
  // The store decodes a root only when a name key can be its subject (its common name or OU, as
  // the allowlist records it, appears in the key): a wrong name in roots.json would hide the root.
  it("finds every shipped root by its own subject, whatever the case and spacing of the name", () => {
    const store = TrustStore.default();
    for (const source of allowlistSources()) {
      const facts = inspectCertificate(new X509Certificate(source.pem).raw);
      const found = store.anchorsNamed(facts.subjectKey).map((a) => a.facts.fingerprintSha256);
      expect(found, source.profile?.name).toContain(source.fingerprintSha256);
    }
  });

  it("decodes no root for a name that none of them has", () => {
    expect(TrustStore.default().anchorsNamed(JSON.stringify(['2.5.4.3="no such root"']))).toEqual([]);
  });
});

describe("allowlistBrands", () => {
  it("lists the groups' roots with their facts and without certificate bodies", () => {
    const brands = allowlistBrands();
    expect(brands.map((group) => group.brand)).toEqual(data.brands.map((group) => group.brand));
    for (const group of brands) {
      expect(group.roots.map((root) => root.fingerprintSha256)).toEqual(
        data.brands.find((g) => g.brand === group.brand)?.roots,
      );
      for (const root of group.roots) expect(root).not.toHaveProperty("pem");
    }
  });
});

// The real chains' roots, read in place; skipped, saying so, in a clone without ../shared.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const realChains = path.resolve(repoRoot, "../shared/fixtures/real-chains");
const noRealChains = missingPath(realChains, "the real chains", repoRoot);

describe.skipIf(noRealChains !== null)(titled("allowlist against the real chains' roots", noRealChains), () => {
  const expected: Record<string, string | undefined> = {
    "akamai.com": "DigiCert",
    "amazon.com": "DigiCert",
    "apple.com": "DigiCert",
    "aws.amazon.com": undefined, // Amazon Root CA 1
    "bing.com": "DigiCert",
    "cloudflare.com": undefined, // GTS Root R4
    "docs.python.org": "GlobalSign",
    "facebook.com": "DigiCert",
    "fastly.com": "GoDaddy", // Starfield Root Certificate Authority - G2
    "google.com": undefined, // GTS Root R1
    "microsoft.com": "DigiCert",
    "s3.amazonaws.com": undefined, // Amazon Root CA 1
    "stackoverflow.com": undefined, // ISRG Root X1
    "storage.googleapis.com": undefined, // GTS Root R1
  };

  it.each(Object.entries(expected))("%s: its root's brand is %s", (site, brand) => {
    const pem = readFileSync(path.join(realChains, site, "root.pem"), "utf8");
    expect(primaryBrand(new X509Certificate(pem).fingerprint256)).toBe(brand);
  });
});
