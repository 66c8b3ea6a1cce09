import { createPrivateKey, type KeyObject } from "node:crypto";
import { compactDecrypt, decodeProtectedHeader, errors } from "jose";
import { OneRecordError } from "../errors.js";
import { CONTENT_ENCRYPTION, KEY_MANAGEMENT_ALGORITHMS } from "./encrypt.js";
import { looksLikeCompactJwe, looksLikeCompactJws } from "./compact.js";

const FIELD = "key";
const CURVE_NAMES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

/**
 * Reads the device's private key: PEM in PKCS#8, PKCS#1 (RSA) or SEC1 (EC). Messages never quote
 * the key. Encrypted keys are refused with the way out rather than prompting for a passphrase.
 */
export function loadDevicePrivateKey(pem: string): KeyObject {
  if (pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw new OneRecordError(
      "input-invalid",
      "the device key is passphrase-encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN.key)",
      { field: FIELD },
    );
  }
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    throw new OneRecordError("input-invalid", "the device key is not a PEM private key (PKCS#8, PKCS#1 or SEC1)", {
      field: FIELD,
    });
  }
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new OneRecordError("input-invalid", "the device key PEM could not be read as a private key", {
      field: FIELD,
    });
  }
}

/**
 * Decrypts a delivered token with the device's private key and returns the signed JWT inside.
 * A key that does not fit the token is reported as such (wrong device key), distinct from a
 * token that is not a JWE at all.
 */
export async function decryptDeviceToken(jwe: string, privateKey: KeyObject): Promise<string> {
  const token = jwe.trim();
  if (looksLikeCompactJws(token))
    throw invalidToken("the input is a signed JWT (three parts), not an encrypted token: it needs no decryption");
  if (!looksLikeCompactJwe(token))
    throw invalidToken("the input is not a compact JWE (five base64url parts separated by dots)");
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidToken("the JWE header is not readable");
  }
  const alg = typeof header.alg === "string" ? header.alg : "";
  if (!(KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg) || header.enc !== CONTENT_ENCRYPTION) {
    const enc = typeof header.enc === "string" && header.enc !== "" ? header.enc : undefined;
    const used = `${alg ? `alg ${shown(alg)}` : "no alg"} and ${enc ? `enc ${shown(enc)}` : "no enc"}`;
    throw invalidToken(
      `the JWE header names ${used}; OneRecord tokens use RSA-OAEP-256 or ECDH-ES+A256KW with ${CONTENT_ENCRYPTION}`,
    );
  }
  const epk = header.epk as { crv?: unknown } | undefined;
  assertKeyFits(alg, typeof epk?.crv === "string" ? epk.crv : undefined, privateKey);

  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(token, privateKey, {
      keyManagementAlgorithms: [...KEY_MANAGEMENT_ALGORITHMS],
      contentEncryptionAlgorithms: [CONTENT_ENCRYPTION],
    }));
  } catch (error) {
    if (error instanceof errors.JWEDecryptionFailed) {
      throw wrongKey(
        "the token could not be decrypted with this key: it was encrypted to another device's key, or it was altered",
      );
    }
    throw invalidToken("the JWE could not be decrypted: it is malformed");
  }
  const jwt = new TextDecoder().decode(plaintext);
  if (!looksLikeCompactJws(jwt)) throw invalidToken("the decrypted content is not a JWT");
  return jwt;
}

function assertKeyFits(alg: string, epkCurve: string | undefined, key: KeyObject): void {
  const type = key.asymmetricKeyType;
  if (alg === "RSA-OAEP-256" && type !== "rsa")
    throw wrongKey(
      `the token is encrypted to an RSA key but this key is ${describe(key)}: is it the right device's key?`,
    );
  if (alg === "ECDH-ES+A256KW") {
    if (type !== "ec")
      throw wrongKey(
        `the token is encrypted to an EC key but this key is ${describe(key)}: is it the right device's key?`,
      );
    const curve = CURVE_NAMES[key.asymmetricKeyDetails?.namedCurve ?? ""];
    if (epkCurve !== undefined && curve !== epkCurve) {
      throw wrongKey(
        `the token is encrypted to an EC ${String(epkCurve).slice(0, 10)} key but this key is ${describe(key)}: is it the right device's key?`,
      );
    }
  }
}

function describe(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec")
    return `EC ${CURVE_NAMES[details.namedCurve ?? ""] ?? details.namedCurve ?? ""}`.trim();
  if (key.asymmetricKeyType === "rsa") return `RSA ${details.modulusLength ?? ""}-bit`;
  return key.asymmetricKeyType ?? "unknown";
}

// Header values come from whoever made the token: cut short and kept to printable ASCII so they
// cannot rewrite the terminal line they are shown on.
function shown(value: string): string {
  return JSON.stringify(value.slice(0, 30).replace(/[^\x20-\x7e]/g, "?"));
}

function wrongKey(message: string): OneRecordError {
  return new OneRecordError("input-invalid", message, { field: FIELD });
}

function invalidToken(message: string): OneRecordError {
  return new OneRecordError("input-invalid", message, { field: "token" });
}
