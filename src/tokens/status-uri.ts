/**
 * The rule for a status list's URI (draft-ietf-oauth-status-list §6.2: `uri` "MUST be a URI
 * conforming to RFC 3986"; §5.1: the list's `sub` equals it). OneRecord narrows it: an `https`
 * URL, or plain `http` to 127.0.0.1 only (a loopback test server), without credentials or a
 * fragment, at most MAX_STATUS_URI_LENGTH characters. A verifier fetches this URI, so the rule is
 * checked when a token is built, when a list is signed and when a token's claim is read.
 */
export const MAX_STATUS_URI_LENGTH = 2048;

/** Why `uri` cannot name a status list, or null when it can. */
export function statusUriProblem(uri: unknown): string | null {
  if (typeof uri !== "string" || uri.length === 0) return "the status list URI is empty";
  if (uri.length > MAX_STATUS_URI_LENGTH)
    return `the status list URI is longer than ${MAX_STATUS_URI_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "the status list URI is not a URL";
  }
  // The parsed form must be the given text: no whitespace, no case or escape the parser changes.
  if (url.href !== uri) return "the status list URI is not in its normal form (as the URL parser writes it)";
  const loopback = url.protocol === "http:" && url.hostname === "127.0.0.1";
  if (url.protocol !== "https:" && !loopback) return "the status list URI is not https (http only to 127.0.0.1)";
  if (url.username !== "" || url.password !== "") return "the status list URI carries credentials";
  if (url.hash !== "") return "the status list URI has a fragment";
  return null;
}

/** An index into a status list: a non-negative safe integer (draft §6.2 `idx`). */
export function isStatusIndex(idx: unknown): idx is number {
  return typeof idx === "number" && Number.isSafeInteger(idx) && idx >= 0;
}
