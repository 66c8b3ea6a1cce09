import { createHash } from "node:crypto";
import { allowlistPins, allowlistSources, type RootProfile } from "./allowlist/index.js";
import { decodeCertificateFile, pemOfDer } from "./decode.js";
import { inspectCertificate, type CertificateFacts } from "./inspect.js";
import { displaySafe } from "./names.js";
import { findPrivateKeys } from "./private-keys.js";

/**
 * Where a root certificate someone asks OneRecord to approve is judged (issue 20, "Adding a
 * certificate authority"; ../shared/SPEC.md I): before a reviewer approves a CA, what was pasted
 * must be one self-signed CA certificate that could anchor client certificates. Four stages, as
 * for a device certificate (src/certificates/validate.ts): decode (a private key is refused and
 * never echoed; exactly one certificate), inspect, check, and what is known of it (already
 * approved, by SHA-256 and under which brand; the committed CCADB facts where the allowlist has
 * them). Pure; never throws on bad bytes.
 */

export type RootFindingCode =
  | "private-key"
  | "not-a-certificate"
  | "not-one-certificate"
  | "not-self-signed"
  | "not-a-ca"
  | "no-key-cert-sign"
  | "weak-key"
  | "weak-signature"
  | "expired"
  | "not-yet-valid"
  | "expires-soon";

export interface RootFinding {
  code: RootFindingCode;
  message: string;
}

export interface RootCandidate {
  verdict: "acceptable" | "refused";
  errors: RootFinding[];
  warnings: RootFinding[];
  /** Colon-hex SHA-256 of the DER, as `certificates.extraCAs` pins it; null when there is no single certificate. */
  fingerprintSha256: string | null;
  /**
   * The certificate re-encoded from its DER (canonical PEM): what a configuration would carry,
   * never the text pasted around it.
   */
  pem: string | null;
  subject: string | null;
  notAfter: string | null;
  key: string | null;
  /** The brand it is approved under already (the allowlist or `certificates.extraCAs`), if any. */
  approvedAs: string | null;
  /** The committed CCADB facts (root programs, trust bits, client-authentication end), if the allowlist has them. */
  facts: RootProfile | null;
}

export interface RootCandidateOptions {
  at: Date;
  /** The configured extra CAs (brand and fingerprint). */
  extraCAs: ReadonlyArray<{ brand: string; fingerprintSha256: string }>;
  /** Warn when less validity than this is left. */
  warnDays?: number;
}

const DAY = 86_400_000;

export function judgeRootCandidate(bytes: Uint8Array, options: RootCandidateOptions): RootCandidate {
  // 1. Decode: a private key pasted is said first (and only by kind), whatever else is there.
  const keys = findPrivateKeys(bytes);
  if (keys.length)
    return refused(
      "private-key",
      `this holds a private key (${keys.join(", ")}), not a root certificate: never share it; only the CA's public root certificate is asked for`,
    );
  const decoded = decodeCertificateFile(bytes);
  if (decoded.certificates.length === 0)
    return refused(
      "not-a-certificate",
      "no certificate could be read: paste the CA's root certificate in PEM (-----BEGIN CERTIFICATE-----)",
    );
  if (decoded.certificates.length !== 1)
    return refused(
      "not-one-certificate",
      `${decoded.certificates.length} certificates were given: paste the CA's root certificate only, without intermediates or leaves`,
    );
  // 2. Inspect.
  let facts: CertificateFacts;
  try {
    facts = inspectCertificate(decoded.certificates[0]!);
  } catch {
    return refused("not-a-certificate", "the certificate cannot be read as X.509");
  }
  // 3. Check.
  const { errors, warnings } = checkRoot(facts, options);
  // 4. What is known of it.
  const fingerprintSha256 = colonHex(createHash("sha256").update(facts.der).digest("hex"));
  const known = knownRoot(fingerprintSha256, options.extraCAs);
  return {
    verdict: errors.length ? "refused" : "acceptable",
    errors,
    warnings,
    fingerprintSha256,
    pem: pemOfDer(facts.der),
    subject: displaySafe(facts.subject),
    notAfter: facts.notAfter.toISOString(),
    key: facts.key.bits
      ? `${facts.key.type} ${facts.key.bits}`
      : `${facts.key.type}${facts.key.curve ? ` ${facts.key.curve}` : ""}`,
    approvedAs: known.brand,
    facts: known.profile,
  };
}

