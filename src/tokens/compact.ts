/**
 * The compact serializations, recognised by shape only (the jose calls do the real parsing):
 * RFC 7515 §7.1 (JWS, three base64url parts; the signature may be empty, so an unsecured token is
 * recognised and then refused by name) and RFC 7516 §7.1 (JWE, five parts; the encrypted key is
 * empty for direct encryption). The one definition of both: the issuance comment's schema
 * (src/record/issuance-comment.ts) uses `COMPACT_JWE` through src/record/token-workflow.ts.
 */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeCompactJws(text: string): boolean {
  return COMPACT_JWS.test(text);
}

export function looksLikeCompactJwe(text: string): boolean {
  return COMPACT_JWE.test(text);
}
