import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";
import { allowlistPins, allowlistSources, type PinnedRoot } from "./allowlist/index.js";
import type { RootProfile } from "./allowlist/types.js";
import { parseDer } from "./der.js";
import { Certificate } from "@peculiar/asn1-x509";
import { fingerprintOf, inspectCertificate, type CertificateFacts } from "./inspect.js";
import { renderName } from "./names.js";
import type { TrustAnchorSource } from "./types.js";

export interface TrustAnchor {
  brand: string;
  facts: CertificateFacts;
  /** The allowlist's facts about the root (purpose, renewal); absent for configured or --trust roots. */
  profile?: RootProfile;
}

interface Caches {
  decoded: Map<string, CertificateFacts>;
  signatures: Map<string, boolean>;
}

/**
 * The roots a path may end at, identified by their pinned SHA-256 fingerprints — never by name.
 * Also the cache that lets a run over many files parse and verify each distinct CA certificate
 * once: intermediates are looked up by the hash of their DER before anything is decoded.
 */
export class TrustStore {
  private anchorsByFingerprint: Map<string, TrustAnchor> | undefined;
  private anchorsBySubject: Map<string, TrustAnchor[]> | undefined;
  private readonly decoded: Map<string, CertificateFacts>;
  private readonly signatures: Map<string, boolean>;
  private publicRoots: Map<string, string> | undefined;

  private constructor(
    private readonly sources: TrustAnchorSource[],
    private readonly pins: PinnedRoot[],
    caches: Caches = { decoded: new Map(), signatures: new Map() },
    /** For a per-file view: the store it extends with the roots the file carries. */
    private readonly base?: TrustStore,
    private readonly carried: TrustAnchor[] = [],
  ) {
    this.decoded = caches.decoded;
    this.signatures = caches.signatures;
  }

  /**
   * The pinned allowlist of the seven approved brands, plus configured or `--trust` roots. A
   * configured root that is one of the allowlist's fingerprint pins is that pinned root: it keeps
   * the pin's brand and facts, whatever brand the configuration gives it.
   */
  static default(extra: TrustAnchorSource[] = []): TrustStore {
    return TrustStore.fromSources([...allowlistSources(), ...extra], allowlistPins());
  }

  /** Exactly these roots and fingerprint pins (tests, and callers that bring their own allowlist). */
  static fromSources(sources: TrustAnchorSource[], pins: PinnedRoot[] = []): TrustStore {
    const byPin = new Map(pins.map((pin) => [pin.fingerprintSha256, pin]));
    const admitted = sources.map((source) => {
      const pin = byPin.get(source.fingerprintSha256.toUpperCase());
      return pin ? { ...source, brand: pin.brand, profile: pin.profile } : source;
    });
    return new TrustStore(admitted, [...pins]);
  }

  /**
   * The store as one file sees it: when the file's last block is a root pinned by fingerprint
   * (its SHA-256 equals the pin; a name never counts), that root is an anchor for this file only.
   * Other files of the run do not inherit it, so a report never depends on the order of files.
   */
  withCarriedRoot(certificates: readonly CertificateFacts[]): TrustStore {
    const last = certificates[certificates.length - 1];
    if (!last || this.anchorByFingerprint(last.fingerprintSha256)) return this;
    const pin = this.pins.find((p) => p.fingerprintSha256 === last.fingerprintSha256);
    if (!pin) return this;
    const anchor: TrustAnchor = { brand: pin.brand, facts: last, profile: pin.profile };
    const caches = { decoded: this.decoded, signatures: this.signatures };
    return new TrustStore(this.sources, this.pins, caches, this, [anchor]);
  }

  /** A fingerprint pin not available as an anchor whose subject is this name (for messages only). */
  absentPinNamed(name: string): PinnedRoot | undefined {
    return this.pins.find((pin) => pin.profile.subject === name && !this.anchorByFingerprint(pin.fingerprintSha256));
  }

  pinByFingerprint(fingerprint: string): PinnedRoot | undefined {
    return this.pins.find((pin) => pin.fingerprintSha256 === fingerprint);
  }

  anchorByFingerprint(fingerprint: string): TrustAnchor | undefined {
    return this.index().byFingerprint.get(fingerprint);
  }

  /** Anchors whose subject matches this name key (RFC 5280 §7.1); the caller still checks the signature. */
  anchorsNamed(nameKey: string): TrustAnchor[] {
    return this.index().bySubject.get(nameKey) ?? [];
  }

  allAnchors(): Iterable<TrustAnchor> {
    return this.index().byFingerprint.values();
  }

