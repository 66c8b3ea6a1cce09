import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { decryptDeviceToken, verifyDeviceToken } from "../src/tokens/index.js";
import type { Issued } from "../test/helpers/pki.js";
import { AUDIENCE, ISSUER, type DemoPki } from "./pki.js";

export interface DeviceCall {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A stand-in OneRecord API on 127.0.0.1: it asks for the client certificate and accepts the bearer
 * token only if it verifies (signature by the published JWKS, issuer, audience) and is bound to
 * the certificate presented on this TLS connection (RFC 8705 `cnf.x5t#S256`). The handshake itself
 * refuses a client without a certificate from the customer CA.
 */
async function startApi(
  pki: DemoPki,
  jwks: unknown,
  now: () => Date,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(
    {
      key: pki.server.keyPem,
      cert: pki.server.pem,
      // The device sends its leaf only: the customer CA's intermediate and root verify its chain.
      ca: [pki.root.pem, pki.intermediate.pem],
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      void (async () => {
        const socket = req.socket as TLSSocket;
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        const result = await verifyDeviceToken(token, {
          jwks: jwks as never,
          issuer: ISSUER,
          audience: AUDIENCE,
          peerCertificate: socket.getPeerCertificate(true),
          now: now(),
        });
        res.writeHead(result.ok ? 200 : 401, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            result.ok ? { sub: result.claims.sub, account: result.claims.account } : { code: result.code },
          ),
        );
      })();
    },
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.close();
      await once(server, "close");
    },
  };
}

async function call(pki: DemoPki, port: number, token: string, client: Issued): Promise<DeviceCall> {
  const req = request({
    host: "127.0.0.1",
    port,
    path: "/v1/ping",
    method: "GET",
    ca: pki.root.pem,
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

/**
 * The device's side: it decrypts its JWE (copied from the issuance comment) with its own private
 * key, then calls the API over mutual TLS with its certificate; the same token presented with
 * another device's certificate is refused. The token itself is never printed.
 */
export async function deviceCalls(
  pki: DemoPki,
  jwks: unknown,
  jwe: string,
  device: string,
  other: string,
  /** The demo's one clock (the GitHub stand-in's): the API judges the token's times by it. */
  now: () => Date,
): Promise<{ own: DeviceCall; stolen: DeviceCall }> {
  const jwt = await decryptDeviceToken(jwe, pki.devices.get(device)!.privateKey);
  const api = await startApi(pki, jwks, now);
  try {
    return {
      own: await call(pki, api.port, jwt, pki.devices.get(device)!),
      stolen: await call(pki, api.port, jwt, pki.devices.get(other)!),
    };
  } finally {
    await api.close();
  }
}
