import type { JSONWebKeySet } from "jose";
import { OneRecordError } from "../errors.js";

// RFC 7518 private and symmetric members: a published key set must carry none of them.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"] as const;
const MAX_KEYS = 50;

/**
 * Checks a JWKS read from a file or configuration before verification trusts it. A set with
 * private members is refused: it means a private key was published (or is about to be), which
 * must be fixed at the source, not silently stripped.
 */
export function parseJwks(value: unknown): JSONWebKeySet {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw invalid('the JWKS is not a JSON object with a "keys" array');
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0) throw invalid("the JWKS has no keys");
  if (keys.length > MAX_KEYS) throw invalid(`the JWKS has ${keys.length} keys; at most ${MAX_KEYS} are accepted`);
  keys.forEach((key, index) => {
    if (typeof key !== "object" || key === null || typeof (key as { kty?: unknown }).kty !== "string") {
      throw invalid(`JWKS key ${index + 1} is not a JWK (no kty)`);
    }
    const found = PRIVATE_MEMBERS.filter((m) => m in key);
    if (found.length > 0) {
      throw invalid(
        `JWKS key ${index + 1} contains private key material (${found.join(", ")}); publish only the public key`,
      );
    }
  });
  return { keys } as JSONWebKeySet;
}

export function parseJwksText(text: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("the JWKS is not valid JSON");
  }
  return parseJwks(value);
}

function invalid(message: string): OneRecordError {
  return new OneRecordError("input-invalid", message, { field: "jwks" });
}
