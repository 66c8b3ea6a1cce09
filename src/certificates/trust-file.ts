import { decodeCertificateFile, pemOfDer } from "./decode.js";
import { CertificateDecodeError, inspectCertificate } from "./inspect.js";
import { trustAnchorFromPem } from "./trust-store.js";
import type { TrustAnchorSource } from "./types.js";

/** A `--trust` file may be a CA bundle: more roots, and larger, than a device's chain. */
export const MAX_TRUST_FILE_BYTES = 1024 * 1024;
export const MAX_TRUST_CERTIFICATES = 200;

export type TrustFileResult = { ok: true; sources: TrustAnchorSource[] } | { ok: false; message: string };

/**
 * Every certificate of a trust file (a PEM bundle or one DER certificate) as an anchor. Refused
 * whole: a file holding private key material (its kind is named, never its content), anything
 * that is not a certificate, and a certificate that is not a CA — it says CA:FALSE, or it has no
 * basicConstraints and is not a self-signed (v1-style) root — since it could anchor nothing.
 */
export function trustAnchorsFromFile(bytes: Uint8Array, brand: string): TrustFileResult {
  const decoded = decodeCertificateFile(bytes, {
    maxBytes: MAX_TRUST_FILE_BYTES,
    maxCertificates: MAX_TRUST_CERTIFICATES,
  });
  if (decoded.errors.length > 0) {
    const error = decoded.errors[0]!;
    const message =
      error.code === "private-key"
        ? "the file contains private key material; a trust file holds only CA certificates (rotate that key)"
        : error.message;
    return { ok: false, message };
  }
  const sources: TrustAnchorSource[] = [];
  for (const [index, der] of decoded.certificates.entries()) {
    let problem: string | undefined;
    try {
      const facts = inspectCertificate(der);
      const legacyRoot = !facts.basicConstraints.present && facts.selfSigned;
      if (!facts.basicConstraints.ca && !legacyRoot) {
        const why = facts.basicConstraints.present ? "it says CA:FALSE" : "it has no basicConstraints CA:TRUE";
        problem = `"${facts.subject}" is not a CA certificate (${why}); only a CA can be a trust anchor`;
      } else {
        // The anchor is the DER OpenSSL reads: a root in BER (a long outer length, a set unused bit)
        // is the certificate OpenSSL re-encodes, fingerprinted as such, as a pin fingerprints it
        // (attacker review). One OpenSSL parse a root, at most 200 of them.
        const raw = facts.node.raw;
        sources.push(
          raw.equals(der)
            ? { brand, pem: pemOfDer(der), fingerprintSha256: facts.fingerprintSha256 }
            : trustAnchorFromPem(pemOfDer(raw), brand),
        );
      }
    } catch (error) {
      problem = error instanceof CertificateDecodeError ? error.message : "not a valid X.509 certificate";
    }
    if (problem) return { ok: false, message: `certificate ${index + 1} of the file: ${problem}` };
  }
  return { ok: true, sources };
}
