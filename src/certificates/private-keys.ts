import { createPrivateKey } from "node:crypto";
import { oidText } from "./der-reader.js";

/**
 * Detects private key material in any bytes (a certificate file or any other file of a PR).
 * Returns the kinds found, never the material. An armour line alone is not a key: source code,
 * bundles and `.env.example` placeholders mention "-----BEGIN PRIVATE KEY-----" too, and the
 * Action scans every changed file. So a text key counts only as a complete block (BEGIN and END
 * of the same label) whose body decodes to what that format starts with; binary DER keys are
 * recognised by asking Node's crypto to load them, PKCS#12 files by their outer structure.
 */
const PEM_KINDS: Record<string, string> = {
  "ENCRYPTED PRIVATE KEY": "encrypted PKCS#8",
  "PRIVATE KEY": "PKCS#8",
  "RSA PRIVATE KEY": "PKCS#1 RSA",
  "EC PRIVATE KEY": "SEC1 EC",
  "DSA PRIVATE KEY": "DSA",
  "OPENSSH PRIVATE KEY": "OpenSSH",
  "SSH2 ENCRYPTED PRIVATE KEY": "SSH2",
  "PGP PRIVATE KEY BLOCK": "PGP",
};

// RFC 7468 armour, and the four-dash variant of the SSH.com (SSH2) format.
const ARMOUR = /(?:-----|---- )(BEGIN|END) ([A-Z0-9 ]{1,64}?)(?:-----| ----)/g;
// Header lines some formats put before the base64 (RFC 1421 Proc-Type/DEK-Info, PGP, SSH2).
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:/;
const BASE64_LINE = /^[A-Za-z0-9+/]+={0,2}$/;
const PGP_CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;
const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
const SSH2_MAGIC = Buffer.from([0x3f, 0x6f, 0xf9, 0xeb]);
// The smallest private key worth the name (an Ed25519 PKCS#8 key is 48 bytes).
const MIN_KEY_BYTES = 32;
const MAX_KEY_BYTES = 64 * 1024;

// PuTTY's .ppk: the header line, the private lines and their MAC. Tested separately, as one
// pattern spanning them backtracks over every header line of a hostile file.
const PUTTY = [
  /^PuTTY-User-Key-File-\d+: /m,
  /^Private-Lines: \d+\r?\n[A-Za-z0-9+/=]{16,}\r?$/m,
  /^Private-(?:MAC|Hash): [0-9a-fA-F]{16,}/m,
];

// JWK private members: "d" for RSA/EC/OKP, "k" for symmetric keys.
const JWK_PRIVATE_MEMBER = /"(?:d|k)"\s*:\s*"[A-Za-z0-9_-]{16,}/;

export function findPrivateKeys(bytes: Uint8Array): string[] {
  const found = new Set<string>();
  // Latin-1 keeps every byte as one char, so armour inside binary files is still seen.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  for (const kind of pemKeyKinds(text)) found.add(kind);
  if (PUTTY.every((pattern) => pattern.test(text))) found.add("PuTTY");
  if (found.size === 0 && JWK_PRIVATE_MEMBER.test(text) && /"kty"\s*:/.test(text))
    found.add("JWK with private members");
  if (found.size === 0 && bytes[0] === 0x30) {
    if (isPkcs12(bytes)) found.add("PKCS#12");
    else if (bytes.length < 16 * 1024) {
      const der = derPrivateKeyKind(bytes);
      if (der) found.add(der);
    }
  }
  return [...found];
}

/** Complete armoured blocks with a key body; one pass, so hostile text with many BEGINs stays linear. */
function pemKeyKinds(text: string): string[] {
  const kinds: string[] = [];
  let open: { label: string; bodyStart: number } | undefined;
  for (const match of text.matchAll(ARMOUR)) {
    const [whole, edge, label] = match as unknown as [string, "BEGIN" | "END", string];
    if (edge === "BEGIN") {
      open = { label, bodyStart: match.index + whole.length };
      continue;
    }
    if (open?.label !== label) continue;
    const kind = PEM_KINDS[label] ?? (label.includes("PRIVATE KEY") ? "private key" : undefined);
    if (kind && holdsKey(label, text.slice(open.bodyStart, match.index))) kinds.push(kind);
    open = undefined;
  }
  return kinds;
}

