import { createPublicKey, hash, X509Certificate, type KeyObject } from "node:crypto";
import { viewCertificate, type Algorithm, type CertificateView, type SignedParts } from "./certificate-view.js";
import { namedCurveOf, namedCurvePoint, verifySignedParts } from "./signed-parts.js";
import { bufferView } from "./der-reader.js";
import { ID_RSASSA_PSS, pssHashOf } from "./pss-params.js";
import { describeSignatureAlgorithm } from "./algorithms.js";
import { hexOf, readExtensions, type KeyIdentifierFacts } from "./extensions.js";
import { namesOf, type CertificateNames, type ConstraintFacts } from "./name-constraints.js";
import { nameFacts } from "./names.js";

/**
 * The facts the checks need about one certificate, decoded once. OpenSSL does signatures and
 * keys: directly on the signed parts for the shapes signed-parts.ts takes (a named-curve EC key;
 * ECDSA and RSA PKCS#1 signatures with SHA-2), through Node's X509Certificate for the rest. The other fields (signature algorithm, key usage
 * bits, path length, names as RFC 5280 compares them) come from the certificate's view
 * (certificate-view.ts), read from the same DER. The richer @peculiar/x509 object model costs
 * milliseconds per certificate, which the 1,000-file benchmark cannot afford, so it is used only
 * to make test certificates.
 */
export interface CertificateFacts {
  der: Uint8Array;
  /** OpenSSL's objects, made when first read for a certificate signed-parts.ts reads without them. */
  node: X509Certificate;
  publicKey: KeyObject;
  /** The signed bytes, when the strict reader read the certificate. */
  signed: SignedParts | undefined;
  fingerprintSha256: string;
  subject: string;
  issuer: string;
  /** The subject and issuer as RFC 5280 §7.1 compares them (path links need them equal). */
  subjectKey: string;
  issuerKey: string;
  /** Subject and issuer match (§6.1: such a CA certificate does not count against path lengths). */
  selfIssued: boolean;
  notBefore: Date;
  notAfter: Date;
  /** Subject equals issuer and the certificate verifies under its own key. */
  selfSigned: boolean;
  signatureAlgorithm: { name: string; weak: boolean };
  basicConstraints: { present: boolean; ca: boolean; pathLength: number | undefined };
  /** Undefined when the extension is absent (which permits every use). */
  keyUsage: { digitalSignature: boolean; keyCertSign: boolean } | undefined;
  /** Undefined when the extension is absent. */
  extendedKeyUsage: string[] | undefined;
  /** `explicitCurve`: an EC key whose parameters spell the curve out (RFC 5480 §2.1.1: MUST NOT). */
  key: { type: string; bits: number | undefined; curve: string | undefined; explicitCurve: boolean };
  /** RFC 5280 §4.2: extensions present more than once, and critical ones the judge does not process. */
  duplicateExtensions: string[];
  unknownCriticalExtensions: string[];
  profile: { authorityKeyId: boolean; subjectKeyId: boolean; altNamesCritical: boolean };
  /** The serial number, as lowercase hex of its DER content octets. */
  serialNumber: string;
  /** Its subjectKeyIdentifier, and what its authorityKeyIdentifier says about its issuer. */
  keyIdentifiers: KeyIdentifierFacts;
  /** The names name constraints bind (subject and subjectAltName). */
  names: CertificateNames;
  nameConstraints: ConstraintFacts | undefined;
}

export class CertificateDecodeError extends Error {}

export function fingerprintOf(der: Uint8Array): string {
  return formatFingerprint(hash("sha256", der, "hex"));
}

/** "AB:CD:…", X509Certificate.fingerprint256's form, from lowercase hex. */
export function formatFingerprint(hex: string): string {
  const pairs: string[] = [];
  for (let i = 0; i < hex.length; i += 2) pairs.push(hex.slice(i, i + 2));
  return pairs.join(":").toUpperCase();
}

export function inspectCertificate(der: Uint8Array): CertificateFacts {
  let view: CertificateView;
  let curve: string | undefined;
  let node: X509Certificate | undefined;
  let key: KeyObject | undefined;
  try {
    view = viewCertificate(der);
    // A certificate the strict reader read whole, with a named-curve key on its curve, needs no
    // OpenSSL certificate object to be judged (signed-parts.ts); one is made only if a caller
    // asks for it. Every other certificate is decoded by OpenSSL now, which throws on what it refuses.
    curve = namedCurvePoint(view);
    if (!curve) {
      node = new X509Certificate(der);
      key = node.publicKey;
    }
  } catch {
    throw new CertificateDecodeError("not a valid X.509 certificate");
  }
  // Extensions and algorithm parameters are parsed lazily by the ASN.1 layer, so a certificate
  // that OpenSSL accepts can still hold a body that does not decode; that is this file's fault,
  // not a reason to abort a run over many files.
  try {
    return new InspectedCertificate(der, view, curve, node, key);
  } catch {
    throw new CertificateDecodeError("an extension or algorithm parameter does not decode");
  }
}

/**
 * The facts of one certificate. A class, not an object literal, for its two getters: they live
 * on the prototype, where a literal's getters were two closures more per certificate.
 */
