import { X509Certificate } from "node:crypto";
import { posix } from "node:path";
import {
  DEFAULT_PATH_PATTERN,
  isUnderCertificateFolder,
  parseCertificatePath,
  type FileReport,
} from "../certificates/index.js";
import { decodeCertificateFile } from "../certificates/decode.js";
import { findPrivateKeys } from "../certificates/private-keys.js";
import { shellQuote, siblingPath } from "./shell.js";

/**
 * What to do about a refused file, for the customer at the CLI: the finding says what is wrong,
 * the advice how the usual mistakes are fixed. Pure: it sees the report, the file's name and its
 * bytes (when read), and never quotes the bytes.
 */
export interface AdviceInput {
  report: FileReport;
  /** The file's content, when the CLI could read it. */
  bytes?: Uint8Array;
  pattern?: string;
  /** False for standard input: commands then name placeholder files, not the report's path. */
  onDisk?: boolean;
}

// DER of the PKCS#7 signedData OID 1.2.840.113549.1.7.2: how a .p7b bundle starts inside.
const PKCS7_SIGNED_DATA = Buffer.from("06092a864886f70d010702", "hex");
const PKCS7_NAME = /\.p7[bc]$/i;

export function adviseFile({ report, bytes, pattern = DEFAULT_PATH_PATTERN, onDisk = true }: AdviceInput): string[] {
  if (report.verdict === "valid") return [];
  const codes = new Set(report.errors.map((e) => e.code));
  const advice: string[] = [];
  if (codes.has("private-key")) advice.push(keyAdvice(onDisk ? report.path : undefined, bytes));
  if (isPkcs7(report, bytes)) advice.push(pkcs7Advice(onDisk ? report.path : undefined, bytes));
  const rename = pemName(report.path, pattern);
  if (codes.has("device-mismatch") && rename)
    advice.push(
      `certificate files under certificates/ end in .pem: rename it to ${rename} (the content may stay as it is)`,
    );
  if (bytes && !codes.has("private-key")) advice.push(...chainAdvice(bytes, codes));
  return advice;
}

/**
 * A private key where a certificate belongs. When the certificates are there too (the key pasted
 * above them), the command that writes them alone into a new file; it is offered only when that
 * very extraction, done here, leaves no key behind and at least one certificate. Never quotes the key.
 */
function keyAdvice(path: string | undefined, bytes: Uint8Array | undefined): string {
  if (!path || !bytes || !certificatesAlone(bytes))
    return (
      "this is a private key: keep it on the device and pass its certificate instead; never commit or share it " +
      "(nothing was sent anywhere; if the key was ever committed or shared, have a new certificate issued)"
    );
  const out = siblingPath(path, ".certificates.pem");
  return (
    "this file holds a private key beside its certificates: a private key must never be committed or shared " +
    "(if this one was, have a new key and certificate made). Write the certificates alone into a new file, " +
    `\`${CERTIFICATES_ONLY} ${shellQuote(path)} > ${shellQuote(out)}\`, use that file as the device's ` +
    "certificate file, and keep this one, with its key, out of the repository"
  );
}

/** Prints each PEM certificate block, from its BEGIN line to its END line, and nothing else. */
const CERTIFICATES_ONLY = "sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p'";

/** What CERTIFICATES_ONLY writes, when that is certificates and no key material. */
function certificatesAlone(bytes: Uint8Array): boolean {
  const kept: string[] = [];
  let inBlock = false;
  for (const line of Buffer.from(bytes).toString("utf8").split("\n")) {
    if (inBlock) {
      kept.push(line);
      inBlock = !line.includes("END CERTIFICATE");
    } else if (line.includes("BEGIN CERTIFICATE")) {
      kept.push(line);
      inBlock = true;
    }
  }
  const text = Buffer.from(kept.join("\n"));
  if (kept.length === 0 || findPrivateKeys(text).length > 0) return false;
  const decoded = decodeCertificateFile(text);
  return decoded.errors.length === 0 && decoded.certificates.length > 0;
}

/**
 * openssl prints a bundle's certificates in the bundle's order, the root included. The root stays:
 * a client-authentication root pinned by fingerprint only must be the file's last block, and any
 * other root there is harmless (trust never comes from the file).
 */
function pkcs7Advice(path: string | undefined, bytes: Uint8Array | undefined): string {
  const inform = bytes?.[0] === 0x30 ? "-inform DER " : "";
  const files = path
    ? `-in ${shellQuote(path)} -out ${shellQuote(siblingPath(path, ".pem"))}`
    : "-in FILE.p7b -out DEVICE.pem";
  return (
    `a PKCS#7 (.p7b) bundle is not read: convert it to a PEM file with \`openssl pkcs7 ${inform}-print_certs ${files}\` ` +
    "and validate that file. It must hold the leaf first, then its intermediates; keep the root if the bundle has " +
    "one, as the last block (a client-authentication root pinned by fingerprint must be there)"
  );
}

function isPkcs7(report: FileReport, bytes: Uint8Array | undefined): boolean {
  if (report.errors.some((e) => /PEM block "PKCS7"/.test(e.message))) return true;
  if (!report.errors.some((e) => e.code === "parse-error")) return false;
  return (
    PKCS7_NAME.test(report.path) ||
    (bytes !== undefined && Buffer.from(bytes.subarray(0, 64)).includes(PKCS7_SIGNED_DATA))
  );
}

/** `certificates/42/pump-7.pem` for `certificates/42/pump-7.crt`, when that name fits the layout. */
function pemName(path: string, pattern: string): string | undefined {
  const normal = posix.normalize(path.replaceAll("\\", "/"));
  const extension = posix.extname(normal);
  if (extension.toLowerCase() === ".pem" || !isUnderCertificateFolder(normal, pattern)) return undefined;
  const renamed = `${normal.slice(0, normal.length - extension.length)}.pem`;
  return parseCertificatePath(renamed, pattern) ? renamed : undefined;
}

/** Advice about the certificates in the file: their order, and DER's single certificate. */
function chainAdvice(bytes: Uint8Array, codes: Set<string>): string[] {
  const decoded = decodeCertificateFile(bytes);
  if (decoded.errors.length > 0 || decoded.certificates.length === 0) return [];
  const isPem = decoded.certificates[0] !== bytes;
  const out: string[] = [];
  if (!isPem && codes.has("missing-intermediate"))
    out.push(
      "a DER file holds one certificate, so the intermediates cannot travel with it: use PEM for the chain (`openssl " +
        "x509 -inform der -in FILE -out DEVICE.pem`, then append the intermediate certificates after the leaf)",
    );
  const ca = decoded.certificates.map(isCa);
  if (ca[0] === true && ca.slice(1).some((value) => value === false))
    out.push(
      "the file starts with a CA certificate and the device certificate comes later: put the leaf first, then its intermediates",
    );
  return out;
}

function isCa(der: Uint8Array): boolean | undefined {
  try {
    return new X509Certificate(der).ca;
  } catch {
    return undefined;
  }
}
