import { createHash } from "node:crypto";

/**
 * RFC 8705 §3.1 certificate thumbprint: base64url (no padding) of SHA-256 over the certificate's
 * DER encoding. This is the value a token's `cnf["x5t#S256"]` binds it to, and what an API computes
 * from the certificate presented in the TLS handshake.
 */
export function x5tS256(certDer: Uint8Array): string {
  return createHash("sha256").update(certDer).digest("base64url");
}