function checkRoot(
  facts: CertificateFacts,
  options: RootCandidateOptions,
): { errors: RootFinding[]; warnings: RootFinding[] } {
  const errors: RootFinding[] = [];
  const warnings: RootFinding[] = [];
  const add = (list: RootFinding[], code: RootFindingCode, message: string) => list.push({ code, message });
  if (!facts.basicConstraints.ca)
    add(
      errors,
      "not-a-ca",
      "this is not a CA certificate (basicConstraints CA:FALSE or absent): a leaf or device certificate was pasted, not the CA's root",
    );
  else if (!facts.selfSigned)
    add(
      errors,
      "not-self-signed",
      "this CA certificate is not self-signed (or its signature does not verify under its own key): it is an intermediate; paste the root it chains to",
    );
  if (facts.basicConstraints.ca && facts.keyUsage && !facts.keyUsage.keyCertSign)
    add(errors, "no-key-cert-sign", "its key usage does not allow signing certificates (keyCertSign)");
  if (
    (facts.key.type === "rsa" && (facts.key.bits ?? 0) < 2048) ||
    facts.key.explicitCurve ||
    ["ed448"].includes(facts.key.type)
  )
    add(
      errors,
      "weak-key",
      `its key (${facts.key.type}${facts.key.bits ? ` ${facts.key.bits}` : ""}) is not one clients accept for a root: RSA of 2048 bits or more, or EC P-256/P-384/P-521`,
    );
  if (facts.signatureAlgorithm.weak)
    add(errors, "weak-signature", `it is signed with ${facts.signatureAlgorithm.name}`);
  const t = options.at.getTime();
  if (facts.notAfter.getTime() <= t)
    add(errors, "expired", `it expired on ${facts.notAfter.toISOString().slice(0, 10)}`);
  else if (facts.notBefore.getTime() > t)
    add(errors, "not-yet-valid", `it is valid only from ${facts.notBefore.toISOString().slice(0, 10)}`);
  else if (facts.notAfter.getTime() - t < (options.warnDays ?? 365) * DAY)
    add(
      warnings,
      "expires-soon",
      `it expires on ${facts.notAfter.toISOString().slice(0, 10)}: devices would need certificates from another root soon`,
    );
  return { errors, warnings };
}

/** The brand a root is approved under (the shipped allowlist, then `extraCAs`), by its SHA-256; null: not approved. */
export function approvedBrand(fingerprint: string, extraCAs: RootCandidateOptions["extraCAs"]): string | null {
  return knownRoot(fingerprint, extraCAs).brand;
}

function knownRoot(
  fingerprint: string,
  extraCAs: RootCandidateOptions["extraCAs"],
): { brand: string | null; profile: RootProfile | null } {
  const same = (f: string) => f.replace(/:/g, "").toLowerCase() === fingerprint.replace(/:/g, "").toLowerCase();
  const shipped = [...allowlistSources(), ...allowlistPins()].find((r) => same(r.fingerprintSha256));
  if (shipped) return { brand: shipped.brand, profile: shipped.profile ?? null };
  const extra = extraCAs.find((c) => same(c.fingerprintSha256));
  return { brand: extra?.brand ?? null, profile: null };
}

function colonHex(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(":");
}

function refused(code: RootFindingCode, message: string): RootCandidate {
  return {
    verdict: "refused",
    errors: [{ code, message }],
    warnings: [],
    fingerprintSha256: null,
    pem: null,
    subject: null,
    notAfter: null,
    key: null,
    approvedAs: null,
    facts: null,
  };
}
