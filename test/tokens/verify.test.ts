import { X509Certificate } from "node:crypto";
import { CompactSign, SignJWT, UnsecuredJWT, base64url } from "jose";
import { describe, expect, it } from "vitest";
import { isOneRecordError } from "../../src/errors.js";
import {
  buildDeviceClaims,
  loadSigningKey,
  readDeviceCertificate,
  signDeviceToken,
  SIGNING_ALGORITHMS,
  verifyDeviceToken,
  type DeviceClaims,
  type SigningKey,
  type VerifyOptions,
} from "../../src/tokens/index.js";
import { makeLeaf, makeRoot, signingSecret, validFor } from "../helpers/pki.js";

const ISSUER = "https://onerecord.example/access";
const AUDIENCE = "https://api.onerecord.example";

describe("verifyDeviceToken", async () => {
  const root = await makeRoot({ name: "CN=Token Test Root", ...validFor(3650) });
  const device = await makeLeaf(root, { cn: "pump-07", ...validFor(730) });
  const other = await makeLeaf(root, { cn: "pump-08", ...validFor(730) });
  const key = await loadSigningKey(signingSecret("ES256").pem);
  const otherKey = await loadSigningKey(signingSecret("ES256").pem);
  const now = new Date();

  function claimsFor(overrides: Partial<DeviceClaims> = {}): DeviceClaims {
    const base = buildDeviceClaims({
      issuer: ISSUER,
      audience: AUDIENCE,
      device: "pump-07",
      account: "acme-health",
      certificate: readDeviceCertificate(device.der),
      lifetimeDays: 30,
      now,
      jti: "jti-1",
    });
    return { ...base, ...overrides };
  }

  function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
    return { jwks: key.jwks, issuer: ISSUER, audience: AUDIENCE, peerCertificate: device.der, ...overrides };
  }

  async function signed(
    claims: Record<string, unknown>,
    with_: SigningKey = key,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: with_.alg, kid: with_.kid, typ: "JWT", ...header })
      .sign(with_.privateKey);
  }

  it("accepts a valid token over the matching certificate and returns its claims", async () => {
    const token = await signDeviceToken(claimsFor(), key);
    const result = await verifyDeviceToken(token, options());
    expect(result).toEqual({ ok: true, claims: claimsFor() });
  });

  it.each(SIGNING_ALGORITHMS)("accepts %s-signed tokens", async (alg) => {
    const k = await loadSigningKey(signingSecret(alg).jwk);
    const result = await verifyDeviceToken(await signDeviceToken(claimsFor(), k), options({ jwks: k.jwks }));
    expect(result.ok).toBe(true);
  });

  it("takes the peer certificate as DER, X509Certificate, PEM or a getPeerCertificate(true) object", async () => {
    const token = await signDeviceToken(claimsFor(), key);
    for (const peerCertificate of [
      device.der,
      new X509Certificate(device.der),
      device.pem,
      { raw: Buffer.from(device.der), subject: {} },
    ]) {
      expect((await verifyDeviceToken(token, options({ peerCertificate }))).ok).toBe(true);
    }
  });

  it("picks the signing key by kid from a JWKS with several keys (rotation)", async () => {
    const jwks = { keys: [...otherKey.jwks.keys, ...key.jwks.keys] };
    expect((await verifyDeviceToken(await signDeviceToken(claimsFor(), key), options({ jwks }))).ok).toBe(true);
  });

  const refusals: Array<[string, () => Promise<[string, Partial<VerifyOptions>]>, string, RegExp]> = [
    [
      "a token signed by another key",
      async () => [await signDeviceToken(claimsFor(), otherKey), {}],
      "bad-signature",
      /no key of the published JWKS/,
    ],
    [
      "a token signed by another key under our kid",
      async () => [await signed(claimsFor(), otherKey, { kid: key.kid }), {}],
      "bad-signature",
      /signature does not verify/,
    ],
    [
      "an expired token",
      async () => [await signDeviceToken(claimsFor(), key), { now: new Date(now.getTime() + 31 * 86_400_000) }],
      "bad-claims",
      /expired/,
    ],
    [
      "a token used before nbf",
      async () => [await signDeviceToken(claimsFor(), key), { now: new Date(now.getTime() - 60_000) }],
      "bad-claims",
      /nbf/,
    ],
    [
      "a token for another audience",
      async () => [await signDeviceToken(claimsFor(), key), { audience: "https://other.example" }],
      "bad-claims",
      /aud/,
    ],
    [
      "a token from another issuer",
      async () => [await signDeviceToken(claimsFor(), key), { issuer: "https://evil.example" }],
      "bad-claims",
      /iss/,
    ],
    ["a token without cnf", async () => [await signed({ ...claimsFor(), cnf: undefined }), {}], "bad-claims", /cnf/],
    [
      "a cnf without x5t#S256",
      async () => [await signed({ ...claimsFor(), cnf: { jkt: "x" } }), {}],
      "bad-claims",
      /x5t#S256/,
    ],
    [
      "a token without account",
      async () => [await signed({ ...claimsFor(), account: undefined }), {}],
      "bad-claims",
      /account/,
    ],
    ["a token without exp", async () => [await signed({ ...claimsFor(), exp: undefined }), {}], "bad-claims", /exp/],
    ["a token without jti", async () => [await signed({ ...claimsFor(), jti: undefined }), {}], "bad-claims", /jti/],
    [
      "a sub that is no device id",
      async () => [await signed({ ...claimsFor(), sub: "../x" }), {}],
      "bad-claims",
      /sub/,
    ],
    [
      "a token typed as something else",
      async () => [await signed(claimsFor(), key, { typ: "at+jwt" }), {}],
      "bad-claims",
      /typ/,
    ],
    [
      "a token presented with another device's certificate",
      async () => [await signDeviceToken(claimsFor(), key), { peerCertificate: other.der }],
      "thumbprint-mismatch",
      /bound to another certificate/,
    ],
    [
      "a token with no client certificate",
      async () => [await signDeviceToken(claimsFor(), key), { peerCertificate: undefined }],
      "no-certificate",
      /no TLS certificate/,
    ],
    [
      "a token with an empty peer certificate object (what Node returns without one)",
      async () => [await signDeviceToken(claimsFor(), key), { peerCertificate: {} }],
      "no-certificate",
      /no TLS certificate/,
    ],
    [
      "a token with empty DER",
      async () => [await signDeviceToken(claimsFor(), key), { peerCertificate: new Uint8Array() }],
      "no-certificate",
      /no TLS certificate/,
    ],
    [
      "a tampered payload",
      async () => {
        const [h, , s] = (await signDeviceToken(claimsFor(), key)).split(".");
        return [`${h}.${base64url.encode(JSON.stringify({ ...claimsFor(), sub: "pump-08" }))}.${s}`, {}];
      },
      "bad-signature",
      /signature does not verify/,
    ],
    [
      "alg none",
      async () => [new UnsecuredJWT(claimsFor()).encode(), {}],
      "bad-signature",
      /algorithm is not accepted/,
    ],
    [
      "HS256 with the public key as the secret (algorithm confusion)",
      async () => [
        await new SignJWT(claimsFor())
          .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
          .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk))),
        {},
      ],
      "bad-signature",
      /algorithm is not accepted/,
    ],
    ["garbage", async () => ["not a token", {}], "malformed", /not a compact JWS/],
    ["an encrypted delivery (JWE) instead of the JWT", async () => ["a.b.c.d.e", {}], "malformed", /not a compact JWS/],
    [
      "a signed payload that is not JSON",
      async () => [
        await new CompactSign(new TextEncoder().encode("nope"))
          .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
          .sign(key.privateKey),
        {},
      ],
      "malformed",
      /malformed/,
    ],
    ["an oversized token", async () => [`${"a".repeat(9000)}.b.c`, {}], "malformed", /not a compact JWS/],
  ];

  it.each(refusals)("refuses %s", async (_, make, code, reason) => {
    const [token, overrides] = await make();
    const result = await verifyDeviceToken(token, options(overrides));
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      const signature = token.split(".")[2] ?? "";
      if (signature.length >= 16) expect(result.reason).not.toContain(signature);
    }
  });

  it("throws (a configuration error) for a JWKS carrying private key material", async () => {
    const privateJwks = { keys: [{ ...key.publicJwk, d: "AAAA" }] };
    let error: unknown;
    try {
      await verifyDeviceToken(await signDeviceToken(claimsFor(), key), options({ jwks: privateJwks }));
    } catch (e) {
      error = e;
    }
    expect(isOneRecordError(error, "input-invalid")).toBe(true);
    expect((error as Error).message).toMatch(/private key material \(d\)/);
  });
});
