import { stringify } from "yaml";
import { trustAnchorFromPem } from "../src/certificates/index.js";
import type { SigningKey } from "../src/tokens/index.js";
import {
  DAY,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  makeSelfSignedLeaf,
  pemFile,
  type Issued,
} from "../test/helpers/pki.js";

/** The demo's people and product settings: a reviewer team (tom) and a reviewer login (rita). */
export const ISSUER = "https://access.onerecord.example";
export const AUDIENCE = "https://api.onerecord.example";

export interface DemoPki {
  root: Issued;
  intermediate: Issued;
  /** Each device's certificate and key, made now: valid from 30 days ago for 500 days. */
  devices: Map<string, Issued>;
  /** A self-signed certificate: the bad one the first PR carries. */
  selfSigned: Issued;
  /** The TLS server certificate of the stand-in OneRecord API (127.0.0.1). */
  server: Issued;
}

/** A customer CA made at run time (never committed), valid around the real clock. */
export async function makeDemoPki(deviceIds: readonly string[]): Promise<DemoPki> {
  const now = Date.now();
  const window = { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now + 500 * DAY) };
  const root = await makeRoot({
    cn: "Acme Health Device Root",
    notBefore: window.notBefore,
    notAfter: new Date(now + 3650 * DAY),
  });
  const intermediate = await makeIntermediate(root, { cn: "Acme Health Device CA", ...window });
  const devices = new Map<string, Issued>();
  for (const id of deviceIds) devices.set(id, await makeLeaf(intermediate, { cn: id, keyAlg: "p-256", ...window }));
  const selfSigned = await makeSelfSignedLeaf({ cn: deviceIds[1] ?? "device", ...window });
  const server = await makeLeaf(root, {
    cn: "127.0.0.1",
    eku: ["serverAuth"],
    san: [{ type: "ip", value: "127.0.0.1" }],
    ...window,
  });
  return { root, intermediate, devices, selfSigned, server };
}

/** A device's certificate file as the customer commits it: leaf first, then the intermediate. */
export function deviceFile(pki: DemoPki, device: string): Uint8Array {
  return pemFile(pki.devices.get(device)!, pki.intermediate);
}

/** `.github/onerecord-access.yml`: reviewers, the customer CA as an extra CA, and the token settings. */
export function demoConfig(pki: DemoPki, tokenKey: SigningKey): string {
  return stringify({
    reviewers: { teams: ["acme/onerecord-reviewers"], logins: ["rita"] },
    certificates: {
      extraCAs: [
        {
          brand: "Acme Health Device Root",
          fingerprintSha256: trustAnchorFromPem(pki.root.pem, "Acme Health Device Root").fingerprintSha256,
          pem: pki.root.pem,
        },
      ],
    },
    tokens: { issuer: ISSUER, audience: AUDIENCE, lifetimeDays: 90, jwks: tokenKey.jwks },
  });
}
