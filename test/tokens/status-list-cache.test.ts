import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import {
  createStatusListCache,
  signStatusList,
  StatusListFetchError,
  type StatusListCacheOptions,
} from "../../src/tokens/index.js";

const URI = "https://ledger.onerecord.example/status/7.jwt";
const T0 = new Date("2026-06-01T00:00:00Z").getTime();

/**
 * The verifier's cache with an injected clock (no sleeping): fetched once per ttl, never past
 * exp, concurrent fetches shared, failures and rollbacks answered with the list held.
 */
describe("status list cache (draft-ietf-oauth-status-list §13.7)", () => {
  let key: RecordSigningKey;
  beforeAll(async () => {
    key = await loadRecordSigningKey(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    );
  });

  /** A fake status provider: serves `current`, counts the fetches. */
  function setup(over: Partial<StatusListCacheOptions> = {}) {
    const clock = { ms: T0 };
    const server = { current: "", fetches: 0, fail: false };
    const cache = createStatusListCache({
      jwks: key.jwks,
      now: () => new Date(clock.ms),
      fetch: async () => {
        server.fetches++;
        if (server.fail) throw new StatusListFetchError("status-list-unavailable", "offline");
        return server.current;
      },
      ...over,
    });
    const publish = async (statuses: number[], ttlSeconds: number, lifetimeSeconds: number, uri = URI) => {
      server.current = await signStatusList(
        { uri, statuses, ttlSeconds, lifetimeSeconds, now: new Date(clock.ms) },
        key,
      );
    };
    const advance = (seconds: number) => (clock.ms += seconds * 1000);
    const statusOf = async (idx: number, uri = URI) => {
      const got = await cache.get(uri);
      return got.ok ? got.list.statusAt(idx) : got.code;
    };
    return { cache, server, publish, advance, statusOf };
  }

  it("fetches once per ttl, then sees the revocation", async () => {
    const { server, publish, advance, statusOf } = setup();
    await publish([0, 0], 300, 3600);
    expect(await statusOf(1)).toBe(0);
    await publish([0, 1], 300, 3600); // gw at index 1 revoked
    advance(299);
    expect(await statusOf(1)).toBe(0);
    expect(server.fetches).toBe(1);
    advance(1);
    expect(await statusOf(1)).toBe(1);
    expect(server.fetches).toBe(2);
  });

  it("never serves a list past its exp, whatever its ttl", async () => {
    const { server, publish, advance, statusOf } = setup();
    await publish([0], 600, 600);
    advance(500);
    expect(await statusOf(0)).toBe(0); // fetched at +500: ttl would reach +1100, exp is +600
    advance(100);
    server.fail = true;
    expect(await statusOf(0)).toBe("status-list-unavailable");
    expect(server.fetches).toBe(2);
  });

  it("shares one fetch between concurrent requests for the same list", async () => {
    const { server, publish, cache } = setup();
    await publish([0, 1, 2], 300, 3600);
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get(URI)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.fetches).toBe(1);
  });

  it("keeps the list it holds, until its exp, when a refresh fails or rolls back", async () => {
    const { server, publish, advance, statusOf } = setup({ minTtlSeconds: 30 });
    await publish([1], 60, 3600);
    const old = server.current;
    advance(10);
    await publish([2], 60, 3600);
    expect(await statusOf(0)).toBe(2);
    server.current = old; // an older list (lower iat) replayed
    advance(60);
    expect(await statusOf(0)).toBe(2);
    server.current = "not a jwt";
    advance(60);
    expect(await statusOf(0)).toBe(2);
    server.fail = true;
    advance(60);
    expect(await statusOf(0)).toBe(2);
    const fetches = server.fetches;
    advance(29); // after a failure the next attempt waits minTtlSeconds
    expect(await statusOf(0)).toBe(2);
    expect(server.fetches).toBe(fetches);
    advance(3600);
    expect(await statusOf(0)).toBe("status-list-unavailable");
  });

  it("answers the verification failure when it holds nothing", async () => {
    const { server, publish, statusOf } = setup();
    await publish([0], 60, 3600, "https://ledger.onerecord.example/status/other.jwt");
    expect(await statusOf(0)).toBe("status-list-subject");
    server.current = "x".repeat(100);
    expect(await statusOf(0)).toBe("status-list-malformed");
  });

  it("refetches no sooner than minTtlSeconds, even for a list with ttl 1", async () => {
    const { server, publish, advance, statusOf } = setup({ minTtlSeconds: 30 });
    await publish([0], 1, 3600);
    await statusOf(0);
    advance(29);
    await statusOf(0);
    expect(server.fetches).toBe(1);
    advance(1);
    await statusOf(0);
    expect(server.fetches).toBe(2);
  });

  it("is bounded: entries (least recently used first) and response size", async () => {
    const { server, publish, statusOf } = setup({ maxEntries: 2, maxBytes: 2000 });
    const uri = (n: number) => `https://ledger.onerecord.example/status/${n}.jwt`;
    for (const n of [1, 2, 3]) {
      await publish([0], 300, 3600, uri(n));
      expect(await statusOf(0, uri(n))).toBe(0);
    }
    await publish([0], 300, 3600, uri(1));
    await statusOf(0, uri(1)); // evicted by the third: fetched again
    expect(server.fetches).toBe(4);
    await publish([0], 300, 3600, uri(3));
    await statusOf(0, uri(3)); // still held
    expect(server.fetches).toBe(4);
    server.current = `${server.current}${"A".repeat(2000)}`;
    expect(await statusOf(0, uri(9))).toBe("status-list-malformed");
  });

  it("throws at once for a broken records.jwks", () => {
    expect(() => createStatusListCache({ jwks: { keys: [] }, fetch: async () => "" })).toThrow(/records.jwks/);
  });
});
