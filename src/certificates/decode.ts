import { finding, type Finding } from "./findings.js";
import { findPrivateKeys } from "./private-keys.js";

/**
 * Turns the bytes of a certificate file into DER certificates, leaf first. Accepts PEM (any number
 * of CERTIFICATE blocks, CRLF, UTF-8 BOM, text around the blocks) or a single DER certificate.
 * Limits are checked before any decoding so hostile files cost little.
 */
export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_CERTIFICATES_PER_FILE = 10;

export interface DecodedFile {
  certificates: Uint8Array[];
  /** parse-error and private-key findings; when non-empty the file is not validated further. */
  errors: Finding[];
}

// RFC 7468 "lax" textual encoding: a label, base64 lines, the matching end line.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/** Other limits for other files (a `--trust` bundle may hold more roots than a chain has). */
export interface DecodeLimits {
  maxBytes: number;
  maxCertificates: number;
}

const FILE_LIMITS: DecodeLimits = { maxBytes: MAX_FILE_BYTES, maxCertificates: MAX_CERTIFICATES_PER_FILE };

export function decodeCertificateFile(bytes: Uint8Array, limits: DecodeLimits = FILE_LIMITS): DecodedFile {
  const { maxBytes, maxCertificates } = limits;
  if (bytes.byteLength === 0) return fail("the file is empty");
  if (bytes.byteLength > maxBytes) {
    return fail(`the file is ${bytes.byteLength} bytes; a certificate file may be at most ${maxBytes} bytes`);
  }

  const keys = findPrivateKeys(bytes);
  if (keys.length > 0) {
    // Never describe the key beyond its kind: the message ends up in logs and PR annotations.
    return {
      certificates: [],
      errors: [
        finding(
          "private-key",
          `the file contains private key material (${keys.join(", ")}); commit only the public certificate and rotate this key`,
        ),
      ],
    };
  }

  if (looksLikeDer(bytes)) return { certificates: [bytes], errors: [] };

  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  const begins = countOccurrences(text, "-----BEGIN ");
  if (begins === 0) return fail("no PEM certificate block and not a DER certificate");
  if (begins > maxCertificates) {
    const what = limits === FILE_LIMITS ? " (the leaf and its intermediates)" : "";
    return fail(`the file has ${begins} PEM blocks; at most ${maxCertificates}${what} are accepted`);
  }

  const certificates: Uint8Array[] = [];
  let matched = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    matched++;
    const [, label, body] = match as unknown as [string, string, string];
    if (label !== "CERTIFICATE") {
      return fail(`unexpected PEM block "${label}"; only CERTIFICATE blocks belong in a certificate file`);
    }
    if (!BASE64_BODY.test(body)) return fail(`PEM block ${matched} is not valid base64`);
    const der = Buffer.from(body.replace(/\s+/g, ""), "base64");
    if (!looksLikeDer(der)) return fail(`PEM block ${matched} does not hold a DER certificate`);
    certificates.push(der);
  }
  if (matched !== begins) return fail("a PEM block is truncated (BEGIN without a matching END line)");
  return { certificates, errors: [] };
}

/** One DER certificate as a PEM block (RFC 7468 §5: base64 in lines of 64), ending in a newline. */
export function pemOfDer(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.length).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}(?!$)/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
}

/** A DER certificate is one SEQUENCE whose length covers exactly the input. */
function looksLikeDer(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  if (first < 0x80) return first + 2 === bytes.length;
  const lengthBytes = first & 0x7f;
  if (lengthBytes < 1 || lengthBytes > 4 || bytes.length < 2 + lengthBytes) return false;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + lengthBytes + length === bytes.length;
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

function fail(message: string): DecodedFile {
  return { certificates: [], errors: [finding("parse-error", message)] };
}
