/** The compact serializations, recognised by shape only (the jose calls do the real parsing). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeCompactJws(text: string): boolean {
  return COMPACT_JWS.test(text);
}

export function looksLikeCompactJwe(text: string): boolean {
  return COMPACT_JWE.test(text);
}
