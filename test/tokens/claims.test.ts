import { createHash, X509Certificate } from "node:crypto";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { isOneRecordError } from "../../src/errors.js";
import { thumbprintFromFingerprint } from "../../src/record/tokens.js";
import {
  buildDeviceClaims,
  issueDeviceToken,
  loadSigningKey,
  readDeviceCertificate,
  x5tS256,
  decryptDeviceToken,
  type ClaimsInput,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";

const DAY = 86_400;
const now = new Date("2026-03-01T12:00:00.500Z");
const nowSeconds = Math.floor(now.getTime() / 1000);

function input(overrides: Partial<ClaimsInput> = {}): ClaimsInput {
  return {
    issuer: "https://onerecord.example/access",
    audience: "https://api.onerecord.example",
    device: "pump-07",
    account: "acme-health",
    certificate: {
      x5tS256: "A".repeat(43),
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2028-01-01T00:00:00Z"),
    },
    lifetimeDays: 365,
    now,
    jti: "00000000-0000-4000-8000-000000000001",
    ...overrides,
  };
}

/** base64url by hand from base64, so the check does not reuse the code under test. */
function base64url(bytes: Buffer): string {
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("buildDeviceClaims", () => {
  it("sets every claim", () => {
    expect(buildDeviceClaims(input())).toEqual({
      iss: "https://onerecord.example/access",
      aud: "https://api.onerecord.example",
      sub: "pump-07",
      account: "acme-health",
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + 365 * DAY,
      jti: "00000000-0000-4000-8000-000000000001",
      cnf: { "x5t#S256": "A".repeat(43) },
    });
  });

  it("uses whole seconds (NumericDate)", () => {
    const claims = buildDeviceClaims(input());
    for (const c of [claims.iat, claims.nbf, claims.exp]) expect(Number.isInteger(c)).toBe(true);
  });

  it("caps exp at the certificate's notAfter", () => {
    const notAfter = new Date("2026-06-30T23:59:59Z");
    const claims = buildDeviceClaims(input({ certificate: { ...input().certificate, notAfter } }));
    expect(claims.exp).toBe(notAfter.getTime() / 1000);
  });

  it("never puts exp after notAfter, whatever the lifetime", () => {
    const notAfter = new Date("2026-09-15T08:30:00Z");
    for (const lifetimeDays of [1, 30, 90, 197, 198, 365, 825]) {
      const claims = buildDeviceClaims(input({ lifetimeDays, certificate: { ...input().certificate, notAfter } }));
      expect(claims.exp).toBeLessThanOrEqual(notAfter.getTime() / 1000);
      expect(claims.exp).toBe(Math.min(nowSeconds + lifetimeDays * DAY, notAfter.getTime() / 1000));
    }
  });

  it("makes nbf the issue time", () => {
    const claims = buildDeviceClaims(input());
    expect(claims.nbf).toBe(claims.iat);
  });

  it.each([
    [
      "an expired certificate",
      { certificate: { ...input().certificate, notAfter: new Date("2026-03-01T00:00:00Z") } },
      /expired/,
    ],
    [
      "a certificate not yet valid",
      { certificate: { ...input().certificate, notBefore: new Date("2026-04-01T00:00:00Z") } },
      /not valid before/,
    ],
    ["a malformed device id", { device: "../etc" }, /not a valid device id/],
    ["an empty account", { account: " " }, /account/],
    ["an account that is prose, not an id", { account: "Acme Health, account acme-health" }, /not an account id/],
    ["an account with a direction character", { account: "acme\u202ehealth" }, /not an account id/],
    ["a zero lifetime", { lifetimeDays: 0 }, /lifetime/],
    ["a fractional lifetime", { lifetimeDays: 1.5 }, /lifetime/],
    ["a bad thumbprint", { certificate: { ...input().certificate, x5tS256: "abc" } }, /thumbprint/],
    ["an empty jti", { jti: "" }, /jti/],
    ["an empty issuer", { issuer: "" }, /issuer/],
  ] as const)("refuses %s", (_, overrides, message) => {
    let error: unknown;
    try {
      buildDeviceClaims(input(overrides));
    } catch (e) {
      error = e;
    }
    expect(isOneRecordError(error, "input-invalid")).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe("certificate binding (cnf x5t#S256)", async () => {
  const root = await makeRoot({ name: "CN=Token Test Root", ...validFor(3650) });
  const device = await makeLeaf(root, validFor(730));

  it("is base64url(SHA-256(DER)) of the certificate, computed independently", () => {
    const expected = base64url(createHash("sha256").update(device.der).digest());
    expect(x5tS256(device.der)).toBe(expected);
    // Node's own fingerprint of the same certificate, converted from hex.
    const fromNode = base64url(Buffer.from(new X509Certificate(device.pem).fingerprint256.replace(/:/g, ""), "hex"));
    expect(x5tS256(device.der)).toBe(fromNode);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("agrees with the app record's thumbprint of the same certificate (what issuance is checked against)", () => {
    expect(thumbprintFromFingerprint(new X509Certificate(device.der).fingerprint256)).toBe(x5tS256(device.der));
  });

  it("reads the same thumbprint and validity from PEM, DER, X509Certificate and a peer-certificate object", () => {
    const expected = base64url(createHash("sha256").update(device.der).digest());
    for (const form of [device.pem, device.der, new X509Certificate(device.der), { raw: Buffer.from(device.der) }]) {
      const read = readDeviceCertificate(form);
      expect(read.x5tS256).toBe(expected);
      expect(read.notAfter.getTime()).toBe(device.cert.notAfter.getTime());
      expect(read.notBefore.getTime()).toBe(device.cert.notBefore.getTime());
    }
  });

  it("goes into the issued token, with exp capped by the real certificate's notAfter", async () => {
    const key = await loadSigningKey(signingSecret("ES256").pem);
    const short = await makeLeaf(root, validFor(10));
    const { jwe, claims } = await issueDeviceToken({
      key,
      certificate: short.pem,
      device: "pump-07",
      account: "acme",
      issuer: "https://i.example",
      audience: "aud",
      lifetimeDays: 365,
    });
    const payload = decodeJwt(await decryptDeviceToken(jwe, short.privateKey));
    expect(payload).toEqual(claims);
    expect(payload.cnf).toEqual({ "x5t#S256": base64url(createHash("sha256").update(short.der).digest()) });
    expect(payload.exp).toBe(Math.floor(short.cert.notAfter.getTime() / 1000));
  });

  it("gives every token a fresh jti", async () => {
    const key = await loadSigningKey(signingSecret("ES256").pem);
    const jtis = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { claims } = await issueDeviceToken({
        key,
        certificate: device.der,
        device: "pump-07",
        account: "acme",
        issuer: "https://i.example",
        audience: "aud",
        lifetimeDays: 30,
      });
      expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      jtis.add(claims.jti);
    }
    expect(jtis.size).toBe(20);
  });

  it("takes an injected jti generator", async () => {
    const key = await loadSigningKey(signingSecret("ES256").pem);
    const { claims } = await issueDeviceToken({
      key,
      certificate: device.der,
      device: "pump-07",
      account: "acme",
      issuer: "https://i.example",
      audience: "aud",
      lifetimeDays: 30,
      newJti: () => "fixed-id",
    });
    expect(claims.jti).toBe("fixed-id");
  });
});
