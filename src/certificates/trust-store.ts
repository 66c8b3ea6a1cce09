import { X509Certificate } from "node:crypto";
import { allowlistPins, allowlistSources, type PinnedRoot } from "./allowlist/index.js";
import type { RootProfile } from "./allowlist/types.js";
import { decodeCertificateFile } from "./decode.js";
import { parseDer } from "./der.js";
import { Certificate } from "@peculiar/asn1-x509";
import { fingerprintOf, inspectCertificate, signatureVerifies, type CertificateFacts } from "./inspect.js";
import { canonicalText, renderName } from "./names.js";
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
  private entries: Map<string, AnchorEntry> | undefined;
  private readonly named = new Map<string, TrustAnchor[]>();
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
    const carried = this.carried.find((a) => a.facts.fingerprintSha256 === fingerprint);
    if (carried || this.base) return carried ?? this.base!.anchorByFingerprint(fingerprint);
    const entry = this.index().get(fingerprint);
    return entry ? this.anchorOf(entry) : undefined;
  }

  /** Anchors whose subject matches this name key (RFC 5280 §7.1); the caller still checks the signature. */
  anchorsNamed(nameKey: string): TrustAnchor[] {
    if (this.base) {
      const carried = this.carried.filter((a) => a.facts.subjectKey === nameKey);
      return [...this.base.anchorsNamed(nameKey), ...carried];
    }
    let found = this.named.get(nameKey);
    if (!found) {
      found = [];
      for (const entry of this.index().values()) {
        // The allowlist's common name only skips roots that cannot match; the decoded subject decides.
        if (entry.hint !== undefined && !nameKey.includes(entry.hint)) continue;
        const anchor = this.anchorOf(entry);
        if (anchor?.facts.subjectKey === nameKey) found.push(anchor);
      }
      if (this.named.size < 10_000) this.named.set(nameKey, found);
    }
    return found;
  }

  allAnchors(): TrustAnchor[] {
    if (this.base) return [...this.base.allAnchors(), ...this.carried];
    return [...this.index().values()].flatMap((entry) => this.anchorOf(entry) ?? []);
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

  /**
   * Signature checks between two certificates, memoised by the pair of fingerprints when the
   * child is a CA certificate this store decoded (a leaf is checked once a run: no memo to keep).
   */
  verifies(child: CertificateFacts, parent: CertificateFacts): boolean {
    if (this.decoded.get(child.fingerprintSha256) !== child) return signatureVerifies(child, parent.publicKey);
    const key = `${child.fingerprintSha256}>${parent.fingerprintSha256}`;
    let ok = this.signatures.get(key);
    if (ok === undefined) {
      ok = signatureVerifies(child, parent.publicKey);
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
      // node:tls loaded here, not at start-up: most runs never need it (a few ms of every start).
      for (const pem of process.getBuiltinModule("node:tls").rootCertificates) {
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

  /**
   * The anchors by pinned fingerprint, checked but not yet decoded: a run decodes only the roots
   * its paths reach (decoding the whole allowlist was most of a one-certificate run's time).
   */
  private index(): Map<string, AnchorEntry> {
    if (!this.entries) {
      this.entries = new Map();
      for (const source of this.sources) {
        const pinned = source.fingerprintSha256.toUpperCase();
        let der = derOfPem(source.pem);
        let actual = fingerprintOf(der);
        // A root in BER is pinned as the DER OpenSSL reads (the configuration's check fingerprints
        // X509Certificate's re-encoding), so a mismatch asks OpenSSL before it counts.
        if (actual !== pinned) {
          try {
            der = new X509Certificate(source.pem).raw;
            actual = fingerprintOf(der);
          } catch {
            continue; // not a certificate OpenSSL reads: it anchors nothing
          }
        }
        // A pinned fingerprint that does not match its PEM means the data was tampered with or
        // mis-generated: such an anchor is dropped, never trusted on its name.
        if (actual !== pinned) continue;
        if (this.entries.has(actual)) continue;
        this.entries.set(actual, { source, der, fingerprint: actual, hint: nameHint(source, actual) });
      }
    }
    return this.entries;
  }

  private anchorOf(entry: AnchorEntry): TrustAnchor | undefined {
    if (entry.anchor === undefined) {
      try {
        const facts = this.decode(entry.der, entry.fingerprint);
        const { brand, profile } = entry.source;
        entry.anchor = { brand, facts, ...(profile && { profile }) };
      } catch {
        // A root that cannot be inspected would otherwise fail every file of the run; like a
        // mismatched pin, it simply anchors nothing (trustAnchorFromPem refuses it up front).
        entry.anchor = null;
      }
    }
    return entry.anchor ?? undefined;
  }
}

/**
 * The allowlist's name of the root as it sits in a name key (quoted, then escaped once more inside
 * the key's array), when the profile describes this very certificate (its pinned fingerprint);
 * roots.json records each root's own common name (or OU), which test/certificates checks.
 */
function nameHint(source: TrustAnchorSource, fingerprint: string): string | undefined {
  if (source.profile?.fingerprintSha256.toUpperCase() !== fingerprint) return undefined;
  return JSON.stringify(JSON.stringify(canonicalText(source.profile.name))).slice(1, -1);
}

/**
 * One anchor of the store. `hint`: the allowlist's common name (or OU) of the root, as it appears
 * in a name key (names.ts); a key without it cannot be this root's subject.
 */
interface AnchorEntry {
  source: TrustAnchorSource;
  der: Uint8Array;
  fingerprint: string;
  hint: string | undefined;
  /** Decoded on first use; null when the certificate does not decode. */
  anchor?: TrustAnchor | null;
}

/** Builds an anchor source from a PEM, computing its fingerprint (CLI `--trust`, tests). */
export function trustAnchorFromPem(pem: string, brand: string): TrustAnchorSource {
  const der = derOfPem(pem);
  inspectCertificate(der); // throws now rather than leave a root that silently anchors nothing
  return { brand, pem, fingerprintSha256: fingerprintOf(der) };
}

/**
 * The DER of a root's PEM, the certificate OpenSSL's `X509Certificate(pem)` reads (its first
 * block), as the configuration's check reads it. A PEM of one certificate is only base64-decoded:
 * the pinned fingerprint is checked on these bytes, and the certificate is decoded when a path
 * first reaches it (OpenSSL here decoded every allowlisted root's key at every start). Any other
 * PEM (more blocks, text OpenSSL reads differently) is read by OpenSSL, as before.
 */
function derOfPem(pem: string): Uint8Array {
  const decoded = decodeCertificateFile(Buffer.from(pem, "utf8"));
  if (decoded.errors.length === 0 && decoded.certificates.length === 1) return decoded.certificates[0]!;
  return new X509Certificate(pem).raw;
}
