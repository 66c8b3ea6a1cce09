import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { isOneRecordError, type OneRecordError } from "../../src/errors.js";
import { loadSigningKey, signDeviceToken, SIGNING_ALGORITHMS, type DeviceClaims } from "../../src/tokens/index.js";
import { signingSecret } from "../helpers/pki.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];
const now = Math.floor(Date.now() / 1000);
const claims: DeviceClaims = {
  iss: "https://onerecord.example/access",
  aud: "https://api.onerecord.example",
  sub: "pump-07",
  account: "acme",
  iat: now,
  nbf: now,
  exp: now + 3600,
  jti: "jti-1",
  cnf: { "x5t#S256": "A".repeat(43) },
};

async function refusal(secret: string, options: { alg?: string } = {}): Promise<OneRecordError> {
  try {
    await loadSigningKey(secret, options);
  } catch (error) {
    expect(isOneRecordError(error, "input-invalid")).toBe(true);
    return error as OneRecordError;
  }
  throw new Error("expected loadSigningKey to refuse");
}

describe.each(SIGNING_ALGORITHMS)("signing with %s", (alg) => {
  const secret = signingSecret(alg);

  it.each(["pem", "jwk"] as const)("loads the key from a %s secret and signs a verifiable JWT", async (form) => {
    const key = await loadSigningKey(secret[form]);
    expect(key.alg).toBe(alg);
    const jwt = await signDeviceToken(claims, key);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg, kid: key.kid, typ: "JWT" });
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(key.jwks), { algorithms: [alg] });
    expect(payload).toEqual(claims);
  });

  it("derives the kid as the RFC 7638 thumbprint of the public key, the same from PEM and JWK", async () => {
    const fromPem = await loadSigningKey(secret.pem);
    const fromJwk = await loadSigningKey(secret.jwk);
    const publicJwk = JSON.parse(JSON.stringify(secret.privateKey.export({ format: "jwk" })));
    for (const m of PRIVATE_MEMBERS) delete publicJwk[m];
    expect(fromPem.kid).toBe(await calculateJwkThumbprint(publicJwk, "sha256"));
    expect(fromJwk.kid).toBe(fromPem.kid);
  });

  it("publishes a JWKS with public members only", async () => {
    const key = await loadSigningKey(secret.jwk);
    expect(key.jwks.keys).toHaveLength(1);
    const [published] = key.jwks.keys;
    expect(published).toMatchObject({ kid: key.kid, alg, use: "sig" });
    for (const member of PRIVATE_MEMBERS) expect(published).not.toHaveProperty(member);
    const allowed = { EC: ["kty", "crv", "x", "y"], RSA: ["kty", "n", "e"], OKP: ["kty", "crv", "x"] }[published!.kty]!;
    expect(Object.keys(published!).sort()).toEqual([...allowed, "kid", "alg", "use"].sort());
    // Not a single private value anywhere in what gets published.
    const privateJwk = JSON.parse(secret.jwk) as Record<string, string>;
    const text = JSON.stringify(key.jwks);
    for (const member of PRIVATE_MEMBERS) if (privateJwk[member]) expect(text).not.toContain(privateJwk[member]);
  });

  it("keeps the private key non-extractable", async () => {
    const key = await loadSigningKey(secret.pem);
    expect(key.privateKey.extractable).toBe(false);
    expect(JSON.stringify(key)).not.toContain((JSON.parse(secret.jwk) as { d: string }).d);
  });

  it("accepts a matching explicit alg and refuses a mismatched one", async () => {
    await expect(loadSigningKey(secret.pem, { alg })).resolves.toMatchObject({ alg });
    const other = SIGNING_ALGORITHMS.find((a) => a !== alg)!;
    const error = await refusal(secret.pem, { alg: other });
    expect(error.message).toContain(other);
  });
});

describe("signing key refusals never quote the secret", () => {
  const ec = signingSecret("ES256");
  const d = (JSON.parse(ec.jwk) as { d: string }).d;

  const cases: Array<[string, string, RegExp, { alg?: string }?]> = [
    ["an empty secret", "   ", /empty/],
    ["text that is no key", "hunter2-not-a-key", /neither a PEM private key nor a JWK/],
    ["broken JSON", `{"kty":"EC","d":"${d}",`, /not valid JSON/],
    ["JSON without kty", `{"d":"${d}"}`, /no kty/],
    ["a public JWK", JSON.stringify({ ...JSON.parse(ec.jwk), d: undefined }), /no private part/],
    ["a JWK with a broken private part", JSON.stringify({ ...JSON.parse(ec.jwk), x: "AAAA" }), /could not be read/],
    ["a broken PEM", `-----BEGIN PRIVATE KEY-----\n${d}\n-----END PRIVATE KEY-----\n`, /could not be read/],
    [
      "an encrypted PEM",
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
        format: "pem",
        type: "pkcs8",
        cipher: "aes-256-cbc",
        passphrase: "pw",
      }) as string,
      /passphrase-encrypted/,
    ],
    ["an unaccepted algorithm", ec.pem, /HS256.*not accepted/, { alg: "HS256" }],
    [
      "a P-384 key",
      generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      /EC secp384r1/,
    ],
    [
      "RSA under 2048 bits",
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      /1024 bits/,
    ],
    [
      "a JWK whose alg disagrees with the key",
      JSON.stringify({ ...JSON.parse(ec.jwk), alg: "RS256" }),
      /JWK's alg is RS256/,
    ],
  ];

  it.each(cases)("refuses %s", async (_, secret, message, options) => {
    const error = await refusal(secret, options ?? {});
    expect(error.message).toMatch(message);
    expect(error.field).toBe("signing-key");
    expect(error.cause).toBeUndefined();
    expect(error.message).not.toContain(d);
    // No 12-character run of the secret (base64 or PEM body) appears in the message.
    const body = secret.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    for (let i = 0; i + 12 <= body.length; i += 6) {
      const run = body.slice(i, i + 12);
      if (/[A-Za-z0-9_-]{12}/.test(run)) expect(error.message).not.toContain(run);
    }
  });

  it("accepts PKCS#1 RSA and SEC1 EC PEM as well as PKCS#8", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      format: "pem",
      type: "pkcs1",
    }) as string;
    const sec1 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      format: "pem",
      type: "sec1",
    }) as string;
    await expect(loadSigningKey(rsa)).resolves.toMatchObject({ alg: "RS256" });
    await expect(loadSigningKey(sec1)).resolves.toMatchObject({ alg: "ES256" });
  });
});
