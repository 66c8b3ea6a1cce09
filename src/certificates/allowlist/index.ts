import type { TrustAnchorSource } from "../types.js";
import data from "./roots.json" with { type: "json" };

/** One root as scripts/generate-allowlist.ts writes it. */
interface PinnedRoot {
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
  pem: string;
}

interface BrandGroup {
  brand: string;
  note: string;
  roots: PinnedRoot[];
}

interface AllowlistFile {
  generatedBy: string;
  source: string;
  brands: BrandGroup[];
}

export interface AllowlistBrand {
  brand: string;
  note: string;
  roots: { subject: string; fingerprintSha256: string; notAfter: string }[];
}

const allowlist: AllowlistFile = data;

/**
 * VeriSign, GeoTrust and Symantec certificates are issued from DigiCert roots today, so those
 * groups share their roots with DigiCert's. A report names the operator of the root, so these
 * legacy brands are chosen last.
 */
const ISSUED_BY_ANOTHER_BRAND = new Set(["VeriSign", "GeoTrust", "Symantec"]);

/**
 * Every pinned root once, with its primary brand (for a DigiCert root: "DigiCert"). The store
 * checks each PEM against its fingerprint when it first needs it; nothing is parsed here.
 */
export function allowlistSources(): TrustAnchorSource[] {
  const groups = [
    ...allowlist.brands.filter((group) => !ISSUED_BY_ANOTHER_BRAND.has(group.brand)),
    ...allowlist.brands.filter((group) => ISSUED_BY_ANOTHER_BRAND.has(group.brand)),
  ];
  const sources = new Map<string, TrustAnchorSource>();
  for (const group of groups) {
    for (const root of group.roots) {
      if (!sources.has(root.fingerprintSha256)) {
        sources.set(root.fingerprintSha256, {
          brand: group.brand,
          pem: root.pem,
          fingerprintSha256: root.fingerprintSha256,
        });
      }
    }
  }
  return [...sources.values()];
}

/** The brand groups as generated (a root may be listed under several), for docs and the CLI. */
export function allowlistBrands(): AllowlistBrand[] {
  return allowlist.brands.map((group) => ({
    brand: group.brand,
    note: group.note,
    roots: group.roots.map(({ subject, fingerprintSha256, notAfter }) => ({ subject, fingerprintSha256, notAfter })),
  }));
}

/** Where the pinned roots came from, e.g. "Node.js v20.20.2 tls.rootCertificates". */
export function allowlistSource(): string {
  return allowlist.source;
}
