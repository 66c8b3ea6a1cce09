import type { CertificateSummary } from "./types.js";

/**
 * How reports name the CA a certificate chains to: its brand and, when the allowlist knows the
 * root, what that root is for ("DigiCert — client-authentication root"). Not escaped: callers
 * escape for their medium (terminal or HTML).
 */
export function brandLabel(certificate: Pick<CertificateSummary, "brand" | "rootPurpose">): string {
  if (certificate.brand === null) return "(no approved CA)";
  return certificate.rootPurpose ? `${certificate.brand} — ${certificate.rootPurpose}` : certificate.brand;
}
