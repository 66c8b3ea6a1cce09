import { createPrivateKey } from "node:crypto";

/**
 * Detects private key material in any bytes (a certificate file or any other file of a PR).
 * Returns the kinds found, never the material. Text formats are recognised by their armour or
 * JSON shape; binary DER keys by asking Node's crypto to load them, so detection is as good as
 * the parser that would use the key.
 */
const PEM_KEY_LABELS: Array<[RegExp, string]> = [
  [/-----BEGIN ENCRYPTED PRIVATE KEY-----/, "encrypted PKCS#8"],
  [/-----BEGIN PRIVATE KEY-----/, "PKCS#8"],
  [/-----BEGIN RSA PRIVATE KEY-----/, "PKCS#1 RSA"],
  [/-----BEGIN EC PRIVATE KEY-----/, "SEC1 EC"],
  [/-----BEGIN DSA PRIVATE KEY-----/, "DSA"],
  [/-----BEGIN OPENSSH PRIVATE KEY-----/, "OpenSSH"],
  [/-----BEGIN SSH2 ENCRYPTED PRIVATE KEY-----/, "SSH2"],
  [/-----BEGIN PGP PRIVATE KEY BLOCK-----/, "PGP"],
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----/, "private key"],
  [/PuTTY-User-Key-File-\d+:/, "PuTTY"],
];

// JWK private members: "d" for RSA/EC/OKP, "k" for symmetric keys.
const JWK_PRIVATE_MEMBER = /"(?:d|k)"\s*:\s*"[A-Za-z0-9_-]{16,}/;

export function findPrivateKeys(bytes: Uint8Array): string[] {
  const found = new Set<string>();
  // Latin-1 keeps every byte as one char, so armour inside binary files is still seen.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  for (const [pattern, kind] of PEM_KEY_LABELS) {
    if (pattern.test(text)) {
      found.add(kind);
      if (kind !== "private key") break;
    }
  }
  if (found.size === 0 && JWK_PRIVATE_MEMBER.test(text) && /"kty"\s*:/.test(text)) found.add("JWK with private members");
  if (found.size === 0 && bytes[0] === 0x30 && bytes.length < 16 * 1024) {
    const der = derPrivateKeyKind(bytes);
    if (der) found.add(der);
  }
  return [...found];
}

function derPrivateKeyKind(bytes: Uint8Array): string | null {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const attempts: Array<["pkcs8" | "pkcs1" | "sec1", string]> = [
    ["pkcs8", "DER PKCS#8"],
    ["pkcs1", "DER PKCS#1 RSA"],
    ["sec1", "DER SEC1 EC"],
  ];
  for (const [type, kind] of attempts) {
    try {
      createPrivateKey({ key, format: "der", type });
      return kind;
    } catch (error) {
      // An encrypted DER PKCS#8 key is recognised by the passphrase demand.
      if (type === "pkcs8" && error instanceof Error && /passphrase/i.test(error.message)) return "encrypted DER PKCS#8";
    }
  }
  return null;
}
