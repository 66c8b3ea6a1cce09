import { X509Certificate } from "node:crypto";
import { basename } from "node:path";
import type { FileReport } from "../certificates/index.js";
import { decodeCertificateFile } from "../certificates/decode.js";
import { inspectCertificate, signatureVerifies, type CertificateFacts } from "../certificates/inspect.js";
import { MAX_PATH_LENGTH } from "../certificates/path.js";
import { shellQuote, siblingPath } from "./shell.js";

/** A file the run refused, with its bytes when they could be read again. */
export interface RefusedFile {
  report: FileReport;
  bytes: Uint8Array | undefined;
}

/** One certificate alone in its file. */
interface Single {
  path: string;
  facts: CertificateFacts;
  der: boolean;
}

/** Chains are looked for among this many one-certificate files at most (the search is quadratic). */
const MAX_SINGLES = 64;

/**
 * A CA's usual download: the leaf, the intermediates and the root each in a file of its own, each
 * refused alone. When refused one-certificate files of the run link up (issuer name and signature,
 * as the judge links them) from a leaf to at least one CA, every file of that chain is told to join
 * them into one PEM file, leaf first, with the command that does it on its real file names. The
 * root goes last when the joined file needs it (a root pinned by fingerprint only), and is left
 * out when the joined file is valid without it: `judge` says which, and the advice says whether
 * the joined file is valid or what still refuses it.
 */
export function joinAdvice(files: RefusedFile[], judge: (bytes: Uint8Array) => FileReport): Map<string, string> {
  const singles = files.flatMap(single).slice(0, MAX_SINGLES);
  const advice = new Map<string, string>();
  for (const leaf of singles) {
    if (leaf.facts.basicConstraints.ca || leaf.facts.selfSigned) continue;
    const chain = chainFrom(leaf, singles);
    if (chain.length < 2) continue;
    const text = adviceFor(chain, singles, judge);
    for (const member of chain) advice.set(member.path, text);
  }
  return advice;
}

function single({ report, bytes }: RefusedFile): Single[] {
  if (!bytes) return [];
  const decoded = decodeCertificateFile(bytes);
  if (decoded.errors.length > 0 || decoded.certificates.length !== 1) return [];
  try {
    const der = decoded.certificates[0]!;
    return [{ path: report.path, facts: inspectCertificate(der), der: der === bytes }];
  } catch {
    return [];
  }
}

function chainFrom(leaf: Single, singles: Single[]): Single[] {
  const chain = [leaf];
  while (chain.length <= MAX_PATH_LENGTH && !chain[chain.length - 1]!.facts.selfSigned) {
    const current = chain[chain.length - 1]!.facts;
    const issuer = singles.find(
      (s) =>
        !chain.includes(s) && s.facts.subjectKey === current.issuerKey && signatureVerifies(current, s.facts.publicKey),
    );
    if (!issuer) break;
    chain.push(issuer);
  }
  return chain;
}

function adviceFor(chain: Single[], singles: Single[], judge: (bytes: Uint8Array) => FileReport): string {
  const hasRoot = chain[chain.length - 1]!.facts.selfSigned;
  // Without the root first: most roots are known to the judge, and a file need not carry them.
  const variants = hasRoot && chain.length > 2 ? [chain.slice(0, -1), chain] : [chain];
  const judged = variants.map((files) => ({ files, report: judge(joinedPem(files)) }));
  const chosen = judged.find((v) => v.report.verdict === "valid") ?? judged[judged.length - 1]!;
  const keepsRoot = chosen.files.length === chain.length && hasRoot;
  const out = siblingPath(
    chain[0]!.path,
    "-chain.pem",
    singles.map((s) => s.path),
  );
  const names = chain.map((s) => basename(s.path));
  const listed = names.length === 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const order = keepsRoot
    ? "then its intermediates, then the root, as the last block"
    : hasRoot
      ? `then its intermediates (${basename(chain[chain.length - 1]!.path)}, the root, is not needed in it)`
      : "then its intermediates";
  const outcome =
    chosen.report.verdict === "valid"
      ? "joined, the file is valid"
      : `joined, it is still refused: ${[...new Set(chosen.report.errors.map((e) => e.code))].join(", ")}`;
  return `${listed} each hold one certificate of one chain: join them into one PEM file, the leaf first, ${order}: \`${command(chosen.files, out)}\` (${outcome})`;
}

function joinedPem(files: Single[]): Uint8Array {
  return Buffer.from(files.map((s) => new X509Certificate(s.facts.der).toString()).join(""));
}

/** `cat` for PEM files; a DER file is converted to PEM on the way (`openssl x509 -inform der`). */
function command(files: Single[], out: string): string {
  if (files.every((s) => !s.der)) return `cat ${files.map((s) => shellQuote(s.path)).join(" ")} > ${shellQuote(out)}`;
  const parts = files.map((s) =>
    s.der ? `openssl x509 -inform der -in ${shellQuote(s.path)}` : `cat ${shellQuote(s.path)}`,
  );
  return `{ ${parts.join("; ")}; } > ${shellQuote(out)}`;
}
