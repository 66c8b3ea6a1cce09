import * as core from "@actions/core";

// RFC 7518 private members of a JWK.
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];
const PEM_ARMOR = /^-----(?:BEGIN|END) [A-Z0-9 ]+-----$/;
/** Shorter fragments are not masked: masking "MII" would blank unrelated log text and protect nothing. */
const MIN_PART = 16;

/**
 * The pieces of a signing-key secret that must never show in a log: the whole value, each line of
 * a PEM (the runner masks line by line, so a multi-line value alone would not match), the PEM's
 * base64 body joined, and the private members of a JWK given as JSON.
 */
export function signingKeySecretParts(secret: string): string[] {
  const parts = new Set<string>();
  const whole = secret.trim();
  if (whole === "") return [];
  parts.add(whole);
  const lines = whole.split(/\r?\n/).map((line) => line.trim());
  for (const line of lines) if (line.length >= MIN_PART && !PEM_ARMOR.test(line)) parts.add(line);
  const body = lines.filter((line) => !PEM_ARMOR.test(line) && !/^[A-Za-z-]+:/.test(line)).join("");
  if (body.length >= MIN_PART && body !== whole) parts.add(body);
  if (whole.startsWith("{")) {
    try {
      const jwk = JSON.parse(whole) as Record<string, unknown>;
      for (const member of PRIVATE_JWK_MEMBERS) {
        const value = jwk[member];
        if (typeof value === "string" && value.length >= MIN_PART) parts.add(value);
      }
    } catch {
      // Not JSON: the key loader says so later, without quoting it.
    }
  }
  return [...parts];
}

/** Registers every part with the runner's masking (`::add-mask::`, consumed by the runner, never shown). */
export function maskSigningKey(
  secret: string,
  setSecret: (value: string) => void = (value) => core.setSecret(value),
): void {
  for (const part of signingKeySecretParts(secret)) setSecret(part);
}
