import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecordSigningKey, type RecordSigningKey } from "../../src/record/record-signing-key.js";
import {
  decryptDeviceToken,
  issueDeviceToken,
  loadSigningKey,
  signStatusList,
  type SigningKey,
} from "../../src/tokens/index.js";
import { createDeviceVerifier, type DeviceVerifier } from "../../src/verify/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor, type Issued } from "../helpers/pki.js";

const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";

/**
 * The API side over a real mutual-TLS handshake on loopback (as test/tokens/mtls.test.ts): a
 * node:https server using `createDeviceVerifier(...).middleware()`, the request's status list
 * served by a loopback HTTP server and fetched by the default bounded fetcher. gw-1 is revoked,
 * gw-2 valid, gw-3 suspended, each presenting its own certificate.
 */
describe("device tokens and the status list over mutual TLS (loopback)", () => {
  let root: Issued;
  let api: Server;
  let ledger: HttpServer;
  let apiPort: number;
  let key: SigningKey;
  let recordKey: RecordSigningKey;
  let verifier: DeviceVerifier;
  let listUri: string;
  let listJwt = "";
  let listFetches = 0;
  const clock = { ms: Date.now() };
  const devices: Record<string, Issued> = {};
  const tokens: Record<string, string> = {};
  const publish = async (statuses: number[]) => {
    listJwt = await signStatusList(
      { uri: listUri, statuses, ttlSeconds: 300, lifetimeSeconds: 86400, now: new Date(clock.ms) },
      recordKey,
    );
  };

  beforeAll(async () => {
    root = await makeRoot({ name: "CN=mTLS Status Root", ...validFor(3650) });
    const serverCert = await makeLeaf(root, {
      cn: "127.0.0.1",
      eku: ["serverAuth"],
      san: [{ type: "ip", value: "127.0.0.1" }],
      ...validFor(730),
    });
    key = await loadSigningKey(signingSecret("ES256").pem);
    recordKey = await loadRecordSigningKey(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    );

    ledger = createHttpServer((req, res) => {
      listFetches++;
      res.writeHead(200, { "content-type": "application/statuslist+jwt" }).end(listJwt);
    });
    ledger.listen(0, "127.0.0.1");
    await once(ledger, "listening");
    listUri = `http://127.0.0.1:${(ledger.address() as AddressInfo).port}/status/acme-health/42.jwt`;

    for (const [idx, device] of ["gw-1", "gw-2", "gw-3"].entries()) {
      devices[device] = await makeLeaf(root, { cn: device, keyAlg: "p-256", ...validFor(730) });
      const { jwe } = await issueDeviceToken({
        key,
        certificate: devices[device].pem,
        device,
        account: "acme-health",
        issuer: ISSUER,
        audience: AUDIENCE,
        lifetimeDays: 30,
        status: { idx, uri: listUri },
        // The verifier's clock, not the wall clock: under load the set-up takes seconds, and a
        // token dated after the verifier's "now" would be refused as not yet valid.
        now: new Date(clock.ms),
      });
      tokens[device] = await decryptDeviceToken(jwe, devices[device].privateKey);
    }
    await publish([1, 0, 2]); // gw-1 revoked, gw-2 valid, gw-3 suspended

    verifier = createDeviceVerifier({
      tokensJwks: key.jwks,
      recordsJwks: recordKey.jwks,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => new Date(clock.ms),
    });
    const guard = verifier.middleware();
    api = createServer(
      { key: serverCert.keyPem, cert: serverCert.pem, ca: [root.pem], requestCert: true, rejectUnauthorized: false },
      (req, res) =>
        guard(req, res, () => {
          const claims = verifier.claimsOf(req)!;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ sub: claims.sub }));
        }),
    );
    api.listen(0, "127.0.0.1");
    await once(api, "listening");
    apiPort = (api.address() as AddressInfo).port;
  });

  afterAll(async () => {
    api.close();
    ledger.close();
    await Promise.all([once(api, "close"), once(ledger, "close")]);
  });

  async function call(token: string, client: Issued): Promise<{ status: number; body: Record<string, unknown> }> {
    const req = request({
      host: "127.0.0.1",
      port: apiPort,
      path: "/v1/ping",
      ca: root.pem,
      agent: false,
      headers: { authorization: `Bearer ${token}` },
      key: client.keyPem,
      cert: client.pem,
    });
    req.end();
    const [res] = (await once(req, "response")) as [IncomingMessage];
    let text = "";
    for await (const chunk of res) text += String(chunk);
    return { status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> };
  }

  it("refuses gw-1's revoked token with the right certificate, accepts gw-2's, refuses gw-3's suspended one", async () => {
    expect(await call(tokens["gw-1"]!, devices["gw-1"]!)).toEqual({ status: 401, body: { error: "token-revoked" } });
    expect(await call(tokens["gw-2"]!, devices["gw-2"]!)).toEqual({ status: 200, body: { sub: "gw-2" } });
    expect(await call(tokens["gw-3"]!, devices["gw-3"]!)).toEqual({ status: 403, body: { error: "token-suspended" } });
    // One fetch for the three requests: the list is cached for its ttl.
    expect(listFetches).toBe(1);
  });

  it("still binds the token to its certificate: gw-2's token from gw-1's certificate is refused", async () => {
    expect(await call(tokens["gw-2"]!, devices["gw-1"]!)).toMatchObject({ body: { error: "thumbprint-mismatch" } });
  });

  it("sees a new revocation once the cached list's ttl has passed", async () => {
    await publish([1, 1, 0]); // gw-2 revoked, gw-3 lifted
    expect((await call(tokens["gw-2"]!, devices["gw-2"]!)).status).toBe(200);
    clock.ms += 300 * 1000;
    expect(await call(tokens["gw-2"]!, devices["gw-2"]!)).toEqual({ status: 401, body: { error: "token-revoked" } });
    expect(await call(tokens["gw-3"]!, devices["gw-3"]!)).toEqual({ status: 200, body: { sub: "gw-3" } });
    expect(listFetches).toBe(2);
  });

  it("answers 503 when the list cannot be trusted: a tampered list, nothing held", async () => {
    const fresh = createDeviceVerifier({
      tokensJwks: key.jwks,
      recordsJwks: recordKey.jwks,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => new Date(clock.ms),
      fetch: async () => `${listJwt.slice(0, -2)}${listJwt.endsWith("AA") ? "BB" : "AA"}`,
    });
    const req = {
      headers: { authorization: `Bearer ${tokens["gw-2"]!}` },
      socket: { getPeerCertificate: () => ({ raw: devices["gw-2"]!.der }) },
    };
    expect(await fresh.verifyRequest(req)).toMatchObject({ ok: false, code: "status-list-signature", status: 503 });
    const noToken = { headers: { authorization: "DPoP abc" }, socket: {} };
    expect(await fresh.verifyRequest(noToken)).toMatchObject({ ok: false, code: "no-token", status: 401 });
  });
});
