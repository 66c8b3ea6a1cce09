import "reflect-metadata";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { validateCertificateBytes, type ErrorFindingCode } from "../../src/certificates/index.js";
import { makeLeaf, makeRoot, pemFile, trustFor, validFor, type Issued } from "../helpers/pki.js";
import { buildChain, random, randomSpec, type BuiltChain, type ChainSpec } from "../helpers/random-chains.js";

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

let serverRoot: Issued;
let serverLeaf: Issued;

beforeAll(async () => {
  serverRoot = await makeRoot({ cn: "Oracle Server Root", ...validFor(30) });
  serverLeaf = await makeLeaf(serverRoot, {
    cn: "127.0.0.1",
    eku: ["serverAuth"],
    san: [{ type: "ip", value: "127.0.0.1" }],
    ...validFor(30),
  });
});

/** True when the server accepted the client's certificate chain. */
async function handshake(chain: BuiltChain): Promise<boolean> {
  const server = tls.createServer({
    key: serverLeaf.keyPem,
    cert: serverLeaf.pem,
    ca: [chain.root.pem],
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const verdict = new Promise<boolean>((resolve) => {
    server.once("secureConnection", (socket: tls.TLSSocket) => {
      resolve(socket.authorized);
      socket.end();
    });
    server.once("tlsClientError", () => resolve(false));
  });
  let client: tls.TLSSocket;
  try {
    client = tls.connect({
      host: "127.0.0.1",
      port: (server.address() as AddressInfo).port,
      ca: [serverRoot.pem],
      cert: Buffer.from(pemFile(chain.leaf, ...chain.intermediates)).toString(),
      key: chain.leaf.keyPem,
    });
  } catch {
    // OpenSSL would not even load the chain into the client (e.g. a duplicate extension).
    server.close();
    return false;
  }
  client.on("error", () => {}); // the server's verdict is the one that counts
  try {
    return await verdict;
  } finally {
    client.destroy();
    server.close();
  }
}

describe("handshake oracle: a valid verdict means the mutual-TLS handshake succeeds", () => {
  const now = new Date();
  const outcomes: Array<{ spec: ChainSpec; codes: ErrorFindingCode[]; accepted: boolean }> = [];

  it(`agrees with a real TLS server on ${CHAINS} generated chains`, async () => {
    const next = random(SEED);
    for (let id = 0; id < CHAINS; id++) {
      const spec = randomSpec(id, next);
      const chain = await buildChain(spec, now);
      const report = validateCertificateBytes(chain.file, { path: "d.pem", trust: trustFor(chain.root), at: now });
      const codes = [...new Set(report.errors.map((e) => e.code as ErrorFindingCode))];
      outcomes.push({ spec, codes, accepted: await handshake(chain) });
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
});
