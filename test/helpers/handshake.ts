import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { makeLeaf, makeRoot, pemFile, validFor, type Issued } from "./pki.js";

/**
 * A real mutual-TLS handshake on 127.0.0.1, the judge's oracle: a Node (OpenSSL) server that
 * requests client certificates with one root as its only CA, and a client presenting a chain.
 * Certificates must be valid on the real clock, which the handshake reads.
 */
export interface ServerIdentity {
  root: Issued;
  leaf: Issued;
}

/** The server's own certificate (its root is what the client trusts). */
export async function serverIdentity(): Promise<ServerIdentity> {
  const root = await makeRoot({ cn: "Oracle Server Root", ...validFor(30) });
  const leaf = await makeLeaf(root, {
    cn: "127.0.0.1",
    eku: ["serverAuth"],
    san: [{ type: "ip", value: "127.0.0.1" }],
    ...validFor(30),
  });
  return { root, leaf };
}

export interface ClientChain {
  /** The root the server trusts (its only `ca`). */
  root: Issued;
  leaf: Issued;
  /** Sent after the leaf, in this order. */
  intermediates: Issued[];
}

/** True when the server accepted the client's certificate chain. */
export async function handshake(server: ServerIdentity, chain: ClientChain): Promise<boolean> {
  const listener = tls.createServer({
    key: server.leaf.keyPem,
    cert: server.leaf.pem,
    ca: [chain.root.pem],
    requestCert: true,
    rejectUnauthorized: true,
  });
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const verdict = new Promise<boolean>((resolve) => {
    listener.once("secureConnection", (socket: tls.TLSSocket) => {
      resolve(socket.authorized);
      socket.end();
    });
    listener.once("tlsClientError", () => resolve(false));
  });
  let client: tls.TLSSocket;
  try {
    client = tls.connect({
      host: "127.0.0.1",
      port: (listener.address() as AddressInfo).port,
      ca: [server.root.pem],
      cert: Buffer.from(pemFile(chain.leaf, ...chain.intermediates)).toString(),
      key: chain.leaf.keyPem,
    });
  } catch {
    // OpenSSL would not even load the chain into the client (e.g. a duplicate extension).
    listener.close();
    return false;
  }
  client.on("error", () => {}); // the server's verdict is the one that counts
  try {
    return await verdict;
  } finally {
    client.destroy();
    listener.close();
  }
}
