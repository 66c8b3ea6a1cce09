import { DELIVERABLE_KEYS_TEXT, deliverableShape } from "./deliverable-key.js";
import { extensionName } from "./extensions.js";
import { finding, type Finding } from "./findings.js";
import type { CertificateFacts } from "./inspect.js";
import { MAX_NAME_CONSTRAINT_CHECKS, constraintViolations, nameCount } from "./name-constraints.js";

export const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
export const ANY_EKU = "2.5.29.37.0";

const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  [CLIENT_AUTH]: "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
  [ANY_EKU]: "anyExtendedKeyUsage",
};

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

/**
 * RFC 5280 §4.2 and RFC 5480 §2.1.1 on every certificate of the path, the trust anchor included
 * (OpenSSL, Go and NSS refuse these on a root too, so a pin cannot make them work).
 */
export function checkStructure(cert: CertificateFacts, errors: Finding[]): void {
  if (cert.duplicateExtensions.length > 0) {
    errors.push(
      finding(
        "duplicate-extension",
        `"${cert.subject}" carries ${cert.duplicateExtensions.map(extensionName).join(", ")} more than once; RFC 5280 §4.2 allows one instance of each extension`,
      ),
    );
  }
  if (cert.unknownCriticalExtensions.length > 0) {
    errors.push(
      finding(
        "unknown-critical-extension",
        `"${cert.subject}" has a critical extension that is not processed: ${cert.unknownCriticalExtensions.map(extensionName).join(", ")} (RFC 5280 §4.2: such a certificate must be refused)`,
      ),
    );
  }
  if (cert.key.explicitCurve) {
    errors.push(
      finding(
        "explicit-curve",
        `"${cert.subject}" has an EC key with explicit curve parameters; RFC 5480 §2.1.1 requires a named curve`,
      ),
    );
  }
}

/**
 * The MUSTs of RFC 5280's certificate profile that OpenSSL's strict mode (and x509-limbo)
 * enforce, on the certificates below the anchor (the anchor is trusted by its pin, and some
 * pinned roots predate the profile): an authority key identifier (§4.2.1.1) on every one not self-signed, a
 * subject key identifier (§4.2.1.2) and a non-empty subject (§4.1.2.6) on a CA, keyCertSign
 * only on a CA (§4.2.1.3), name constraints only on a CA (§4.2.1.10), and a critical subjectAltName when the subject is empty (§4.2.1.6).
 */
export function checkProfile(cert: CertificateFacts, errors: Finding[]): void {
  const problems: string[] = [];
  const ca = cert.basicConstraints.ca;
  if (!cert.profile.authorityKeyId && !cert.selfSigned) problems.push("it has no authority key identifier (§4.2.1.1)");
  if (ca && !cert.profile.subjectKeyId) problems.push("a CA certificate without a subject key identifier (§4.2.1.2)");
  if (ca && cert.names.directory.length === 0) problems.push("a CA certificate with an empty subject (§4.1.2.6)");
  if (!ca && cert.keyUsage?.keyCertSign) problems.push("keyCertSign without CA:TRUE (§4.2.1.3)");
  if (!ca && cert.nameConstraints) problems.push("name constraints on a certificate that is not a CA (§4.2.1.10)");
  if (!ca && cert.names.directory.length === 0 && !cert.profile.altNamesCritical) {
    problems.push("an empty subject without a critical subjectAltName (§4.2.1.6)");
  }
  if (problems.length > 0) {
    errors.push(finding("certificate-profile", `"${cert.subject}" breaks RFC 5280's profile: ${problems.join("; ")}`));
  }
}

/**
 * Constraints a trust anchor states against itself (the README promises they are enforced):
 * `CA:FALSE` says it issues nothing, and an EKU without clientAuth says nothing it anchors is for
 * TLS clients; OpenSSL refuses both as anchors for sslclient. anyExtendedKeyUsage does not stand
 * in for clientAuth there: a root whose EKU lists it without clientAuth is refused in the handshake.
 */
export function checkAnchor(anchor: CertificateFacts, errors: Finding[]): void {
  if (anchor.basicConstraints.present && !anchor.basicConstraints.ca) {
    errors.push(
      finding("anchor-constraint", `the trusted root "${anchor.subject}" says CA:FALSE, so it anchors no certificate`),
    );
  }
  const eku = anchor.extendedKeyUsage;
  if (eku && !eku.includes(CLIENT_AUTH)) {
    errors.push(
      finding(
        "anchor-constraint",
        eku.includes(ANY_EKU)
          ? `the trusted root "${anchor.subject}" lists only ${eku.map(ekuName).join(", ")} in its extended key usage, not clientAuth; TLS servers (OpenSSL) do not read anyExtendedKeyUsage as clientAuth in a CA and refuse the handshake ("unsuitable certificate purpose"): the CA must issue under a root that allows clientAuth`
          : `the trusted root "${anchor.subject}" is restricted to purposes that exclude TLS client authentication`,
      ),
    );
  }
}

