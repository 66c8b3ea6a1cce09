import { finding, type Finding } from "./findings.js";
import type { CertificateFacts } from "./inspect.js";
import type { TrustAnchor, TrustStore } from "./trust-store.js";

/** Longest path we build (leaf + intermediates); public PKI paths are 2-4 long. */
export const MAX_PATH_LENGTH = 6;

export type PathResult =
  | { ok: true; path: CertificateFacts[]; anchor: TrustAnchor }
  | { ok: false; path: CertificateFacts[]; errors: Finding[] };

/**
 * Builds leaf → intermediates (from the file only) → a pinned root, following signatures and
 * keys. Names only order the candidates: a certificate counts as an issuer when its public key
 * verifies the child's signature, so a look-alike "DigiCert Global Root G2" never anchors a path.
 */
export function buildPath(leaf: CertificateFacts, intermediates: CertificateFacts[], store: TrustStore): PathResult {
  const path = [leaf];
  if (leaf.selfSigned) {
    return {
      ok: false,
      path,
      errors: [
        finding(
          "self-signed",
          `"${leaf.subject}" is self-signed; device certificates must be issued by an approved CA`,
        ),
      ],
    };
  }
  const used = new Set([leaf.fingerprintSha256]);

  while (path.length <= MAX_PATH_LENGTH) {
    const current = path[path.length - 1]!;

    // A file may carry the root itself; it anchors only if it is the pinned certificate.
    const pinned = path.length > 1 ? store.anchorByFingerprint(current.fingerprintSha256) : undefined;
    if (pinned) return { ok: true, path: path.slice(0, -1), anchor: pinned };

    const namedAnchors = store.anchorsNamed(current.issuer);
    const anchor = namedAnchors.find((a) => store.verifies(current, a.facts));
    if (anchor) return { ok: true, path, anchor };

    const candidates = intermediates.filter((c) => !used.has(c.fingerprintSha256));
    const named = candidates.filter((c) => c.subject === current.issuer);
    const next =
      named.find((c) => store.verifies(current, c)) ?? findByKey(current, store, candidates, namedAnchors, named);
    if (next && "facts" in next) return { ok: true, path, anchor: next };
    if (next) {
      path.push(next);
      used.add(next.fingerprintSha256);
      continue;
    }
    if (path.length === 1 && store.verifies(leaf, leaf)) {
      // Signed by its own key under another issuer's name: self-signed all the same, and saying
      // "missing intermediate" would send the user looking for a CA certificate that never was.
      return {
        ok: false,
        path,
        errors: [
          finding(
            "self-signed",
            `"${leaf.subject}" is signed by its own key (though it names "${leaf.issuer}" as its issuer); device certificates must be issued by an approved CA`,
          ),
        ],
      };
    }
    return { ok: false, path, errors: explainFailure(current, store, namedAnchors.length > 0, named.length > 0) };
  }
  return {
    ok: false,
    path,
    errors: [
      finding(
        "path-length",
        `the chain is longer than ${MAX_PATH_LENGTH} certificates before reaching an approved root`,
      ),
    ],
  };
}

/** Issuers whose name differs but whose key signed the child (re-named or cross-signed CAs). */
function findByKey(
  current: CertificateFacts,
  store: TrustStore,
  candidates: CertificateFacts[],
  triedAnchors: TrustAnchor[],
  triedIntermediates: CertificateFacts[],
): TrustAnchor | CertificateFacts | undefined {
  if (current.selfSigned) return undefined;
  for (const anchor of store.allAnchors()) {
    if (!triedAnchors.includes(anchor) && store.verifies(current, anchor.facts)) return anchor;
  }
  return candidates.find((c) => !triedIntermediates.includes(c) && store.verifies(current, c));
}

function explainFailure(
  current: CertificateFacts,
  store: TrustStore,
  anchorNamed: boolean,
  intermediateNamed: boolean,
): Finding[] {
  if (current.selfSigned) {
    const lookalike = anchorNamed ? "; it carries the name of an approved root but is not that pinned certificate" : "";
    return [
      finding(
        "untrusted-root",
        `the chain ends at "${current.subject}" (SHA-256 ${current.fingerprintSha256}), which is not an approved CA root${lookalike}`,
      ),
    ];
  }
  if (anchorNamed) {
    // Something names an approved root as its issuer but that root's key did not sign it: a
    // tampered certificate or a forged CA. Either way it does not chain to an approved root.
    return [
      finding(
        "bad-signature",
        `the signature of "${current.subject}" does not verify under the pinned root "${current.issuer}"`,
      ),
      finding(
        "untrusted-root",
        `"${current.subject}" is not issued by the approved root "${current.issuer}"; a CA that merely uses that name is not trusted`,
      ),
    ];
  }
  if (intermediateNamed) {
    return [
      finding(
        "bad-signature",
        `the signature of "${current.subject}" does not verify under the key of its issuer "${current.issuer}" in the file`,
      ),
    ];
  }
  const publicRoot = store.knownPublicRoot(current.issuer);
  if (publicRoot) {
    return [finding("untrusted-root", `the chain leads to "${publicRoot}", a public root that is not an approved CA`)];
  }
  if (current.basicConstraints.ca) {
    // The file's intermediates ran out below an issuer that is not pinned: roots never come from
    // the file, so the likeliest reading is an unapproved CA (or one more missing intermediate).
    return [
      finding(
        "untrusted-root",
        `the chain leads to "${current.issuer}", which is not an approved CA root (if it is an intermediate, add it to the file)`,
      ),
    ];
  }
  return [
    finding(
      "missing-intermediate",
      `the issuer "${current.issuer}" of "${current.subject}" is neither in the file nor an approved root; add the intermediate certificates after the leaf (or the CA is not approved)`,
    ),
  ];
}
