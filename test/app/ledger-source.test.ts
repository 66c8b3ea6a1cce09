import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/parse.js";
import { recordSetupProblem } from "../../src/app/ledger/setup.js";
import { recordSource, nextIntegrity, type LedgerObservation } from "../../src/app/ledger/source.js";
import type { LedgerHistory } from "../../src/record/ledger-history.js";
import { sampleRecord } from "../record/helpers.js";

/**
 * Where the prior record comes from (src/app/ledger/source.ts): the decision the app takes from
 * what it read in the ledger, on hand-built observations. The flows through the fake GitHub are
 * in test/app/ledger-flow.test.ts.
 */
const AT = "2026-06-02T00:00:00Z";
const genuine = sampleRecord({ stage: "certificates" });
const older = sampleRecord({ stage: "certification" });

function seen(extra: Partial<LedgerObservation>): LedgerObservation {
  return { head: null, history: null, legacy: null, seenBefore: true, ...extra };
}

function history(newestValid: LedgerHistory["newestValid"], versions: LedgerHistory["versions"]): LedgerHistory {
  return { versions, headValid: versions[0]?.ok === true, newestValid };
}

const ok = { ok: true as const, record: genuine, kid: "k", alg: "ES256" as const };

describe("recordSource", () => {
  it("takes a head that verifies and that the app committed as the record, with nothing to report", () => {
    const source = recordSource(seen({ head: { sha: "b1", verdict: ok, byApp: true, commit: "c1" } }), AT);
    expect(source).toEqual({ prior: genuine, headSha: "b1", atHead: true, rebuilding: false, incident: null });
  });

  it("reports a head that does not verify and continues from the newest valid version, writing over the head", () => {
    const bad = { ok: false as const, code: "bad-signature" as const, reason: "x" };
    const source = recordSource(
      seen({
        head: { sha: "b2", verdict: bad, byApp: false, commit: null },
        history: history({ commit: "c1", record: older, kid: "k" }, [
          { commit: "c2", ok: false, code: "bad-signature", reason: "x" },
          { commit: "c1", ok: true, kid: "k", alg: "ES256" },
        ]),
      }),
      AT,
    );
    expect(source).toMatchObject({ prior: older, headSha: "b2", atHead: false, rebuilding: false });
    expect(source.incident).toEqual({
      at: AT,
      kind: "tampered",
      code: "bad-signature",
      commit: "c2",
      restoredFrom: "c1",
    });
  });

  it("does not trust a genuine signature committed by someone else (a replayed older version)", () => {
    const source = recordSource(
      seen({
        head: { sha: "b3", verdict: ok, byApp: false, commit: "c3" },
        history: history({ commit: "c1", record: older, kid: "k" }, [
          { commit: "c3", ok: false, code: "replayed", reason: "x" },
          { commit: "c1", ok: true, kid: "k", alg: "ES256" },
        ]),
      }),
      AT,
    );
    expect(source.prior).toBe(older);
    expect(source.incident).toMatchObject({ kind: "tampered", code: "not-by-app", commit: "c3", restoredFrom: "c1" });
  });

  it("recovers a deleted file from its history, and rebuilds when no version verifies", () => {
    const deleted = recordSource(
      seen({
        history: history({ commit: "c1", record: older, kid: "k" }, [
          { commit: "c9", ok: false, code: "missing", reason: "deleted" },
          { commit: "c1", ok: true, kid: "k", alg: "ES256" },
        ]),
      }),
      AT,
    );
    expect(deleted).toMatchObject({ prior: older, headSha: null, rebuilding: false });
    expect(deleted.incident).toMatchObject({ kind: "deleted", commit: "c9", restoredFrom: "c1" });
    const hopeless = recordSource(
      seen({ history: history(null, [{ commit: "c9", ok: false, code: "missing", reason: "deleted" }]) }),
      AT,
    );
    expect(hopeless).toMatchObject({ prior: null, rebuilding: true, incident: { kind: "deleted" } });
  });

  it("migrates a v1 record from the status comment once, and calls a request seen before without any record lost", () => {
    const migrated = recordSource(seen({ history: history(null, []), legacy: { comment: 5, record: older } }), AT);
    expect(migrated).toMatchObject({ prior: older, headSha: null, atHead: false, rebuilding: false });
    expect(migrated.incident).toEqual({ at: AT, kind: "migrated", comment: 5 });
    const lost = recordSource(seen({ history: history(null, []) }), AT);
    expect(lost).toMatchObject({ prior: null, rebuilding: true, incident: { kind: "lost" } });
    expect(recordSource(seen({ seenBefore: false }), AT)).toMatchObject({
      prior: null,
      rebuilding: false,
      incident: null,
    });
  });

  it("keeps the newest 20 integrity events", () => {
    const full = sampleRecord({ integrity: Array.from({ length: 20 }, () => ({ at: AT, kind: "lost" as const })) });
    const next = nextIntegrity(full, { at: "2026-06-03T00:00:00Z", kind: "migrated" });
    expect(next).toHaveLength(20);
    expect(next.at(-1)).toMatchObject({ kind: "migrated" });
  });
});

describe("recordSetupProblem", () => {
  const key = { ok: true as const, key: { kid: "kid-1" } as never };
  it("names what is missing: the key, the published JWKS, the key in it", () => {
    const config = defaultConfig();
    expect(recordSetupProblem(config, { ok: false, problem: "RECORD_SIGNING_KEY is not set" })).toMatch(/not set/);
    expect(recordSetupProblem(config, key)).toMatch(/publishes no `records.jwks`/);
    const other = {
      ...config,
      records: { ...config.records, jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: "x", kid: "kid-2" }] } },
    };
    expect(recordSetupProblem(other as never, key)).toMatch(
      /does not publish the app's current record key \(kid `kid-1`\)/,
    );
    const mine = {
      ...config,
      records: { ...config.records, jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: "x", kid: "kid-1" }] } },
    };
    expect(recordSetupProblem(mine as never, key)).toBeNull();
  });
});