  /** Decodes a CA certificate once per store, whatever number of files carry it. */
  decode(der: Uint8Array, fingerprint = fingerprintOf(der)): CertificateFacts {
    let facts = this.decoded.get(fingerprint);
    if (!facts) {
      facts = inspectCertificate(der);
      if (this.decoded.size < 10_000) this.decoded.set(fingerprint, facts);
    }
    return facts;
  }

  /** Signature checks between two certificates, memoised by the pair of fingerprints. */
  verifies(child: CertificateFacts, parent: CertificateFacts): boolean {
    const key = `${child.fingerprintSha256}>${parent.fingerprintSha256}`;
    let ok = this.signatures.get(key);
    if (ok === undefined) {
      try {
        ok = child.node.verify(parent.publicKey);
      } catch {
        ok = false;
      }
      if (this.signatures.size < 100_000) this.signatures.set(key, ok);
    }
    return ok;
  }

  /**
   * The subject of a well-known public root with this name that is *not* allowlisted, so a report
   * can say "chains to GTS Root R1, which is not an approved CA" rather than "issuer not found".
   * Built lazily from Node's bundled root store, and only when a path fails.
   */
  knownPublicRoot(name: string): string | undefined {
    if (!this.publicRoots) {
      this.publicRoots = new Map();
      for (const pem of rootCertificates) {
        try {
          const der = new X509Certificate(pem).raw;
          const fingerprint = fingerprintOf(der);
          if (!this.anchorByFingerprint(fingerprint))
            this.publicRoots.set(renderName(parseDer(der, Certificate).tbsCertificate.subject), fingerprint);
        } catch {
          // A root Node cannot parse is simply not named in messages.
        }
      }
    }
    return this.publicRoots.has(name) ? name : undefined;
  }

  private index(): { byFingerprint: Map<string, TrustAnchor>; bySubject: Map<string, TrustAnchor[]> } {
    if (this.base && (!this.anchorsByFingerprint || !this.anchorsBySubject)) {
      const parent = this.base.index();
      const byFingerprint = new Map(parent.byFingerprint);
      const bySubject = new Map(parent.bySubject);
      for (const anchor of this.carried) {
        byFingerprint.set(anchor.facts.fingerprintSha256, anchor);
        // Keyed like every anchor: by the RFC 5280 §7.1 comparison key of the subject.
        bySubject.set(anchor.facts.subjectKey, [...(bySubject.get(anchor.facts.subjectKey) ?? []), anchor]);
      }
      this.anchorsByFingerprint = byFingerprint;
      this.anchorsBySubject = bySubject;
    }
    if (!this.anchorsByFingerprint || !this.anchorsBySubject) {
      const byFingerprint = new Map<string, TrustAnchor>();
      const bySubject = new Map<string, TrustAnchor[]>();
      for (const source of this.sources) {
        const der = derOfPem(source.pem);
        const actual = fingerprintOf(der);
        // A pinned fingerprint that does not match its PEM means the data was tampered with or
        // mis-generated: such an anchor is dropped, never trusted on its name.
        if (actual !== source.fingerprintSha256.toUpperCase()) continue;
        if (byFingerprint.has(actual)) continue;
        let facts: CertificateFacts;
        try {
          facts = this.decode(der, actual);
        } catch {
          // A root that cannot be inspected would otherwise fail every file of the run; like a
          // mismatched pin, it simply anchors nothing (trustAnchorFromPem refuses it up front).
          continue;
        }
        const anchor: TrustAnchor = { brand: source.brand, facts, ...(source.profile && { profile: source.profile }) };
        byFingerprint.set(actual, anchor);
        const list = bySubject.get(anchor.facts.subjectKey) ?? [];
        list.push(anchor);
        bySubject.set(anchor.facts.subjectKey, list);
      }
      this.anchorsByFingerprint = byFingerprint;
      this.anchorsBySubject = bySubject;
    }
    return { byFingerprint: this.anchorsByFingerprint, bySubject: this.anchorsBySubject };
  }
}

/** Builds an anchor source from a PEM, computing its fingerprint (CLI `--trust`, tests). */
export function trustAnchorFromPem(pem: string, brand: string): TrustAnchorSource {
  const der = derOfPem(pem);
  inspectCertificate(der); // throws now rather than leave a root that silently anchors nothing
  return { brand, pem, fingerprintSha256: fingerprintOf(der) };
}

function derOfPem(pem: string): Uint8Array {
  return new X509Certificate(pem).raw;
}
