import { buildPath } from "./path.js";
import { explainPinnedRoots } from "./pinned-roots.js";
import { renewalWarnings } from "./renewal.js";
import { checkChain } from "./checks.js";
import { decodeCertificateFile } from "./decode.js";
import { finding, type Finding } from "./findings.js";
import { CertificateDecodeError, inspectCertificate, type CertificateFacts } from "./inspect.js";
import type { TrustStore } from "./trust-store.js";
import type { FileReport, ValidationReport } from "./types.js";

export const DEFAULT_WARN_DAYS = 30;

export interface ValidateBytesOptions {
  path: string;
  trust: TrustStore;
  at?: Date;
  warnDays?: number;
}

/**
 * Where a certificate file is judged: decode → inspect → build the path → check it.
 * Never throws for bad input; every problem is a finding with a stable code.
 */
export function validateCertificateBytes(bytes: Uint8Array, options: ValidateBytesOptions): FileReport {
  const at = options.at ?? new Date();
  const warnDays = options.warnDays ?? DEFAULT_WARN_DAYS;

  // 1. Decode the file (limits, private keys, PEM/DER).
  const decoded = decodeCertificateFile(bytes);
  if (decoded.errors.length > 0) return report(options.path, null, decoded.errors, []);

  // 2. Inspect: the leaf freshly, CA certificates through the store's cache.
  const [leafDer, ...rest] = decoded.certificates;
  let leaf: CertificateFacts;
  let intermediates: CertificateFacts[];
  try {
    leaf = inspectCertificate(leafDer!);
    intermediates = rest.map((der) => options.trust.decode(der));
  } catch (error) {
    // Whatever one file's bytes make the decoders do, it is a finding for that file: a throw here
    // would end the run and hide the reports of every other file.
    const why = error instanceof CertificateDecodeError ? error.message : "not a valid X.509 certificate";
    return report(options.path, null, [finding("parse-error", `a certificate in the file cannot be read: ${why}`)], []);
  }

  // 3. Build the path to a pinned root (for this file, a fingerprint-pinned root it carries last
  //    counts as one; a path that stops below an absent pinned root says which root to add).
  const trust = options.trust.withCarriedRoot(intermediates);
  const built = explainPinnedRoots(buildPath(leaf, intermediates, trust), trust);
  const chain = built.ok ? [...built.path, built.anchor.facts] : built.path;

  // 4. Check every certificate of the path at the validation time.
  const checked = checkChain(chain, built.ok, { at, warnDays });
  const errors = built.ok ? checked.errors : [...built.errors, ...checked.errors];

  // 5. Warn a valid certificate whose renewal cannot come from the same hierarchy.
  const renewal = built.ok && errors.length === 0 ? renewalWarnings(built.anchor) : [];

  return report(
    options.path,
    {
      subject: leaf.subject,
      issuer: leaf.issuer,
      brand: built.ok ? built.anchor.brand : null,
      ...(built.ok && built.anchor.profile && { rootPurpose: built.anchor.profile.purpose }),
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      fingerprintSha256: leaf.fingerprintSha256,
      chain: chain.slice(1).map((c) => c.subject),
    },
    dedupe(errors),
    [...checked.warnings, ...renewal],
  );
}

export function summarize(files: FileReport[]): ValidationReport {
  const valid = files.filter((f) => f.verdict === "valid").length;
  return { files, summary: { valid, invalid: files.length - valid } };
}

export function report(
  path: string,
  certificate: FileReport["certificate"],
  errors: Finding[],
  warnings: Finding[],
): FileReport {
  return { path, verdict: errors.length === 0 ? "valid" : "invalid", certificate, errors, warnings };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
