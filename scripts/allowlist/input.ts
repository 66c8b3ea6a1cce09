/**
 * The reviewed input of the allowlist generator (scripts/generate-allowlist.ts): which roots are
 * pinned, under which brands, what each is for, and the facts that admit it, with their source.
 * Every change here is a change of who can get production access: review it like code.
 *
 * Facts are transcribed from ../shared/ccadb/README.md (CCADB AllCertificateRecordsCSVFormatV5,
 * public mirror crtsh/ccadb_data, about 2026-09). The generator checks each fingerprint against
 * the CCADB snapshot's certificates (../shared/ccadb/brand-roots.json, read in place) and takes
 * subject, key and expiry from the certificate itself, so a typo here fails the generation.
 */

import type { RootPurpose } from "../../src/certificates/allowlist/types.js";
export type { RootPurpose };

export const BRANDS = ["VeriSign", "DigiCert", "GeoTrust", "GlobalSign", "Comodo", "GoDaddy", "Symantec"] as const;
export type Brand = (typeof BRANDS)[number];

export const CCADB_SOURCE =
  "CCADB AllCertificateRecordsCSVFormatV5 and AllCertificatePEMsCSVFormat (public mirror crtsh/ccadb_data, commit 01082aefae232dbc960aafe1443da8ea9527916b, about 2026-09)";

/** The root-program facts of one root, as CCADB gives them (or, failing that, the baseline store). */
export interface ProgramFacts {
  /** Root programs that include it ("Microsoft", "Mozilla", …). */
  programs: string[];
  /** Trust bits as the source lists them. */
  trustBits: string;
  source: "ccadb" | "baseline";
}

export interface RootInput {
  /** The root's common name (or OU for the CN-less GlobalSign roots); checked against the certificate. */
  name: string;
  fingerprintSha256: string;
  /** Brand groups it serves; the first is the brand reports name (the root's operator). */
  brands: [Brand, ...Brand[]];
  purpose: RootPurpose;
  /** Why it has that purpose (a fact of the source, or the root's own stated purpose). */
  purposeBasis: string;
  facts: ProgramFacts;
  /**
   * "baseline": the PEM is kept (scripts/allowlist/baseline.json) and shipped. "carried": pinned
   * by fingerprint only; the customer's file carries the root as its last block, or
   * `certificates.extraCAs` supplies it. No certificate of a carried root is in the project.
   */
  pem: "baseline" | "carried";
}

// The baseline store: Mozilla's, filtered to the websites trust bit (Node's mk-ca-bundle.pl).
const MOZILLA_WEBSITES: ProgramFacts = {
  programs: ["Mozilla"],
  trustBits: "websites (the only Mozilla trust bit Node's store keeps)",
  source: "baseline",
};
const ccadb = (programs: string[], trustBits: string): ProgramFacts => ({ programs, trustBits, source: "ccadb" });
const ALL_FOUR = ["Apple", "Chrome", "Microsoft", "Mozilla"];
const NOT_CHROME = ["Apple", "Microsoft", "Mozilla"]; // CCADB: Chrome "Removed"

/** VeriSign, GeoTrust and Symantec are issued from these DigiCert roots today (docs/allowlist.md). */
const DIGICERT_LEGACY: [Brand, ...Brand[]] = ["DigiCert", "GeoTrust", "Symantec", "VeriSign"];
const MULTI = "CCADB lists it for server and client authentication (and more)";
const MULTI_BASELINE = "a general-purpose root of its CA, in Mozilla's store for websites";

