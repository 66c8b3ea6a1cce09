import { finding, type Finding } from "./findings.js";
import type { CertificateFacts } from "./inspect.js";
import type { TrustAnchor, TrustStore } from "./trust-store.js";

/** Longest path we build (leaf + intermediates); public PKI paths are 2-4 long. */
export const MAX_PATH_LENGTH = 6;
/** Issuers tried per step, and certificates placed on paths per file, so hostile files stay cheap. */
export const MAX_CANDIDATES_PER_STEP = 8;
export const MAX_SEARCH_STEPS = 64;

/** One path the search found: ending at a trust anchor (`anchor`, not in `path`), or a dead end. */
export type CandidatePath =
  | { anchored: true; path: CertificateFacts[]; anchor: TrustAnchor }
  | { anchored: false; path: CertificateFacts[]; errors: Finding[] };

/**
 * Every path leaf → intermediates (from the file only) → a pinned root, depth first, anchors
 * before intermediates and the file's order among them. A link needs both halves of RFC 5280
 * §6.1.3 (a)(4) and §7.1: the child's issuer name matches the parent's subject, *and* the
 * parent's key verifies the child's signature. Names only narrow the candidates: a look-alike
 * "DigiCert Global Root G2" never anchors a path, since a root counts only by its pinned
 * fingerprint and its key. The caller judges each path and stops at the first valid one, so a
 * cross-certificate to an unapproved root or an expired copy listed first does not hide a good
 * path (RFC 4158: backtracking).
 */
export function* candidatePaths(
  leaf: CertificateFacts,
  intermediates: CertificateFacts[],
  store: TrustStore,
): Generator<CandidatePath> {
  if (leaf.selfSigned) {
    const message = `"${leaf.subject}" is self-signed; device certificates must be issued by an approved CA`;
    yield { anchored: false, path: [leaf], errors: [finding("self-signed", message)] };
    return;
  }
  yield* extend([leaf], intermediates, store, { steps: MAX_SEARCH_STEPS });
}

function* extend(
  path: CertificateFacts[],
  intermediates: CertificateFacts[],
  store: TrustStore,
  budget: { steps: number },
): Generator<CandidatePath> {
  const current = path[path.length - 1]!;
  if (path.length > MAX_PATH_LENGTH) {
    const message = `the chain is longer than ${MAX_PATH_LENGTH} certificates before reaching an approved root`;
    yield { anchored: false, path, errors: [finding("path-length", message)] };
    return;
  }
  let extended = false;
  const anchors = store.anchorsNamed(current.issuerKey).slice(0, MAX_CANDIDATES_PER_STEP);
  for (const anchor of anchors) {
    if (!store.verifies(current, anchor.facts)) continue;
    extended = true;
    yield { anchored: true, path, anchor };
  }
  // A pinned root carried in the file is reached as the anchor above, never as an intermediate.
  const named = intermediates.filter(
    (c) => c.subjectKey === current.issuerKey && !onPath(c, path) && !store.anchorByFingerprint(c.fingerprintSha256),
  );
  for (const issuer of named.slice(0, MAX_CANDIDATES_PER_STEP)) {
    if (budget.steps <= 0 || !store.verifies(current, issuer)) continue;
    budget.steps--;
    extended = true;
    yield* extend([...path, issuer], intermediates, store, budget);
  }
  if (!extended) {
    yield { anchored: false, path, errors: deadEnd(path, intermediates, store, anchors.length > 0, named.length > 0) };
  }
}

/** RFC 4158 loop detection: the same certificate, or the same name and key, is not used twice. */
function onPath(candidate: CertificateFacts, path: CertificateFacts[]): boolean {
  return path.some(
    (c) =>
      c.fingerprintSha256 === candidate.fingerprintSha256 ||
      (c.subjectKey === candidate.subjectKey && c.publicKey.equals(candidate.publicKey)),
  );
}

function deadEnd(
  path: CertificateFacts[],
  intermediates: CertificateFacts[],
  store: TrustStore,
  anchorNamed: boolean,
  intermediateNamed: boolean,
): Finding[] {
  const current = path[path.length - 1]!;
  if (path.length === 1 && store.verifies(current, current)) {
    // Signed by its own key under another issuer's name: self-signed all the same, and saying
    // "missing intermediate" would send the user looking for a CA certificate that never was.
    return [
      finding(
        "self-signed",
        `"${current.subject}" is signed by its own key (though it names "${current.issuer}" as its issuer); device certificates must be issued by an approved CA`,
      ),
    ];
  }
  const byKey = current.selfSigned ? undefined : signerUnderAnotherName(current, path, intermediates, store);
  if (byKey) {
    return [
      finding(
        "name-chaining",
        `"${current.subject}" names "${current.issuer}" as its issuer, but was signed by "${byKey}", whose name differs; RFC 5280 §6.1.3 needs both the name and the key to match, and TLS stacks build no such path`,
      ),
    ];
  }
  return explainFailure(current, store, anchorNamed, intermediateNamed);
}

/** The subject of an anchor or file certificate whose key signed `current` under another name. */
function signerUnderAnotherName(
  current: CertificateFacts,
  path: CertificateFacts[],
  intermediates: CertificateFacts[],
  store: TrustStore,
): string | undefined {
  for (const anchor of store.allAnchors()) {
    if (anchor.facts.subjectKey !== current.issuerKey && store.verifies(current, anchor.facts)) {
      return anchor.facts.subject;
    }
  }
  const other = intermediates.find(
    (c) => c.subjectKey !== current.issuerKey && !path.includes(c) && store.verifies(current, c),
  );
  return other?.subject;
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
