import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, type ErrorFindingCode } from "../../src/certificates/index.js";
import { handshake, serverIdentity, type ServerIdentity } from "../helpers/handshake.js";
import { trustFor } from "../helpers/pki.js";
import { buildChain, coverageSpecs, random, randomSpec, type ChainSpec } from "../helpers/random-chains.js";

/**
 * The handshake oracle: what the customer cares about. For generated chains the judge calls
 * valid, a real Node TLS server on 127.0.0.1 that requests client certificates with the chain's
 * root as its only CA accepts a client presenting that chain and key; for chains refused for an
 * RFC 5280 reason (not for a project policy such as SHA-1 or a missing EKU), the same handshake
 * fails. Certificates are made around the real clock, which the handshake reads.
 */
const CHAINS = 40;
const SEED = 0x7715;

/** Refusals that are project policy, not RFC 5280: the handshake may well succeed for them. */
const POLICY: Partial<Record<ErrorFindingCode, (spec: ChainSpec) => boolean>> = {
  "missing-client-auth": (s) => s.leaf.eku === null,
  "weak-key": () => true,
  "weak-signature": () => true,
  "undeliverable-key": () => true,
  "ca-leaf": () => true,
  "key-usage": (s) => s.leaf.ku === "key-agreement",
  // RFC 5280 profile MUSTs that only OpenSSL's strict mode enforces (not generated here).
  "certificate-profile": () => true,
};

let server: ServerIdentity;

beforeAll(async () => {
  server = await serverIdentity();
});

describe("handshake oracle: a valid verdict means the mutual-TLS handshake succeeds", () => {
  const now = new Date();
  const outcomes: Array<{ spec: ChainSpec; codes: ErrorFindingCode[]; accepted: boolean }> = [];

  it(`agrees with a real TLS server on ${CHAINS} generated chains and the kinds it must cover`, async () => {
    const next = random(SEED);
    const specs = [...Array.from({ length: CHAINS }, (_, id) => randomSpec(id, next)), ...coverageSpecs(CHAINS)];
    for (const spec of specs) {
      const chain = await buildChain(spec, now);
      const report = validateCertificateBytes(chain.file, { path: "d.pem", trust: trustFor(chain.root), at: now });
      const codes = [...new Set(report.errors.map((e) => e.code as ErrorFindingCode))];
      outcomes.push({ spec, codes, accepted: await handshake(server, chain) });
    }
    const validButRefused = outcomes.filter((o) => o.codes.length === 0 && !o.accepted);
    expect(validButRefused.map((o) => o.spec)).toEqual([]);
    const rfcRefusedButAccepted = outcomes.filter((o) => o.accepted && o.codes.some((code) => !POLICY[code]?.(o.spec)));
    expect(rfcRefusedButAccepted.map((o) => ({ spec: o.spec, codes: o.codes }))).toEqual([]);
  });

  it("saw both outcomes, so the comparison above can fail", () => {
    expect(outcomes.filter((o) => o.codes.length === 0 && o.accepted).length).toBeGreaterThan(5);
    expect(outcomes.filter((o) => !o.accepted).length).toBeGreaterThan(5);
  });

  it("covered the chains a TLS server refused after a valid verdict (issue 18)", () => {
    const seen = (test: (spec: ChainSpec) => boolean) => outcomes.filter((o) => test(o.spec)).length;
    expect(seen((s) => s.intermediates.some((ca) => ca.eku?.length === 1 && ca.eku[0] === "any"))).toBeGreaterThan(0);
    expect(seen((s) => s.leaf.akiMismatch)).toBeGreaterThan(0);
    expect(seen((s) => s.intermediates.length > 1 && s.intermediates.at(-1)!.akiMismatch)).toBeGreaterThan(0);
    expect(seen((s) => s.intermediates[0]?.akiMismatch === true)).toBeGreaterThan(0);
  });
});