function holdsKey(label: string, body: string): boolean {
  // Keys pasted into JSON strings or .env values keep their line breaks as "\n" escapes.
  const lines = body
    .replace(/\\[rn]/g, "\n")
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const headers: string[] = [];
  while (lines.length > 0 && HEADER_LINE.test(lines[0]!)) {
    const header = lines.shift()!;
    headers.push(header);
    // SSH2 headers continue on the next line after a trailing backslash.
    if (header.endsWith("\\")) lines.shift();
  }
  if (label === "PGP PRIVATE KEY BLOCK" && PGP_CHECKSUM.test(lines[lines.length - 1] ?? "")) lines.pop();
  if (lines.length === 0 || !lines.every((line) => BASE64_LINE.test(line))) return false;
  const data = Buffer.from(lines.join(""), "base64");
  if (data.length < MIN_KEY_BYTES) return false;

  if (label === "OPENSSH PRIVATE KEY") return data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC);
  if (label === "SSH2 ENCRYPTED PRIVATE KEY") return data.subarray(0, SSH2_MAGIC.length).equals(SSH2_MAGIC);
  // An OpenPGP secret-key packet: tag 5 in the old (0x94-0x97) or the new (0xC5) packet format.
  if (label === "PGP PRIVATE KEY BLOCK") return (data[0]! & 0xfc) === 0x94 || data[0] === 0xc5;
  // Legacy OpenSSL encryption (Proc-Type: 4,ENCRYPTED) leaves ciphertext, not DER, in the body.
  if (headers.some((h) => /^Proc-Type:\s*4,\s*ENCRYPTED/i.test(h))) return data.length % 8 === 0;
  return isDerSequence(data);
}

/** One SEQUENCE whose definite length covers exactly the data: the shape of every DER key. */
function isDerSequence(data: Uint8Array): boolean {
  const header = derHeader(data, 0);
  return header !== null && header.tag === 0x30 && header.end === data.length && data.length <= MAX_KEY_BYTES;
}

/** Tag, and where the content starts and ends, of the DER element at `at` (definite lengths only). */
function derHeader(data: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  const tag = data[at];
  const first = data[at + 1];
  if (tag === undefined || first === undefined || first === 0x80) return null;
  let length = first;
  let start = at + 2;
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4 || at + 2 + count > data.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[at + 2 + i]!;
    start += count;
  }
  const end = start + length;
  return end <= data.length ? { tag, start, end } : null;
}

// contentType of the PFX authSafe (RFC 7292 4): data (password integrity) or signedData
// (public-key integrity); encryptedData is accepted too, as some exporters write it.
const PKCS7_CONTENT_TYPES = new Set(["1.2.840.113549.1.7.1", "1.2.840.113549.1.7.2", "1.2.840.113549.1.7.6"]);
// INTEGER 3, the PFX version, first in the outer SEQUENCE: a certificate has a SEQUENCE there.
const PFX_VERSION = Buffer.from([0x02, 0x01, 0x03]);

/**
 * A PKCS#12 bundle, told by its outer structure (RFC 7292 §4): PFX ::= SEQUENCE { version INTEGER
 * (3), authSafe ContentInfo ::= SEQUENCE { contentType OID, … }, … }. Read from those headers
 * alone, with no password and no parse of the bags, in DER or BER: exporters often write PKCS#12
 * with indefinite lengths. (It was a full parse with @peculiar/asn1-pfx, whose schemas, and the
 * CMS ones under them, were a twelfth of the CLI's start-up: issue 22.) Looser than a full parse
 * only for a file that is no certificate either: it then says "private key" where it said
 * "parse error", and is refused all the same.
 */
function isPkcs12(data: Uint8Array): boolean {
  const outer = berHeader(data, 0);
  if (outer?.tag !== 0x30 || !Buffer.from(data.subarray(outer.start, outer.start + 3)).equals(PFX_VERSION))
    return false;
  const authSafe = berHeader(data, outer.start + 3);
  if (authSafe?.tag !== 0x30) return false;
  const contentType = derHeader(data, authSafe.start);
  if (contentType?.tag !== 0x06) return false;
  try {
    return PKCS7_CONTENT_TYPES.has(oidText(data.subarray(contentType.start, contentType.end)));
  } catch {
    return false;
  }
}

/** A BER element's tag and where its content starts: definite lengths, or indefinite (0x80). */
function berHeader(data: Uint8Array, at: number): { tag: number; start: number } | null {
  if (data[at + 1] === 0x80) return data[at] === undefined ? null : { tag: data[at], start: at + 2 };
  return derHeader(data, at);
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
      if (type === "pkcs8" && error instanceof Error && /passphrase/i.test(error.message))
        return "encrypted DER PKCS#8";
    }
  }
  return null;
}
