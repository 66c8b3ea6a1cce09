import type { TrustAnchorSource } from "../types.js";
import type { AllowlistFile, RootProfile } from "./types.js";
import data from "./roots.json" with { type: "json" };

export type { AllowlistFile, ClientAuthEnd, RootProfile, RootPurpose } from "./types.js";

const allowlist = data as AllowlistFile;

/** A root pinned by fingerprint only: trusted when the file carries it last or configuration supplies it. */
export interface PinnedRoot {
  brand: string;
  fingerprintSha256: string;
  profile: RootProfile;
}

export interface AllowlistBrand {
  brand: string;
  note: string;
  roots: RootProfile[];
}

function profileOf(record: AllowlistFile["roots"][number]): RootProfile {
  const { pem: _pem, ...profile } = record;
  return profile;
}

/**
 * Every shipped root once, under the brand reports name (its operator: a DigiCert root that also
 * issues GeoTrust certificates is "DigiCert"). The store checks each PEM against its fingerprint
 * when it first needs it; nothing is parsed here.
 */
export function allowlistSources(): TrustAnchorSource[] {
  return allowlist.roots.flatMap((root) =>
    root.pem === null
      ? []
      : [{ brand: root.brand, pem: root.pem, fingerprintSha256: root.fingerprintSha256, profile: profileOf(root) }],
  );
}

/** The roots pinned by fingerprint whose certificates the project does not ship. */
export function allowlistPins(): PinnedRoot[] {
  return allowlist.roots
    .filter((root) => root.pem === null)
    .map((root) => ({ brand: root.brand, fingerprintSha256: root.fingerprintSha256, profile: profileOf(root) }));
}

/** The brand groups (a root may serve several brands), for docs and the CLI. */
export function allowlistBrands(): AllowlistBrand[] {
  const byFingerprint = new Map(allowlist.roots.map((root) => [root.fingerprintSha256, profileOf(root)]));
  return allowlist.brands.map((group) => ({
    brand: group.brand,
    note: group.note,
    roots: group.roots.flatMap((fingerprint) => {
      const root = byFingerprint.get(fingerprint);
      return root ? [root] : [];
    }),
  }));
}

/** Where the pinned roots and their facts came from. */
export function allowlistSource(): AllowlistFile["sources"] {
  return allowlist.sources;
}
