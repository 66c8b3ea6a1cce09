/**
 * Signature and hash algorithm identifiers we judge. SHA-1 and MD5 (and MD2) are refused: a
 * collision lets an attacker obtain a CA signature over a certificate they did not request.
 */
const KNOWN: Record<string, { name: string; weak: boolean }> = {
  "1.2.840.113549.1.1.2": { name: "md2WithRSAEncryption", weak: true },
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", weak: true },
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", weak: true },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", weak: true },
  "1.2.840.10040.4.3": { name: "dsa-with-SHA1", weak: true },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", weak: false },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", weak: false },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", weak: false },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", weak: false },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", weak: false },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", weak: false },
  "1.3.101.112": { name: "Ed25519", weak: false },
  "1.3.101.113": { name: "Ed448", weak: false },
  // Hash algorithms, as they appear inside RSASSA-PSS parameters.
  "1.3.14.3.2.26": { name: "SHA-1", weak: true },
  "1.2.840.113549.2.5": { name: "MD5", weak: true },
  "2.16.840.1.101.3.4.2.1": { name: "SHA-256", weak: false },
  "2.16.840.1.101.3.4.2.2": { name: "SHA-384", weak: false },
  "2.16.840.1.101.3.4.2.3": { name: "SHA-512", weak: false },
};

export function describeSignatureAlgorithm(oid: string): { name: string; weak: boolean } {
  // An algorithm we do not know is not one we can vouch for.
  return KNOWN[oid] ?? { name: `unknown algorithm ${oid}`, weak: true };
}

/** EC curves we accept for keys (Node's names). */
export const STRONG_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);
export const MIN_RSA_BITS = 2048;
