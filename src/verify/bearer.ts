/** The largest Authorization header read; a device token is far smaller (src/tokens/verify.ts). */
const MAX_HEADER_LENGTH = 16 * 1024;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive, RFC 9110 §11.1), or null: no header, another scheme (`DPoP`, `Basic`: device
 * tokens are bound by mutual TLS, RFC 8705, not by a proof header), or not exactly one token.
 */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== "string" || header.length > MAX_HEADER_LENGTH) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match ? match[1]! : null;
}
