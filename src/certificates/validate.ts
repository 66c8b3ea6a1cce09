import { candidatePaths } from "./path.js";
import { explainPinnedRoots } from "./pinned-roots.js";
import { renewalWarnings } from "./renewal.js";
import { checkChain, type CheckResult } from "./checks.js";
import { decodeCertificateFile } from "./decode.js";
import { finding, type Finding } from "./findings.js";
import { CertificateDecodeError, inspectCertificate, type CertificateFacts } from "./inspect.js";
import type { TrustAnchor, TrustStore } from "./trust-store.js";
import { report } from "./report.js";
import type { FileReport } from "./types.js";

// Re-exported: the report helpers live apart so that code building an empty report (the Action on
// a workspace with nothing to judge) need not load the judge.
export { report, summarize } from "./report.js";

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

  // 3-4. Build the candidate paths to a pinned root and check each at the validation time. For
  //      this file, a fingerprint-pinned root it carries last counts as one; a path that stops
  //      below an absent pinned root says which root to add.
  const trust = options.trust.withCarriedRoot(intermediates);
  const { chain, anchor, errors, checked } = judgePaths(leaf, intermediates, trust, { at, warnDays });

  // 5. Warn a valid certificate whose renewal cannot come from the same hierarchy.
  const renewal = anchor && errors.length === 0 ? renewalWarnings(anchor) : [];

  return report(
    options.path,
    {
      subject: leaf.subject,
      issuer: leaf.issuer,
      brand: anchor ? anchor.brand : null,
      ...(anchor?.profile && { rootPurpose: anchor.profile.purpose }),
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      fingerprintSha256: leaf.fingerprintSha256,
      chain: chain.slice(1).map((c) => c.subject),
    },
    dedupe(errors),
    [...checked.warnings, ...renewal],
  );
}

interface JudgedPath {
  chain: CertificateFacts[];
  anchor: TrustAnchor | undefined;
  errors: Finding[];
  checked: CheckResult;
}

/**
 * The first valid path, or else the most complete failing one: a path that reaches an anchor
 * before one that does not; between two that reach one, the one with fewer errors (the closest
 * to valid); between two dead ends, the longer; the earlier found on a tie.
 */
function judgePaths(
  leaf: CertificateFacts,
  intermediates: CertificateFacts[],
  trust: TrustStore,
  context: { at: Date; warnDays: number },
): JudgedPath {
  let best: JudgedPath | undefined;
  for (const candidate of candidatePaths(leaf, intermediates, trust)) {
    const anchor = candidate.anchored ? candidate.anchor : undefined;
    const chain = anchor ? [...candidate.path, anchor.facts] : candidate.path;
    const checked = checkChain(chain, anchor !== undefined, context);
    const errors = candidate.anchored
      ? checked.errors
      : [...explainPinnedRoots(candidate.path, candidate.errors, trust), ...checked.errors];
    const judged = { chain, anchor, errors, checked };
    if (errors.length === 0) return judged;
    if (!best || moreComplete(judged, best)) best = judged;
  }
  // candidatePaths always yields at least one path (a dead end at the leaf, if nothing else).
  return best!;
}

function moreComplete(a: JudgedPath, b: JudgedPath): boolean {
  if ((a.anchor !== undefined) !== (b.anchor !== undefined)) return a.anchor !== undefined;
  if (a.anchor) return a.errors.length < b.errors.length;
  return a.chain.length > b.chain.length;
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
