import { X509Certificate } from "node:crypto";
import { posix } from "node:path";
import {
  DEFAULT_PATH_PATTERN,
  isUnderCertificateFolder,
  parseCertificatePath,
  type FileReport,
} from "../certificates/index.js";
import { decodeCertificateFile } from "../certificates/decode.js";

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
}

// DER of the PKCS#7 signedData OID 1.2.840.113549.1.7.2: how a .p7b bundle starts inside.
const PKCS7_SIGNED_DATA = Buffer.from("06092a864886f70d010702", "hex");
const PKCS7_NAME = /\.p7[bc]$/i;

export function adviseFile({ report, bytes, pattern = DEFAULT_PATH_PATTERN }: AdviceInput): string[] {
  if (report.verdict === "valid") return [];
  const codes = new Set(report.errors.map((e) => e.code));
  const advice: string[] = [];
  if (codes.has("private-key"))
    advice.push(
      "this is a private key: keep it on the device and pass its certificate instead (nothing " +
        "was sent anywhere; if the key was ever committed or shared, have a new certificate issued)",
    );
  if (isPkcs7(report, bytes))
    advice.push(
      "a PKCS#7 (.p7b) bundle is not read: convert it to PEM with `openssl pkcs7 -print_certs -in " +
        "FILE.p7b -out DEVICE.pem`, then keep the leaf first and its intermediates after it (drop the root)",
    );
  const rename = pemName(report.path, pattern);
  if (codes.has("device-mismatch") && rename)
    advice.push(
      `certificate files under certificates/ end in .pem: rename it to ${rename} (the content may stay as it is)`,
    );
  if (bytes && !codes.has("private-key")) advice.push(...chainAdvice(bytes, codes));
  return advice;
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
