import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from "jose";
import { OneRecordError } from "../errors.js";

/** The algorithms OneRecord signs device tokens with, and the only ones verification accepts. */
export const SIGNING_ALGORITHMS = ["ES256", "RS256", "EdDSA"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = "ES256";

/** A public signing key as published: public members only, plus kid, alg and use. */
export interface PublicSigningJwk extends JWK {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: "sig";
}

export interface PublicJwks {
  keys: PublicSigningJwk[];
}

export interface SigningKey {
  alg: SigningAlgorithm;
  /** RFC 7638 thumbprint of the public key: stable across reloads, so rotation is visible. */
  kid: string;
  /** Non-extractable: nothing downstream can serialise the private key by accident. */
  privateKey: CryptoKey;
  publicJwk: PublicSigningJwk;
  jwks: PublicJwks;
}

const FIELD = "signing-key";

/**
 * Loads the issuer's signing key from a secret's text: PEM (PKCS#8; PKCS#1 and SEC1 are read too)
 * or a private JWK as JSON. The algorithm follows from the key (P-256 → ES256, RSA ≥ 2048 →
 * RS256, Ed25519 → EdDSA); `alg`, when given, must agree with it.
 *
 * Error messages describe the problem, never the secret: parser messages (JSON.parse quotes its
 * input) are dropped and no error carries a `cause`.
 */
export async function loadSigningKey(secret: string, options: { alg?: string } = {}): Promise<SigningKey> {
  if (options.alg !== undefined && !isSigningAlgorithm(options.alg)) {
    throw invalid(
      `signing algorithm "${options.alg.slice(0, 20)}" is not accepted; use one of ${SIGNING_ALGORITHMS.join(", ")}`,
    );
  }
  const text = typeof secret === "string" ? secret.trim() : "";
  if (text.length === 0) throw invalid("the signing key secret is empty");

  const { key, jwkAlg } = text.startsWith("{")
    ? parseJwkSecret(text)
    : { key: parsePemSecret(text), jwkAlg: undefined };
  const inferred = algorithmFor(key);
  for (const [source, wanted] of [
    ["the JWK's alg", jwkAlg],
    ["the configured algorithm", options.alg],
  ] as const) {
    if (wanted !== undefined && wanted !== inferred) {
      throw invalid(
        `${source} is ${wanted.slice(0, 20)} but the key is a ${describeKey(key)} key, which signs ${inferred}`,
      );
    }
  }

  const publicJwk = publicMembers(createPublicKey(key).export({ format: "jwk" }));
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  const privateKey = (await importJWK({ ...(key.export({ format: "jwk" }) as JWK), alg: inferred }, inferred, {
    extractable: false,
  })) as CryptoKey;
  const published: PublicSigningJwk = { ...publicJwk, kty: publicJwk.kty!, kid, alg: inferred, use: "sig" };
  return { alg: inferred, kid, privateKey, publicJwk: published, jwks: { keys: [published] } };
}

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

function parsePemSecret(text: string): KeyObject {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw invalid("the signing key secret is neither a PEM private key nor a JWK (JSON)");
  }
  if (text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw invalid(
      "the signing key PEM is passphrase-encrypted; store the unencrypted PKCS#8 key in the environment secret",
    );
  }
  try {
    return createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw invalid("the signing key PEM could not be read as a private key (expected PKCS#8)");
  }
}

function parseJwkSecret(text: string): { key: KeyObject; jwkAlg: string | undefined } {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid("the signing key secret starts with { but is not valid JSON");
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk) || typeof (jwk as JWK).kty !== "string") {
    throw invalid("the signing key JSON is not a JWK (no kty)");
  }
  const { kty, alg, d } = jwk as JWK;
  if (typeof d !== "string")
    throw invalid(`the signing key JWK (kty ${String(kty).slice(0, 10)}) has no private part "d"`);
  try {
    return {
      key: createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" }),
      jwkAlg: typeof alg === "string" ? alg : undefined,
    };
  } catch {
    throw invalid(`the signing key JWK (kty ${String(kty).slice(0, 10)}) could not be read as a private key`);
  }
}

function algorithmFor(key: KeyObject): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "ec" && details.namedCurve === "prime256v1") return "ES256";
  if (type === "rsa") {
    if ((details.modulusLength ?? 0) < 2048)
      throw invalid(`the signing key is RSA ${details.modulusLength ?? "?"} bits; RS256 needs at least 2048`);
    return "RS256";
  }
  if (type === "ed25519") return "EdDSA";
  throw invalid(
    `the signing key is a ${describeKey(key)} key; use EC P-256 (ES256, the default), RSA ≥ 2048 (RS256) or Ed25519 (EdDSA)`,
  );
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") return `EC ${details.namedCurve ?? "unknown curve"}`;
  if (key.asymmetricKeyType === "rsa") return `RSA ${details.modulusLength ?? "?"}-bit`;
  return key.asymmetricKeyType ?? "unknown";
}

// An allowlist of public members per key type, so a private member can never slip into the JWKS.
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ["kty", "crv", "x", "y"],
  RSA: ["kty", "n", "e"],
  OKP: ["kty", "crv", "x"],
};

function publicMembers(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
  if (!members) throw invalid(`unsupported key type ${String(jwk.kty).slice(0, 10)}`);
  return Object.fromEntries(
    members
      .filter((m) => (jwk as Record<string, unknown>)[m] !== undefined)
      .map((m) => [m, (jwk as Record<string, unknown>)[m]]),
  );
}

function invalid(message: string): OneRecordError {
  return new OneRecordError("input-invalid", message, { field: FIELD });
}
