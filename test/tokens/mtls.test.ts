import { once } from "node:events";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decryptDeviceToken,
  issueDeviceToken,
  loadSigningKey,
  verifyDeviceToken,
  type SigningKey,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor, type Issued } from "../helpers/pki.js";

const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";

/**
 * A real mutual-TLS handshake on loopback: the server asks for a client certificate and checks
 * the bearer token against the certificate the client presented, as the OneRecord API would.
 * `rejectUnauthorized: false` lets handshakes without a client certificate reach the handler, so
 * the refusal comes from verifyDeviceToken and can be asserted.
 */
describe("device token over mutual TLS (loopback)", () => {
  let root: Issued;
  let server: Server;
  let port: number;
  let key: SigningKey;
  const devices: Record<string, Issued> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    root = await makeRoot({ name: "CN=mTLS Test Root", ...validFor(3650) });
    const serverCert = await makeLeaf(root, {
      cn: "127.0.0.1",
      eku: ["serverAuth"],
      san: [{ type: "ip", value: "127.0.0.1" }],
      ...validFor(730),
    });
    devices["pump-07"] = await makeLeaf(root, { cn: "pump-07", keyAlg: "p-256", ...validFor(730) });
    devices["pump-08"] = await makeLeaf(root, { cn: "pump-08", keyAlg: "p-256", ...validFor(730) });
    devices["monitor-1"] = await makeLeaf(root, { cn: "monitor-1", keyAlg: "rsa-2048", ...validFor(730) });
    key = await loadSigningKey(signingSecret("ES256").pem);
    // The full path: issue, deliver encrypted, decrypt on the device with its own key.
    for (const [device, issued] of Object.entries(devices)) {
      const { jwe } = await issueDeviceToken({
        key,
        certificate: issued.pem,
        device,
        account: "acme-health",
        issuer: ISSUER,
        audience: AUDIENCE,
        lifetimeDays: 30,
      });
      tokens[device] = await decryptDeviceToken(jwe, issued.privateKey);
    }

    server = createServer(
      { key: serverCert.keyPem, cert: serverCert.pem, ca: [root.pem], requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        void (async () => {
          const socket = req.socket as TLSSocket;
          const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
          const result = await verifyDeviceToken(token, {
            jwks: key.jwks,
            issuer: ISSUER,
            audience: AUDIENCE,
            peerCertificate: socket.getPeerCertificate(true),
          });
          res.writeHead(result.ok ? 200 : 401, { "content-type": "application/json" });
          res.end(
            JSON.stringify(
              result.ok
                ? { sub: result.claims.sub, account: result.claims.account, tlsAuthorized: socket.authorized }
                : { code: result.code, reason: result.reason },
            ),
          );
        })();
      },
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.close();
    await once(server, "close");
  });

  async function call(token: string, client?: Issued): Promise<{ status: number; body: Record<string, unknown> }> {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/v1/ping",
      method: "GET",
      ca: root.pem,
      // A fresh connection per call: no pooled socket or resumed session from another client.
      agent: false,
      headers: { authorization: `Bearer ${token}` },
      ...(client ? { key: client.keyPem, cert: client.pem } : {}),
    });
    req.end();
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    let text = "";
    for await (const chunk of res) text += String(chunk);
    return { status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> };
  }

  it("accepts the matching device (EC key)", async () => {
    const { status, body } = await call(tokens["pump-07"]!, devices["pump-07"]);
    expect(status).toBe(200);
    expect(body).toEqual({ sub: "pump-07", account: "acme-health", tlsAuthorized: true });
  });

  it("accepts the matching device (RSA key)", async () => {
    const { status, body } = await call(tokens["monitor-1"]!, devices["monitor-1"]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ sub: "monitor-1", tlsAuthorized: true });
  });

  it("refuses the same token from another device's certificate", async () => {
    const { status, body } = await call(tokens["pump-07"]!, devices["pump-08"]);
    expect(status).toBe(401);
    expect(body.code).toBe("thumbprint-mismatch");
  });

  it("refuses the token when no client certificate is presented", async () => {
    const { status, body } = await call(tokens["pump-07"]!);
    expect(status).toBe(401);
    expect(body.code).toBe("no-certificate");
  });

  it("refuses a tampered token even with the right certificate", async () => {
    const [h, p, s] = tokens["pump-07"]!.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, account: "other-org" })).toString("base64url")}.${s}`;
    const { status, body } = await call(forged, devices["pump-07"]);
    expect(status).toBe(401);
    expect(body.code).toBe("bad-signature");
  });
});
