import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { isOneRecordError, type OneRecordError } from "../../src/errors.js";
import { parseRecordJwks } from "../../src/record/record-keys.js";
import { loadRecordSigningKey } from "../../src/record/record-signing-key.js";
import { signRecord, verifyRecordFile } from "../../src/record/signature.js";
import { ledgerFileText } from "../../src/record/ledger-file.js";
import { signingSecret } from "../helpers/pki.js";
import { sampleRecord, SUBJECT } from "./helpers.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

async function refusal(secret: string): Promise<OneRecordError> {
  const error: unknown = await loadRecordSigningKey(secret).then(
    () => new Error("expected loadRecordSigningKey to refuse"),
    (e: unknown) => e,
  );
  expect(isOneRecordError(error, "input-invalid")).toBe(true);
  return error as OneRecordError;
}

/** Every fragment of a secret worth hiding: the PEM body lines, the JWK's private members. */
function fragments(secret: string): string[] {
  const pemLines = secret
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----"));
  let jwkValues: string[] = [];
  try {
    const jwk = JSON.parse(secret) as Record<string, unknown>;
    jwkValues = PRIVATE_MEMBERS.map((m) => jwk[m]).filter((v): v is string => typeof v === "string");
  } catch {
    // not a JWK
  }
  return [...pemLines, ...jwkValues, ...(secret.includes("SECRET-") ? ["SECRET-"] : [])];
}

function expectNoKeyMaterial(error: OneRecordError, secret: string) {
  const shown = [error.message, String(error), error.stack ?? "", JSON.stringify(error)].join("\n");
  const hidden = fragments(secret);
  expect(hidden.length).toBeGreaterThan(0);
  for (const fragment of hidden) expect(shown).not.toContain(fragment);
  expect(error.cause).toBeUndefined();
  expect(error.field).toBe("RECORD_SIGNING_KEY");
}

function pem(key: KeyObject, type: "pkcs8" | "sec1" | "pkcs1" = "pkcs8"): string {
  return key.export({ format: "pem", type } as never) as string;
}

describe.each(["ES256", "EdDSA"] as const)("a %s record signing key", (alg) => {
  const secret = signingSecret(alg);

  it.each(["pem", "jwk"] as const)("loads from a %s secret, with kid the RFC 7638 thumbprint", async (form) => {
    const key = await loadRecordSigningKey(secret[form]);
    expect(key.alg).toBe(alg);
    const publicJwk = JSON.parse(JSON.stringify(secret.privateKey.export({ format: "jwk" }))) as Record<
      string,
      unknown
    >;
    for (const m of PRIVATE_MEMBERS) delete publicJwk[m];
    expect(key.kid).toBe(await calculateJwkThumbprint(publicJwk as never, "sha256"));
    expect(key.privateKey.extractable).toBe(false);
  });

  it("publishes a JWKS for records.jwks with public members only, which verifies its records", async () => {
    const key = await loadRecordSigningKey(secret.jwk);
    const text = JSON.stringify(key.jwks);
    for (const value of fragments(secret.jwk)) expect(text).not.toContain(value);
    for (const m of PRIVATE_MEMBERS) expect(key.jwks.keys[0]).not.toHaveProperty(m);
    expect(parseRecordJwks(JSON.parse(text)).keys).toHaveLength(1);
    const file = ledgerFileText(await signRecord(sampleRecord(), key));
    expect(await verifyRecordFile(file, JSON.parse(text), SUBJECT)).toMatchObject({ ok: true, kid: key.kid });
  });
});

describe("record signing keys that are refused, without a trace of the secret", () => {
  it("reads a SEC1 P-256 PEM too", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await expect(loadRecordSigningKey(pem(privateKey, "sec1"))).resolves.toMatchObject({ alg: "ES256" });
  });

  it.each(["pem", "jwk"] as const)("refuses an RSA key (RS256 is not a record algorithm) from a %s", async (form) => {
    const secret = signingSecret("RS256")[form];
    const error = await refusal(secret);
    expect(error.message).toMatch(/RS256 key cannot sign records/);
    expectNoKeyMaterial(error, secret);
  });

  it.each([
    ["EC P-384", () => pem(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey)],
    ["EC secp256k1", () => pem(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey)],
    ["Ed448", () => pem(generateKeyPairSync("ed448").privateKey)],
    ["RSA 1024", () => pem(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey)],
    [
      "P-384 JWK",
      () => JSON.stringify(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" })),
    ],
  ])("refuses %s", async (_name, make) => {
    const secret = make();
    expectNoKeyMaterial(await refusal(secret), secret);
  });

  it("refuses broken secrets without quoting them", async () => {
    const valid = signingSecret("ES256");
    const jwk = JSON.parse(valid.jwk) as Record<string, string>;
    const cases = [
      // JSON.parse would quote this text in its message.
      `{"kty":"EC","d":"${jwk.d}", SECRET-broken`,
      JSON.stringify({ ...jwk, x: "SECRET-not-a-coordinate" }),
      JSON.stringify({ ...jwk, kty: "oct", k: "SECRET-symmetric-key-material" }),
      valid.pem.replace(/\n([A-Za-z0-9+/]{20})/, "\nSECRET-$1"),
      `-----BEGIN PRIVATE KEY-----\nSECRET-${"A".repeat(40)}\n-----END PRIVATE KEY-----\n`,
      "SECRET-just-some-text",
    ];
    for (const secret of cases) expectNoKeyMaterial(await refusal(secret), secret);
    expect((await refusal("   ")).field).toBe("RECORD_SIGNING_KEY");
  });
});
