import type { RootProfile, RootPurpose } from "./allowlist/types.js";
import type { Finding } from "./findings.js";

/** What a report says about the leaf certificate of a file. All strings are display-safe. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Brand of the allowlisted root the path ends at (e.g. "DigiCert"), or null when untrusted. */
  brand: string | null;
  /** What the root the path ends at is for; present only when the allowlist knows that root. */
  rootPurpose?: RootPurpose;
  notBefore: string; // ISO-8601
  notAfter: string; // ISO-8601
  /** SHA-256 of the leaf's DER, upper-case hex pairs joined by ':' (as openssl prints it). */
  fingerprintSha256: string;
  /** Subjects from the leaf's issuer up to the trust anchor, in order. */
  chain: string[];
}

export type Verdict = "valid" | "invalid";

export interface FileReport {
  /** The path as the caller named it (relative to the workspace in the Action). */
  path: string;
  verdict: Verdict;
  certificate: CertificateSummary | null;
  errors: Finding[];
  warnings: Finding[];
  /** Set when the path follows the certificate layout (certificates/<request>/<device>.pem). */
  request?: number;
  device?: string;
}

export interface ValidationSummary {
  valid: number;
  invalid: number;
}

export interface ValidationReport {
  files: FileReport[];
  summary: ValidationSummary;
  /**
   * Files a folder walk passed over because their names are not certificate names (README.md,
   * .DS_Store), after a private-key scan found nothing in them. Only with `certificateNamesOnly`.
   */
  skipped?: string[];
}

/** An allowlisted (or explicitly trusted) root certificate. */
export interface TrustAnchorSource {
  brand: string;
  /** PEM of the root; its SHA-256 must equal `fingerprintSha256` or the anchor is refused. */
  pem: string;
  fingerprintSha256: string;
  /** The allowlist's facts about this root (purpose, programs, renewal); absent for other roots. */
  profile?: RootProfile;
}

export interface ValidateOptions {
  /** Validation time; default now. */
  at?: Date;
  /** Warn (`expires-soon`) when a certificate in the path expires within this many days. Default 30. */
  warnDays?: number;
}
