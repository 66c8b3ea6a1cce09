import { parseRecordJwks } from "../record/record-keys.js";
import { fetchStatusListJwt, fetchVerifiedStatusList, type StatusListFetcher } from "./status-list-fetch.js";
import {
  MAX_STATUS_LIST_JWT_LENGTH,
  type StatusListFailureCode,
  type VerifiedStatusList,
} from "./status-list-verify.js";

/** A list from the cache, or why there is none (`status-list-unavailable`: it could not be fetched). */
export type StatusListLookup =
  | { ok: true; list: VerifiedStatusList }
  | { ok: false; code: StatusListFailureCode | "status-list-unavailable"; reason: string };

export interface StatusListCache {
  /** The verified list at `uri`: cached while fresh, else fetched (once for concurrent callers). */
  get(uri: string): Promise<StatusListLookup>;
}

export interface StatusListCacheOptions {
  /** `records.jwks`, the keys lists are verified with. */
  jwks: unknown;
  /** Fetches a list's JWT (default `fetchStatusListJwt`: bounded, with a timeout). */
  fetch?: StatusListFetcher;
  now?: () => Date;
  /** Lists kept at most (default 1,000); the least recently used goes first. */
  maxEntries?: number;
  /** Longest JWT accepted from `fetch`, in characters (default MAX_STATUS_LIST_JWT_LENGTH). */
  maxBytes?: number;
  /**
   * Shortest time between two fetches of one list, in seconds (default 30), whatever its `ttl`
   * says: a list with a tiny ttl cannot turn every API request into a fetch (draft §11.5).
   */
  minTtlSeconds?: number;
  /** Passed to verifyStatusList: refuse lists older than this (draft §8.3 step 4b). */
  maxAgeSeconds?: number;
}

interface Entry {
  list: VerifiedStatusList;
  /** Milliseconds: until then the list is served without a fetch; never past its `exp`. */
  freshUntil: number;
}

/**
 * The verifier's cache of status lists (draft §13.7, "after time of fetching, the Relying Party
 * caches the Status List for time duration of ttl"): a list is fetched and verified, then served
 * for `ttl` seconds (at least `minTtlSeconds`) from the fetch, never past its `exp`. Concurrent
 * requests for one URI share one fetch. When a refresh fails (unreachable, tampered, another
 * `sub`, …) or returns an older list than the one held (a lower `iat`: a rollback), the list held
 * is served until its own `exp`, and the next attempt waits `minTtlSeconds`; with nothing held,
 * the failure is the answer. So a revocation reaches every verifier within ttl of its
 * publication, and no one who can block or replay the fetch stretches a list past its `exp`.
 */
export function createStatusListCache(options: StatusListCacheOptions): StatusListCache {
  // A broken key set is the verifier's configuration problem: it throws here, not per request.
  parseRecordJwks(options.jwks);
  const now = () => (options.now ? options.now() : new Date()).getTime();
  const maxEntries = options.maxEntries ?? 1000;
  const maxBytes = options.maxBytes ?? MAX_STATUS_LIST_JWT_LENGTH;
  const minTtlMs = (options.minTtlSeconds ?? 30) * 1000;
  const fetcher = options.fetch ?? ((uri: string) => fetchStatusListJwt(uri, { maxBytes }));
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<StatusListLookup>>();

  function keep(uri: string, entry: Entry): void {
    entries.delete(uri);
    entries.set(uri, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  async function load(uri: string): Promise<StatusListLookup> {
    const fetched = await fetchAndVerify(uri);
    const at = now();
    const held = entries.get(uri);
    const heldUsable = held !== undefined && at < held.list.exp * 1000;
    if (fetched.ok && !(heldUsable && held.list.iat > fetched.list.iat)) {
      const ttlMs = Math.max(fetched.list.ttl * 1000, minTtlMs);
      keep(uri, { list: fetched.list, freshUntil: Math.min(at + ttlMs, fetched.list.exp * 1000) });
      return fetched;
    }
    if (!heldUsable) return fetched;
    keep(uri, { list: held.list, freshUntil: Math.min(at + minTtlMs, held.list.exp * 1000) });
    return { ok: true, list: held.list };
  }

  function fetchAndVerify(uri: string): Promise<StatusListLookup> {
    const verify = {
      jwks: options.jwks,
      uri,
      now: new Date(now()),
      ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
    };
    return fetchVerifiedStatusList(fetcher, verify, maxBytes);
  }

  return {
    async get(uri) {
      const entry = entries.get(uri);
      if (entry && now() < entry.freshUntil) {
        keep(uri, entry);
        return { ok: true, list: entry.list };
      }
      let loading = pending.get(uri);
      if (!loading) {
        loading = load(uri).finally(() => pending.delete(uri));
        pending.set(uri, loading);
      }
      return loading;
    },
  };
}