class InspectedCertificate implements CertificateFacts {
  readonly signed: SignedParts | undefined;
  readonly fingerprintSha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectKey: string;
  readonly issuerKey: string;
  readonly selfIssued: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly selfSigned: boolean;
  readonly signatureAlgorithm: CertificateFacts["signatureAlgorithm"];
  readonly basicConstraints: CertificateFacts["basicConstraints"];
  readonly keyUsage: CertificateFacts["keyUsage"];
  readonly extendedKeyUsage: string[] | undefined;
  readonly key: CertificateFacts["key"];
  readonly duplicateExtensions: string[];
  readonly unknownCriticalExtensions: string[];
  readonly profile: CertificateFacts["profile"];
  readonly serialNumber: string;
  readonly keyIdentifiers: KeyIdentifierFacts;
  readonly names: CertificateNames;
  readonly nameConstraints: ConstraintFacts | undefined;

  constructor(
    readonly der: Uint8Array,
    view: CertificateView,
    curve: string | undefined,
    private nodeObject: X509Certificate | undefined,
    private keyObject: KeyObject | undefined,
  ) {
    const extensions = readExtensions(view.extensions);
    const subjectName = nameFacts(view.subject);
    const issuerName = nameFacts(view.issuer);
    this.signed = view.signed;
    this.fingerprintSha256 = fingerprintOf(der);
    this.subject = subjectName.display;
    this.issuer = issuerName.display;
    this.subjectKey = subjectName.key;
    this.issuerKey = issuerName.key;
    this.selfIssued = this.subjectKey === this.issuerKey;
    this.notBefore = view.notBefore;
    this.notAfter = view.notAfter;
    this.signatureAlgorithm = signatureAlgorithmOf(view.signatureAlgorithm);
    this.basicConstraints = extensions.basicConstraints;
    this.keyUsage = extensions.keyUsage;
    this.extendedKeyUsage = extensions.extendedKeyUsage;
    this.key = curve
      ? { type: "ec", bits: undefined, curve, explicitCurve: false }
      : keyFacts(this.publicKey, view.keyAlgorithm);
    this.duplicateExtensions = extensions.duplicates;
    this.unknownCriticalExtensions = extensions.unknownCritical;
    this.names = namesOf(view.subject, extensions.altNames, subjectName.rdnKeys);
    this.nameConstraints = extensions.nameConstraints;
    this.profile = extensions.profile;
    this.serialNumber = hexOf(view.serialNumber);
    this.keyIdentifiers = extensions.keyIdentifiers;
    this.selfSigned = this.selfIssued && signatureVerifies(this, this.publicKey);
  }

  /** OpenSSL's certificate object: made when first read for a certificate signed-parts.ts reads without it. */
  get node(): X509Certificate {
    return (this.nodeObject ??= new X509Certificate(this.der));
  }

  get publicKey(): KeyObject {
    return (this.keyObject ??= createPublicKey({ key: bufferView(this.signed!.spki), format: "der", type: "spki" }));
  }
}

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_TAG = 0x06;

function keyFacts(publicKey: KeyObject, algorithm: Algorithm): CertificateFacts["key"] {
  const type = publicKey.asymmetricKeyType ?? "unknown";
  const explicitCurve = hasExplicitCurve(algorithm);
  // The curve read from the certificate skips `asymmetricKeyDetails`, which asks OpenSSL for the
  // key's parameters: a third of a leaf's decoding time. Other curves ask OpenSSL.
  const named = type === "ec" ? namedCurveOf(algorithm.parameters)?.name : undefined;
  if (named) return { type, bits: undefined, curve: named, explicitCurve };
  const details = publicKey.asymmetricKeyDetails ?? {};
  return { type, bits: details.modulusLength, curve: details.namedCurve, explicitCurve };
}

/**
 * RFC 5480 §2.1.1: ECParameters is a CHOICE of namedCurve (an OBJECT IDENTIFIER), implicitCurve
 * (NULL) and specifiedCurve (a SEQUENCE), and only namedCurve is allowed. The parameters are an
 * ANY the ASN.1 layer leaves as DER, so the CHOICE is told by the tag of that one element.
 */
function hasExplicitCurve(algorithm: Algorithm): boolean {
  if (algorithm.algorithm !== EC_PUBLIC_KEY) return false;
  return !algorithm.parameters || algorithm.parameters[0] !== OID_TAG;
}

/**
 * True when `child` carries a valid signature made with `issuerKey`. Never throws. The shapes
 * signed-parts.ts checks are checked there; OpenSSL's certificate object checks the rest.
 */
export function signatureVerifies(child: Pick<CertificateFacts, "signed" | "node">, issuerKey: KeyObject): boolean {
  const fast = child.signed ? verifySignedParts(child.signed, issuerKey) : undefined;
  if (fast !== undefined) return fast;
  try {
    return child.node.verify(issuerKey);
  } catch {
    return false;
  }
}

function signatureAlgorithmOf(algorithm: Algorithm): { name: string; weak: boolean } {
  const oid = algorithm.algorithm;
  if (oid === ID_RSASSA_PSS) {
    // RSASSA-PSS defaults its hash to SHA-1 when the parameters leave it out.
    const hash = describeSignatureAlgorithm(pssHashOf(algorithm.parameters));
    return { name: `RSASSA-PSS with ${hash.name}`, weak: hash.weak };
  }
  return describeSignatureAlgorithm(oid);
}