/**
 * RFC 5280 §4.2.1.1 lets a certificate say which certificate issued it: the issuer's subject key
 * identifier, and optionally that certificate's issuer and serial number. RFC 5280 path
 * validation does not use them, but TLS stacks do: OpenSSL takes a CA as the issuer only when
 * every part present matches (X509_check_akid; a key identifier only when the issuer has one), so
 * a mismatch ends the handshake with "unable to get local issuer certificate". Checked on every
 * link of the path: leaf → CA, CA → CA, and the last one → the root.
 */
export function checkKeyIdentifiers(
  child: CertificateFacts,
  issuer: CertificateFacts,
  issuerIsAnchor: boolean,
  errors: Finding[],
): void {
  const aki = child.keyIdentifiers.authority;
  if (!aki) return;
  const ski = issuer.keyIdentifiers.subjectKeyId;
  const problems: string[] = [];
  if (aki.keyId !== undefined && ski !== undefined && aki.keyId !== ski)
    problems.push(`the key identifier ${colons(aki.keyId)}, where "${issuer.subject}" has ${colons(ski)}`);
  if (aki.serial !== undefined && aki.serial !== issuer.serialNumber)
    problems.push(
      `the serial number ${colons(aki.serial)}, where "${issuer.subject}" has ${colons(issuer.serialNumber)}`,
    );
  if (aki.issuer !== undefined && aki.issuer.key !== issuer.issuerKey)
    problems.push(
      `a certificate issued by "${aki.issuer.display}", where "${issuer.subject}" is issued by "${issuer.issuer}"`,
    );
  if (problems.length === 0) return;
  const remedy = issuerIsAnchor
    ? `it was issued under another certificate of that CA than the trusted root "${issuer.subject}": ask your CA for a certificate issued under the approved root`
    : `the file holds another certificate of the CA "${issuer.subject}" (same name and key) than the one that issued it: put the CA certificate your CA delivered with this certificate in the file, or have the certificate reissued`;
  errors.push(
    finding(
      "key-identifier-mismatch",
      `"${child.subject}" names, in its authority key identifier, ${problems.join(" and ")}; TLS servers (OpenSSL) then do not find its issuer and refuse the handshake ("unable to get local issuer certificate"): ${remedy}`,
    ),
  );
}

function colons(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(":");
}

/** The device key must be one a token can be delivered to (the shared definition). */
export function checkDeliverable(leaf: CertificateFacts, errors: Finding[]): void {
  const verdict = deliverableShape(leaf.key);
  if (!verdict.ok) {
    errors.push(
      finding(
        "undeliverable-key",
        `"${leaf.subject}" has ${verdict.why}; no token can be delivered to it: ${DELIVERABLE_KEYS_TEXT}`,
      ),
    );
  }
}

/**
 * RFC 5280 §6.1.3 (b)/(c), §6.1.4 (g): each CA's name constraints (the anchor's included, as
 * OpenSSL applies them) bind every certificate below it, except self-issued intermediates.
 */
export function checkNameConstraints(chain: CertificateFacts[], errors: Finding[]): void {
  chain.forEach((ca, k) => {
    const constraints = ca.nameConstraints;
    if (k === 0 || !constraints) return;
    if (constraints.unprocessable && constraints.critical) {
      errors.push(
        finding(
          "name-constraints",
          `"${ca.subject}" has critical name constraints that cannot be processed (${constraints.unprocessable})`,
        ),
      );
      return;
    }
    const subtrees = constraints.permitted.length + constraints.excluded.length;
    for (let j = 0; j < k; j++) {
      const cert = chain[j]!;
      if (j > 0 && cert.selfIssued) continue;
      if (nameCount(cert.names) * subtrees > MAX_NAME_CONSTRAINT_CHECKS) {
        errors.push(
          finding(
            "name-constraints",
            `"${cert.subject}" has too many names for the ${subtrees} name constraints of "${ca.subject}" to be checked`,
          ),
        );
        continue;
      }
      for (const violation of constraintViolations(cert.names, constraints, j === 0)) {
        errors.push(
          finding("name-constraints", `"${cert.subject}": ${violation} of the name constraints of "${ca.subject}"`),
        );
      }
    }
  });
}
