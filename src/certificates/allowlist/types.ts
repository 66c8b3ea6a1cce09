/**
 * The shape of roots.json, as scripts/generate-allowlist.ts writes it and the validator reads it.
 * Every root appears once, with the facts that admit it and where they come from.
 */

export type RootPurpose = "client-authentication root" | "multi-purpose root" | "TLS-server root";

/** When the root's operator stops issuing clientAuth certificates under it, and what to buy instead. */
export interface ClientAuthEnd {
  /** ISO date (YYYY-MM-DD). */
  date: string;
  basis: string;
  buyInstead: string;
}

/** What reports and the `roots` command say about a pinned root (everything but its PEM). */
export interface RootProfile {
  /** Common name (or OU for CN-less roots). */
  name: string;
  /** The full subject as the validator renders names ("C=US, O=…, CN=…"). */
  subject: string;
  fingerprintSha256: string;
  /** The brand reports name: the root's operator. */
  brand: string;
  /** Every approved brand whose certificates it issues. */
  brands: string[];
  purpose: RootPurpose;
  purposeBasis: string;
  /** e.g. "RSA 4096", "EC P-384". */
  key: string;
  notAfter: string;
  /** Root programs that include it. */
  programs: string[];
  trustBits: string;
  /** Where the programs and trust bits come from (CCADB snapshot and date, or the baseline store). */
  factsSource: string;
  /** Null for client-authentication roots. */
  clientAuthEnds: ClientAuthEnd | null;
  /** True when the root is pinned by fingerprint only: the customer's file must carry it last. */
  carried: boolean;
}

export interface AllowlistRootRecord extends RootProfile {
  /** The root certificate; null for a carried root (its certificate is not in the project). */
  pem: string | null;
}

export interface AllowlistFile {
  generatedBy: string;
  sources: { baseline: string; ccadb: string };
  brands: { brand: string; note: string; roots: string[] }[];
  roots: AllowlistRootRecord[];
  /** Roots once pinned and explicitly removed, with the reason (audit trail). */
  removed: { fingerprintSha256: string; name: string; date: string; reason: string }[];
}
