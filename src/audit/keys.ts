import { parseRecordJwks, type RecordPublicJwk } from "../record/record-keys.js";
import type { KeyChange, TrustedKey } from "./types.js";

/**
 * Which record keys an audit trusts, and when (issue 21): every key `records.jwks` published in
 * some version of the configuration on the default branch, from the commit that published it to
 * the one that removed it. Whoever can add a key could sign anything, so the report lists each key
 * with the change that brought it in. Pure.
 */
export interface ConfigVersion {
  change: KeyChange;
  /** `records.jwks` in that version (null: none, or the file did not parse). */
  jwks: unknown;
}

/** `versions` oldest first. */
export function keyWindows(versions: readonly ConfigVersion[]): TrustedKey[] {
  const keys: TrustedKey[] = [];
  let open = new Map<string, TrustedKey>();
  for (const version of versions) {
    const now = new Map<string, RecordPublicJwk>();
    for (const jwk of publishedKeys(version.jwks)) now.set(jwk.kid, jwk);
    for (const [kid, key] of open) if (!now.has(kid)) key.removed = version.change;
    const next = new Map<string, TrustedKey>();
    for (const [kid, jwk] of now) {
      const key = open.get(kid) ?? { kid, jwk, entered: version.change, removed: null };
      if (!open.has(kid)) keys.push(key);
      next.set(kid, key);
    }
    open = next;
  }
  return keys;
}

/** Whether `kid` was published at `at` (a version signed by a key removed before it is not trusted). */
export function keyInEffect(keys: readonly TrustedKey[], kid: string, at: string): boolean {
  const t = Date.parse(at);
  return keys.some(
    (k) => k.kid === kid && Date.parse(k.entered.at) <= t && (!k.removed || t < Date.parse(k.removed.at)),
  );
}

/** Every key ever trusted, as one JWKS (which key was in effect when is `keyInEffect`'s question). */
export function unionJwks(keys: readonly TrustedKey[]): { keys: RecordPublicJwk[] } {
  return { keys: keys.map((k) => k.jwk) };
}

function publishedKeys(jwks: unknown): RecordPublicJwk[] {
  if (!jwks) return [];
  try {
    return parseRecordJwks(jwks).keys;
  } catch {
    return [];
  }
}
