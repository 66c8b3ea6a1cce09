import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import { viewCertificate, type Algorithm, type CertificateView } from "./certificate-view.js";
import { ID_RSASSA_PSS, pssHashOf } from "./pss-params.js";
import { describeSignatureAlgorithm } from "./algorithms.js";
import { hexOf, readExtensions, type KeyIdentifierFacts } from "./extensions.js";
import { namesOf, type CertificateNames, type ConstraintFacts } from "./name-constraints.js";
import { nameFacts } from "./names.js";

/**
 * The facts the checks need about one certificate, decoded once. Node's X509Certificate (OpenSSL)
 * does signatures and keys; the fields it does not expose (signature algorithm, key usage bits,
 * path length, names as RFC 5280 compares them) come from the certificate's view
 * (certificate-view.ts), read from the same DER. The richer @peculiar/x509 object model costs
 * milliseconds per certificate, which the 1,000-file benchmark cannot afford, so it is used only
 * to make test certificates.
 */
export interface CertificateFacts {
  der: Uint8Array;
  node: X509Certificate;
  publicKey: KeyObject;
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
  return formatFingerprint(createHash("sha256").update(der).digest("hex"));
}

export function formatFingerprint(hex: string): string {
  const upper = hex.toUpperCase();
  let text = upper.slice(0, 2);
  for (let i = 2; i < upper.length; i += 2) text += `:${upper.slice(i, i + 2)}`;
  return text;
}

export function inspectCertificate(der: Uint8Array): CertificateFacts {
  let node: X509Certificate;
  let view: CertificateView;
  try {
    node = new X509Certificate(der);
    view = viewCertificate(der);
  } catch {
    throw new CertificateDecodeError("not a valid X.509 certificate");
  }
  // Extensions and algorithm parameters are parsed lazily by the ASN.1 layer, so a certificate
  // that OpenSSL accepts can still hold a body that does not decode; that is this file's fault,
  // not a reason to abort a run over many files.
  try {
    return factsOf(der, node, view);
  } catch {
    throw new CertificateDecodeError("an extension or algorithm parameter does not decode");
  }
}

function factsOf(der: Uint8Array, node: X509Certificate, view: CertificateView): CertificateFacts {
  const extensions = readExtensions(view.extensions);
  const publicKey = node.publicKey;
  const subjectName = nameFacts(view.subject);
  const issuerName = nameFacts(view.issuer);
  const subject = subjectName.display;
  const issuer = issuerName.display;
  const subjectKey = subjectName.key;
  const issuerKey = issuerName.key;

  return {
    der,
    node,
    publicKey,
    fingerprintSha256: fingerprintOf(der),
    subject,
    issuer,
    subjectKey,
    issuerKey,
    selfIssued: subjectKey === issuerKey,
    notBefore: view.notBefore,
    notAfter: view.notAfter,
    selfSigned: subjectKey === issuerKey && safeVerify(node, publicKey),
    signatureAlgorithm: signatureAlgorithmOf(view.signatureAlgorithm),
    basicConstraints: extensions.basicConstraints,
    keyUsage: extensions.keyUsage,
    extendedKeyUsage: extensions.extendedKeyUsage,
    key: keyFacts(publicKey, view.keyAlgorithm),
    duplicateExtensions: extensions.duplicates,
    unknownCriticalExtensions: extensions.unknownCritical,
    names: namesOf(view.subject, extensions.altNames, subjectName.rdnKeys),
    nameConstraints: extensions.nameConstraints,
    profile: extensions.profile,
    serialNumber: hexOf(view.serialNumber),
    keyIdentifiers: extensions.keyIdentifiers,
  };
}

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_TAG = 0x06;

/**
 * Node's names for the curves a device key may use, by the DER of their namedCurve OID (RFC 5480
 * §2.1.1.1). Reading the curve from the certificate skips `asymmetricKeyDetails`, which asks
 * OpenSSL for the key's parameters: a third of a leaf's decoding time. Other curves ask OpenSSL.
 */
const NAMED_CURVES = new Map([
  ["06082a8648ce3d030107", "prime256v1"],
  ["06052b81040022", "secp384r1"],
  ["06052b81040023", "secp521r1"],
]);

function keyFacts(publicKey: KeyObject, algorithm: Algorithm): CertificateFacts["key"] {
  const type = publicKey.asymmetricKeyType ?? "unknown";
  const explicitCurve = hasExplicitCurve(algorithm);
  const named = type === "ec" && algorithm.parameters ? NAMED_CURVES.get(hexOf(algorithm.parameters)) : undefined;
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

/** True when `child` carries a valid signature made with `issuerKey`. Never throws. */
export function safeVerify(child: X509Certificate, issuerKey: KeyObject): boolean {
  try {
    return child.verify(issuerKey);
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