export const ROOTS: RootInput[] = [
  // --- DigiCert ------------------------------------------------------------------------------
  {
    name: "DigiCert Client RSA4096 Root G5",
    fingerprintSha256:
      "3A:F2:14:66:92:0F:A9:1F:A3:1F:43:31:E4:45:C1:6B:E2:33:00:24:BF:D2:C2:39:C0:D8:5A:B5:30:71:47:66",
    brands: ["DigiCert"],
    purpose: "client-authentication root",
    purposeBasis: "CCADB trust bits: Client Authentication only",
    facts: ccadb(["Microsoft"], "Client Authentication"),
    pem: "carried",
  },
  {
    name: "DigiCert Client ECC P384 Root G5",
    fingerprintSha256:
      "CD:85:1C:5C:25:46:7C:00:95:A4:39:27:D0:B2:29:2D:93:29:75:E8:4D:CE:4C:5E:79:45:42:C6:57:4C:3A:A4",
    brands: ["DigiCert"],
    purpose: "client-authentication root",
    purposeBasis: "CCADB trust bits: Client Authentication only",
    facts: ccadb(["Microsoft"], "Client Authentication"),
    pem: "carried",
  },
  {
    name: "DigiCert Assured ID Root CA",
    fingerprintSha256:
      "3E:90:99:B5:01:5E:8F:48:6C:00:BC:EA:9D:11:1E:E7:21:FA:BA:35:5A:89:BC:F1:DF:69:56:1E:3D:C6:32:5C",
    brands: ["DigiCert"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(NOT_CHROME, "server, client, code signing, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert Assured ID Root G2",
    fingerprintSha256:
      "7D:05:EB:B6:82:33:9F:8C:94:51:EE:09:4E:EB:FE:FA:79:53:A1:14:ED:B2:F4:49:49:45:2F:AB:7D:2F:C1:85",
    brands: ["DigiCert"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(ALL_FOUR, "server, client, code signing, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert Assured ID Root G3",
    fingerprintSha256:
      "7E:37:CB:8B:4C:47:09:0C:AB:36:55:1B:A6:F4:5D:B8:40:68:0F:BA:16:6A:95:2D:B1:00:71:7F:43:05:3F:C2",
    brands: ["DigiCert"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(ALL_FOUR, "server, client, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert Global Root CA",
    fingerprintSha256:
      "43:48:A0:E9:44:4C:78:CB:26:5E:05:8D:5E:89:44:B4:D8:4F:96:62:BD:26:DB:25:7F:89:34:A4:43:C7:01:61",
    brands: DIGICERT_LEGACY,
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(NOT_CHROME, "server, client, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert Global Root G2",
    fingerprintSha256:
      "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
    brands: DIGICERT_LEGACY,
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(ALL_FOUR, "server, client, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert Global Root G3",
    fingerprintSha256:
      "31:AD:66:48:F8:10:41:38:C7:38:F3:9E:A4:32:01:33:39:3E:3A:18:CC:02:29:6E:F9:7C:2A:C9:EF:67:31:D0",
    brands: DIGICERT_LEGACY,
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "DigiCert High Assurance EV Root CA",
    fingerprintSha256:
      "74:31:E5:F4:C3:C1:CE:46:90:77:4F:0B:61:E0:54:40:88:3B:A9:A0:1E:D0:0B:A6:AB:D7:80:6E:D3:B1:18:CF",
    brands: DIGICERT_LEGACY,
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(NOT_CHROME, "server, client, code signing, email, timestamping"),
    pem: "baseline",
  },
  {
    name: "DigiCert TLS ECC P384 Root G5",
    fingerprintSha256:
      "01:8E:13:F0:77:25:32:CF:80:9B:D1:B1:72:81:86:72:83:FC:48:C6:E1:3B:E9:C6:98:12:85:4A:49:0C:1B:05",
    brands: DIGICERT_LEGACY,
    purpose: "TLS-server root",
    purposeBasis: "DigiCert's TLS-dedicated G5 root (its name), in Mozilla's store for websites",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "DigiCert TLS RSA4096 Root G5",
    fingerprintSha256:
      "37:1A:00:DC:05:33:B3:72:1A:7E:EB:40:E8:41:9E:70:79:9D:2B:0A:0F:2C:1D:80:69:31:65:F7:CE:C4:AD:75",
    brands: DIGICERT_LEGACY,
    purpose: "TLS-server root",
    purposeBasis: "DigiCert's TLS-dedicated G5 root (its name), in Mozilla's store for websites",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "DigiCert Trusted Root G4",
    fingerprintSha256:
      "55:2F:7B:DC:F1:A7:AF:9E:6C:E6:72:01:7F:4F:12:AB:F7:72:40:C7:8E:76:1A:C2:03:D1:D9:D2:0A:C8:99:88",
    brands: ["DigiCert"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  // --- GlobalSign ----------------------------------------------------------------------------
  {
    name: "GlobalSign Client Authentication Root R45",
    fingerprintSha256:
      "16:5C:7E:81:0B:D3:7C:1D:57:CE:98:49:AC:CD:50:0E:5C:B0:1E:EA:37:DC:55:0D:B0:7E:59:8A:AD:24:74:A8",
    brands: ["GlobalSign"],
    purpose: "client-authentication root",
    purposeBasis: "CCADB trust bits: Client Authentication only",
    facts: ccadb(["Microsoft"], "Client Authentication"),
    pem: "carried",
  },
  {
    name: "GlobalSign Client Authentication Root E45",
    fingerprintSha256:
      "8B:0F:0F:AA:2C:00:FE:05:32:A8:A5:4E:7B:C5:FD:13:9C:19:22:C4:F1:0F:0B:16:E1:0F:B8:BE:1A:63:49:64",
    brands: ["GlobalSign"],
    purpose: "client-authentication root",
    purposeBasis: "CCADB trust bits: Client Authentication only",
    facts: ccadb(["Microsoft"], "Client Authentication"),
    pem: "carried",
  },
  {
    name: "GlobalSign Root CA - R3",
    fingerprintSha256:
      "CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B",
    brands: ["GlobalSign"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "GlobalSign Root CA - R6",
    fingerprintSha256:
      "2C:AB:EA:FE:37:D0:6C:A2:2A:BA:73:91:C0:03:3D:25:98:29:52:C4:53:64:73:49:76:3A:3A:B5:AD:6C:CF:69",
    brands: ["GlobalSign"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "GlobalSign ECC Root CA - R5",
    fingerprintSha256:
      "17:9F:BC:14:8A:3D:D0:0F:D2:4E:A1:34:58:CC:43:BF:A7:F5:9C:81:82:D7:83:A5:13:F6:EB:EC:10:0C:89:24",
    brands: ["GlobalSign"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "GlobalSign Root R46",
    fingerprintSha256:
      "4F:A3:12:6D:8D:3A:11:D1:C4:85:5A:4F:80:7C:BA:D6:CF:91:9D:3A:5A:88:B0:3B:EA:2C:63:72:D9:3C:40:C9",
    brands: ["GlobalSign"],
    purpose: "TLS-server root",
    purposeBasis: "CCADB notes: GlobalSign moves TLS to these dedicated roots (R46/E46)",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "GlobalSign Root E46",
    fingerprintSha256:
      "CB:B9:C4:4D:84:B8:04:3E:10:50:EA:31:A6:9F:51:49:55:D7:BF:D2:E2:C6:B4:93:01:01:9A:D6:1D:9F:50:58",
    brands: ["GlobalSign"],
    purpose: "TLS-server root",
    purposeBasis: "CCADB notes: GlobalSign moves TLS to these dedicated roots (R46/E46)",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  // --- Comodo (Sectigo) ----------------------------------------------------------------------
  {
    name: "COMODO Certification Authority",
    fingerprintSha256:
      "0C:2C:D6:3D:F7:80:6F:A3:99:ED:E8:09:11:6B:57:5B:F8:79:89:F0:65:18:F9:80:8C:86:05:03:17:8B:AF:66",
    brands: ["Comodo"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "COMODO ECC Certification Authority",
    fingerprintSha256:
      "17:93:92:7A:06:14:54:97:89:AD:CE:2F:8F:34:F7:F0:B6:6D:0F:3A:E3:A3:B8:4D:21:EC:15:DB:BA:4F:AD:C7",
    brands: ["Comodo"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "COMODO RSA Certification Authority",
    fingerprintSha256:
      "52:F0:E1:C4:E5:8E:C6:29:29:1B:60:31:7F:07:46:71:B8:5D:7E:A8:0D:5B:07:27:34:63:53:4B:32:B4:02:34",
    brands: ["Comodo"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "USERTrust ECC Certification Authority",
    fingerprintSha256:
      "4F:F4:60:D5:4B:9C:86:DA:BF:BC:FC:57:12:E0:40:0D:2B:ED:3F:BC:4D:4F:BD:AA:86:E0:6A:DC:D2:A9:AD:7A",
    brands: ["Comodo"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "USERTrust RSA Certification Authority",
    fingerprintSha256:
      "E7:93:C9:B0:2F:D8:AA:13:E2:1C:31:22:8A:CC:B0:81:19:64:3B:74:9C:89:89:64:B1:74:6D:46:C3:D4:CB:D2",
    brands: ["Comodo"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI_BASELINE,
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "Sectigo Public Server Authentication Root R46",
    fingerprintSha256:
      "7B:B6:47:A6:2A:EE:AC:88:BF:25:7A:A5:22:D0:1F:FE:A3:95:E0:AB:45:C7:3F:93:F6:56:54:EC:38:F2:5A:06",
    brands: ["Comodo"],
    purpose: "TLS-server root",
    purposeBasis: "Sectigo's server-authentication root (its name), in Mozilla's store for websites",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  {
    name: "Sectigo Public Server Authentication Root E46",
    fingerprintSha256:
      "C9:0F:26:F0:FB:1B:40:18:B2:22:27:51:9B:5C:A2:B5:3E:2C:A5:B3:BE:5C:F1:8E:FE:1B:EF:47:38:0C:53:83",
    brands: ["Comodo"],
    purpose: "TLS-server root",
    purposeBasis: "Sectigo's server-authentication root (its name), in Mozilla's store for websites",
    facts: MOZILLA_WEBSITES,
    pem: "baseline",
  },
  // --- GoDaddy (Starfield) -------------------------------------------------------------------
  {
    name: "Go Daddy Root Certificate Authority - G2",
    fingerprintSha256:
      "45:14:0B:32:47:EB:9C:C8:C5:B4:F0:D7:B5:30:91:F7:32:92:08:9E:6E:5A:63:E2:74:9D:D3:AC:A9:19:8E:DA",
    brands: ["GoDaddy"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(ALL_FOUR, "server, client, email, ..."),
    pem: "baseline",
  },
  {
    name: "Starfield Root Certificate Authority - G2",
    fingerprintSha256:
      "2C:E1:CB:0B:F9:D2:F9:E1:02:99:3F:BE:21:51:52:C3:B2:DD:0C:AB:DE:1C:68:E5:31:9B:83:91:54:DB:B7:F5",
    brands: ["GoDaddy"],
    purpose: "multi-purpose root",
    purposeBasis: MULTI,
    facts: ccadb(ALL_FOUR, "server, client, ..."),
    pem: "baseline",
  },
];

/**
 * Roots that were pinned and no longer are. Removing a root is this explicit, reviewed edit —
 * never a side effect of a store update: the generator refuses a baseline root that is neither
 * in ROOTS nor here. Each entry is kept in roots.json's `removed` list for the audit trail.
 */
export const REMOVED: { fingerprintSha256: string; name: string; date: string; reason: string }[] = [];

/**
 * Roots of the brands that CCADB lists for client authentication but that are deliberately not
 * pinned (shown by `npm run allowlist` so a reviewer sees the decision, not an oversight).
 */
export const NOT_PINNED: { fingerprintSha256: string; name: string; why: string }[] = [
  {
    name: "VeriSign Universal Root Certification Authority",
    fingerprintSha256:
      "23:99:56:11:27:A5:71:25:DE:8C:EF:EA:61:0D:DF:2F:A0:78:B5:C8:06:7F:4E:82:82:90:BF:B8:60:E8:4B:3C",
    why: "Symantec-era hierarchy distrusted by browsers in 2018; still Microsoft-included, but not trusted here",
  },
  {
    name: "DigiCert SMIME RSA4096 Root G5",
    fingerprintSha256:
      "90:37:0D:3E:FA:88:BF:58:C3:01:05:BA:25:10:4A:35:84:60:A7:FA:52:DF:C2:01:1D:F2:33:A0:F4:17:91:2A",
    why: "an S/MIME (e-mail) hierarchy; device certificates come from DigiCert Client G5",
  },
  {
    name: "GlobalSign Secure Mail Root R45",
    fingerprintSha256:
      "31:9A:F0:A7:72:9E:6F:89:26:9C:13:1E:A6:A3:A1:6F:CD:86:38:9F:DC:AB:3C:47:A4:A6:75:C1:61:A3:F9:74",
    why: "an S/MIME (e-mail) hierarchy; device certificates come from GlobalSign Client Authentication R45/E45",
  },
  {
    name: "Go Daddy Class 2 Certification Authority",
    fingerprintSha256:
      "C3:84:6B:F2:4B:9E:93:CA:64:27:4C:0E:C6:7C:1E:CC:5E:02:4F:FC:AC:D2:D7:40:19:35:0E:81:FE:54:6A:E4",
    why: "2004 root removed by Chrome and absent from the baseline store; adding it is a reviewed edit",
  },
  {
    name: "Starfield Class 2 Certification Authority",
    fingerprintSha256:
      "14:65:FA:20:53:97:B8:76:FA:A6:F0:A9:95:8E:55:90:E4:0F:CC:7F:AA:4F:B7:C2:C8:67:75:21:FB:5F:B6:58",
    why: "2004 root removed by Chrome and absent from the baseline store; adding it is a reviewed edit",
  },
  {
    name: "GoDaddy TLS Root CA - R1",
    fingerprintSha256:
      "25:CF:3D:A8:E9:B9:7A:DD:BF:92:54:3C:2B:82:52:7C:8A:4E:2C:FF:20:62:A6:48:30:40:D4:B6:4A:CE:71:9F",
    why: "serverAuth only (CCADB): it cannot issue client certificates",
  },
  {
    name: "Starfield TLS Root CA - R1",
    fingerprintSha256:
      "97:36:6D:A0:0B:AF:67:30:A8:4D:1A:8C:BA:5B:AD:79:61:C4:6B:CE:70:7E:09:24:1C:C9:C4:C7:E3:C6:4F:10",
    why: "serverAuth only (CCADB): it cannot issue client certificates",
  },
  {
    name: "QuoVadis Client RSA 4096 Root G4",
    fingerprintSha256:
      "80:AC:91:FA:89:1C:79:72:3A:61:AB:C7:7F:86:E1:99:05:A9:2D:A2:7E:51:69:5C:A0:C0:B6:6C:1C:03:9B:F2",
    why: "QuoVadis is DigiCert-owned but sold as its own brand, which is not one of the seven; the snapshot gives no root-program status for it. A customer adds it through certificates.extraCAs",
  },
  {
    name: "QuoVadis Client ECC P384 Root G4",
    fingerprintSha256:
      "D3:C0:7A:C4:4B:D8:FF:19:75:BC:62:F1:C7:E9:84:0E:A8:E1:88:A4:BA:51:13:3B:8C:4E:FF:05:E3:4A:27:29",
    why: "QuoVadis is DigiCert-owned but sold as its own brand, which is not one of the seven; the snapshot gives no root-program status for it. A customer adds it through certificates.extraCAs",
  },
];

/** The brand groups' notes, as reports and docs show them. */
export const BRAND_NOTES: Record<Brand, string> = {
  VeriSign:
    "VeriSign certificates became Symantec's, then DigiCert's (\"Secure Site\"). The Symantec-operated roots were distrusted in 2018; this group holds the DigiCert roots that issue the brand today.",
  DigiCert:
    "DigiCert's own public roots, including its dedicated client-authentication roots (Client RSA4096 and ECC P384 Root G5, carried in the file). They also issue today's VeriSign, GeoTrust and Symantec brands.",
  GeoTrust:
    "GeoTrust (and its RapidSSL/thawte lines) is issued by DigiCert. The Symantec-operated roots were distrusted in 2018; this group holds the DigiCert roots that issue the brand today.",
  GlobalSign:
    'GlobalSign\'s roots, including its dedicated client-authentication roots (Client Authentication Root R45 and E45, carried in the file). "GlobalSign ECC Root CA - R4" and "GlobalSign Root CA - R2" belong to Google Trust Services since 2016 and are not trusted.',
  Comodo:
    "Comodo CA was renamed Sectigo in 2018; its COMODO, USERTrust and Sectigo roots issue Comodo/Sectigo certificates. Sectigo has no public client-authentication root: from 2027 its customers' CA is added through certificates.extraCAs.",
  GoDaddy:
    "GoDaddy and its Starfield brand. GoDaddy has no public client-authentication root: from 2027 its customers' CA is added through certificates.extraCAs. Starfield Services Root G2 belongs to Amazon and is not trusted.",
  Symantec:
    "Symantec's CA business was bought by DigiCert (2017) and its roots distrusted (2018); this group holds the DigiCert roots that issue the brand today.",
};

/**
 * When each operator stops issuing client-authentication (clientAuth) certificates under its
 * multi-purpose and TLS-server roots, per ../shared/ccadb/README.md, and what to buy instead.
 * Keyed by the root's first brand (its operator).
 */
const noClientRoot = (brand: string) =>
  `a client-authentication certificate from DigiCert (DigiCert Client RSA4096 or ECC P384 Root G5) or GlobalSign (GlobalSign Client Authentication Root R45 or E45), since ${brand} has no public client-authentication root; or ask OneRecord support to add your CA's client-authentication root (certificates.extraCAs)`;

export const CLIENT_AUTH_ENDS: Partial<Record<Brand, { date: string; basis: string; buyInstead: string }>> = {
  DigiCert: {
    date: "2027-03-01",
    basis:
      "DigiCert removes clientAuth from its public TLS certificates from 2027-03-01 (moved from 2026-05-01), for every DigiCert brand (DigiCert, GeoTrust, thawte, RapidSSL)",
    buyInstead:
      "a DigiCert client-authentication certificate, issued under DigiCert Client RSA4096 Root G5 or DigiCert Client ECC P384 Root G5",
  },
  GlobalSign: {
    date: "2027-03-15",
    basis:
      "GlobalSign moves TLS to dedicated roots, and Chrome Root Program policy v1.8 makes TLS leaf certificates issued from 2027-03-15 serverAuth-only",
    buyInstead:
      "a GlobalSign client-authentication certificate, issued under GlobalSign Client Authentication Root R45 or E45",
  },
  Comodo: {
    date: "2027-02-10",
    basis:
      "Sectigo removes clientAuth from its public TLS certificates (announced for 2026-05-15, reported moved to 2027-02-10)",
    buyInstead: noClientRoot("Sectigo"),
  },
  GoDaddy: {
    date: "2027-03-15",
    basis:
      "GoDaddy moves TLS issuance to serverAuth-only hierarchies, and Chrome Root Program policy v1.8 makes TLS leaf certificates issued from 2027-03-15 serverAuth-only",
    buyInstead: noClientRoot("GoDaddy"),
  },
};
