import { finding, type Finding } from "./findings.js";
import type { CertificateFacts } from "./inspect.js";
import type { TrustStore } from "./trust-store.js";

/** The findings a failed path gets in place of a generic "untrusted root" when a pin explains it. */
const REPLACED = new Set(["untrusted-root", "missing-intermediate"]);

/**
 * A path that failed near a root pinned by fingerprint only (a client-authentication root whose
 * certificate is not shipped) is told what to do about it: add that root at the end of the file.
 * Names are used here for the message alone; trust still comes only from the fingerprint.
 */
export function explainPinnedRoots(path: readonly CertificateFacts[], errors: Finding[], store: TrustStore): Finding[] {
  const last = path[path.length - 1];
  const explained = last ? pinnedRootFinding(last, store) : undefined;
  if (!explained) return errors;
  return [explained, ...errors.filter((f) => !REPLACED.has(f.code))];
}

function pinnedRootFinding(last: CertificateFacts, store: TrustStore): Finding | undefined {
  if (last.selfSigned) {
    const carried = store.pinByFingerprint(last.fingerprintSha256);
    if (carried)
      return finding(
        "missing-root",
        `the file carries the root certificate ${carried.profile.name} (SHA-256 ${carried.fingerprintSha256}), but not as the last block; move it to the end of the file`,
      );
    const named = store.absentPinNamed(last.subject);
    if (named)
      return finding(
        "untrusted-root",
        `the chain ends at "${last.subject}" (SHA-256 ${last.fingerprintSha256}), which only carries the name of an approved root: the approved ${named.profile.name} has SHA-256 ${named.fingerprintSha256}`,
      );
    return undefined;
  }
  const pin = store.absentPinNamed(last.issuer);
  if (!pin) return undefined;
  return finding(
    "missing-root",
    `"${last.subject}" is issued by ${pin.profile.name}, an approved root that this tool pins by fingerprint but does not ship: add the root certificate ${pin.profile.name} (SHA-256 ${pin.fingerprintSha256}) at the end of the file; your CA publishes it`,
  );
}
