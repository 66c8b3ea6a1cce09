import { MIN_RSA_BITS, STRONG_CURVES } from "./algorithms.js";
import { finding, type Finding } from "./findings.js";
import type { CertificateFacts } from "./inspect.js";
import {
  ANY_EKU,
  CLIENT_AUTH,
  checkAnchor,
  checkDeliverable,
  checkKeyIdentifiers,
  checkNameConstraints,
  checkProfile,
  checkStructure,
  ekuName,
} from "./rfc-checks.js";
const DAY_MS = 86_400_000;

export interface CheckContext {
  at: Date;
  warnDays: number;
}

export interface CheckResult {
  errors: Finding[];
  warnings: Finding[];
}

/**
 * Judges a built path: `chain` is leaf first, then intermediates, then the trust anchor (if the
 * path reached one). Pure: the same chain and time always give the same findings.
 */
export function checkChain(chain: CertificateFacts[], anchored: boolean, context: CheckContext): CheckResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const [leaf] = chain;
  if (!leaf) return { errors, warnings };

  // RFC 5280 §6.1.4 (l): self-issued intermediates do not count against a pathLenConstraint.
  let intermediatesBelow = 0;
  let leafKeyWeak = false;
  chain.forEach((cert, index) => {
    checkValidity(cert, context, errors, warnings);
    const weak = checkKey(cert, errors);
    if (index === 0) leafKeyWeak = weak;
    checkStructure(cert, errors);
    const isAnchor = anchored && index === chain.length - 1;
    if (isAnchor) checkAnchor(cert, errors);
    // A path that reaches no anchor is refused already; profile findings there would be noise.
    else if (anchored) checkProfile(cert, errors);
    // The anchor is trusted by pin, so its self-signature's algorithm does not matter.
    if (!isAnchor && cert.signatureAlgorithm.weak) {
      errors.push(
        finding(
          "weak-signature",
          `"${cert.subject}" is signed with ${cert.signatureAlgorithm.name}; SHA-1 and MD5 signatures are refused`,
        ),
      );
    }
    if (index > 0) checkIssuer(cert, intermediatesBelow, isAnchor, errors);
    if (index > 0) checkKeyIdentifiers(chain[index - 1]!, cert, isAnchor, errors);
    if (index > 0 && !cert.selfIssued) intermediatesBelow++;
  });

  checkNameConstraints(chain, errors);
  checkLeaf(leaf, errors);
  // A weak key is also undeliverable; one finding says enough.
  if (!leafKeyWeak) checkDeliverable(leaf, errors);
  return { errors, warnings };
}

function checkValidity(
  cert: CertificateFacts,
  { at, warnDays }: CheckContext,
  errors: Finding[],
  warnings: Finding[],
): void {
  // Validity is stated to the second (RFC 5280 §4.1.2.5) and notAfter is inclusive: a time within
  // the notAfter second is still valid, as OpenSSL and the x509-limbo suite read it.
  const second = new Date(Math.floor(at.getTime() / 1000) * 1000);
  if (second < cert.notBefore) {
    errors.push(finding("not-yet-valid", `"${cert.subject}" is not valid before ${cert.notBefore.toISOString()}`));
  } else if (second > cert.notAfter) {
    errors.push(finding("expired", `"${cert.subject}" expired on ${cert.notAfter.toISOString()}`));
  } else if (cert.notAfter.getTime() - at.getTime() < warnDays * DAY_MS) {
    const days = Math.floor((cert.notAfter.getTime() - at.getTime()) / DAY_MS);
    warnings.push(
      finding("expires-soon", `"${cert.subject}" expires on ${cert.notAfter.toISOString()} (in ${days} days)`),
    );
  }
}

/** True when the key was refused. */
function checkKey(cert: CertificateFacts, errors: Finding[]): boolean {
  const before = errors.length;
  const { type, bits, curve } = cert.key;
  if ((type === "rsa" || type === "rsa-pss") && (bits ?? 0) < MIN_RSA_BITS) {
    errors.push(
      finding("weak-key", `"${cert.subject}" has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`),
    );
  } else if (type === "ec" && !STRONG_CURVES.has(curve ?? "")) {
    errors.push(
      finding(
        "weak-key",
        `"${cert.subject}" uses the EC curve ${curve ?? "unknown"}; P-256, P-384 or P-521 are required`,
      ),
    );
  } else if (!["rsa", "rsa-pss", "ec", "ed25519", "ed448"].includes(type)) {
    errors.push(finding("weak-key", `"${cert.subject}" has a ${type} key, which is not accepted`));
  }
  return errors.length > before;
}

function checkIssuer(cert: CertificateFacts, below: number, isAnchor: boolean, errors: Finding[]): void {
  // Roots of the allowlist predate some profiles (e.g. no basicConstraints on v1 roots); their
  // trust comes from the pin, so only constraints they do state are enforced on them.
  if (!isAnchor && !(cert.basicConstraints.present && cert.basicConstraints.ca)) {
    errors.push(
      finding(
        "key-usage",
        `"${cert.subject}" issued a certificate but is not a CA (basicConstraints CA:TRUE is missing)`,
      ),
    );
  }
  if (cert.keyUsage && !cert.keyUsage.keyCertSign) {
    errors.push(
      finding("key-usage", `"${cert.subject}" issued a certificate but its key usage does not allow keyCertSign`),
    );
  }
  // RFC 5280 6.1.4 (l)/(m): pathLenConstraint counts the non-self-issued intermediates below this CA.
  const limit = cert.basicConstraints.pathLength;
  if (limit !== undefined && below > limit) {
    errors.push(
      finding(
        "path-length",
        `"${cert.subject}" allows ${limit} intermediate CA(s) below it, but the chain has ${below}`,
      ),
    );
  }
  // Intermediates that restrict their purpose must allow client authentication. OpenSSL does not
  // read anyExtendedKeyUsage in a CA as clientAuth (error 26, unsuitable certificate purpose).
  const eku = cert.extendedKeyUsage;
  if (!isAnchor && eku && !eku.includes(CLIENT_AUTH)) {
    errors.push(
      finding(
        "missing-client-auth",
        eku.includes(ANY_EKU)
          ? `the CA "${cert.subject}" lists only ${eku.map(ekuName).join(", ")} in its extended key usage, not clientAuth; TLS servers (OpenSSL) do not read anyExtendedKeyUsage as clientAuth in a CA and refuse the handshake ("unsuitable certificate purpose"): ask your CA for a chain whose intermediates list clientAuth`
          : `the CA "${cert.subject}" is restricted to purposes that exclude TLS client authentication`,
      ),
    );
  }
}

function checkLeaf(leaf: CertificateFacts, errors: Finding[]): void {
  if (leaf.basicConstraints.ca) {
    errors.push(
      finding(
        "ca-leaf",
        `"${leaf.subject}" is a CA certificate (CA:TRUE); a device certificate must be an end-entity certificate`,
      ),
    );
  }
  const eku = leaf.extendedKeyUsage;
  if (!eku || !eku.includes(CLIENT_AUTH)) {
    const has =
      eku && eku.length > 0 ? `it allows only ${eku.map(ekuName).join(", ")}` : "it has no extended key usage";
    errors.push(
      finding(
        "missing-client-auth",
        `"${leaf.subject}" is not for TLS client authentication (${has}); mutual TLS needs clientAuth`,
      ),
    );
  }
  if (leaf.keyUsage && !leaf.keyUsage.digitalSignature) {
    errors.push(
      finding("key-usage", `"${leaf.subject}" key usage does not allow digitalSignature, which a TLS client needs`),
    );
  }
}
