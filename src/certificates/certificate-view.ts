import {
  AttributeTypeAndValue,
  AttributeValue,
  Certificate,
  Name,
  RelativeDistinguishedName,
  type AlgorithmIdentifier,
} from "@peculiar/asn1-x509";
import { parseDer } from "./der.js";
import {
  assertMinimalInteger,
  assertSmall,
  booleanOf,
  bufferView,
  DerReader,
  NotCanonical,
  oidText,
  stringOf,
  TAG,
  timeOf,
  type Element,
} from "./der-reader.js";

/**
 * The fields of a certificate the checks read (RFC 5280 §4.1), decoded once. Signatures and keys
 * are OpenSSL's: through the signed parts for the shapes signed-parts.ts takes, through Node's
 * X509Certificate for the rest.
 */
export interface CertificateView {
  /** The outer signatureAlgorithm (§4.1.1.2). */
  signatureAlgorithm: Algorithm;
  /** The content octets of serialNumber. */
  serialNumber: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  /** subjectPublicKeyInfo.algorithm. */
  keyAlgorithm: Algorithm;
  extensions: RawExtension[];
  /**
   * The signed bytes and the key as they stand in the certificate: given by the strict reader
   * only, for the checks that need no OpenSSL object (signed-parts.ts). The schema path leaves
   * them out, and those certificates are checked by OpenSSL as before.
   */
  signed?: SignedParts;
}

export interface SignedParts {
  /** The TBSCertificate element whole: the bytes the signature covers. */
  tbs: Uint8Array;
  /** The signature AlgorithmIdentifier inside the TBSCertificate, and the outer one, whole. */
  innerAlgorithm: Uint8Array;
  outerAlgorithm: Uint8Array;
  /** The content of the signatureValue BIT STRING (its first octet counts the unused bits). */
  signature: Uint8Array;
  /** The SubjectPublicKeyInfo element whole, and its subjectPublicKey BIT STRING's content. */
  spki: Uint8Array;
  publicKey: Uint8Array;
}

export interface Algorithm {
  algorithm: string;
  /** The parameters element whole (tag, length, content), as an ASN.1 ANY keeps it. */
  parameters: Uint8Array | undefined;
}

export interface RawExtension {
  extnID: string;
  critical: boolean;
  /** The content of extnValue: the DER of the extension's own value. */
  value: Uint8Array;
}

/**
 * The view of a certificate: read by the strict DER reader when the bytes are canonical DER in
 * the common shapes, else (non-canonical encodings, name string types other than UTF8String,
 * PrintableString and IA5String, unusual times) by the @peculiar/asn1-x509 schema, as every
 * certificate was before. Throws when the schema cannot decode the bytes either.
 */
export function viewCertificate(der: Uint8Array): CertificateView {
  try {
    return readFast(der);
  } catch (error) {
    if (!(error instanceof NotCanonical)) throw error;
    return viewOfSchema(parseDer(der, Certificate));
  }
}

/** The reference path: the schema's object model, mapped to the view. */
export function viewOfSchema(asn: Certificate): CertificateView {
  const tbs = asn.tbsCertificate;
  return {
    signatureAlgorithm: algorithmOf(asn.signatureAlgorithm),
    serialNumber: new Uint8Array(tbs.serialNumber),
    issuer: tbs.issuer,
    subject: tbs.subject,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    keyAlgorithm: algorithmOf(tbs.subjectPublicKeyInfo.algorithm),
    extensions: (tbs.extensions ?? []).map((e) => ({
      extnID: e.extnID,
      critical: e.critical,
      value: new Uint8Array(e.extnValue.buffer),
    })),
  };
}

function algorithmOf(id: AlgorithmIdentifier): Algorithm {
  return { algorithm: id.algorithm, parameters: id.parameters ? new Uint8Array(id.parameters) : undefined };
}

/** Exported for the differential test; callers use viewCertificate. Throws NotCanonical. */
export function readFast(input: Uint8Array): CertificateView {
  // A plain view of a Buffer: Uint8Array's own subarray, not Buffer's slower one, for every element.
  const der: Uint8Array = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.length) : input;
  assertSmall(der);
  const outer = new DerReader(der);
  const certificate = outer.enter(TAG.SEQUENCE);
  outer.end();
  const tbsElement = certificate.next(TAG.SEQUENCE);
  const outerAlgorithm = certificate.next(TAG.SEQUENCE);
  const signatureAlgorithm = readAlgorithm(outerAlgorithm);
  const signature = bitString(certificate.next(TAG.BIT_STRING));
  certificate.end();

  const tbs = new DerReader(tbsElement.content);
  const version = tbs.optional(0xa0);
  if (version) readVersion(version);
  const serial = tbs.next(TAG.INTEGER).content;
  assertMinimalInteger(serial); // a padded serial goes to the schema and OpenSSL, which refuses it
  const innerAlgorithm = tbs.next(TAG.SEQUENCE); // compared with the outer one before a signature is checked
  readAlgorithm(innerAlgorithm);
  const issuer = readName(tbs.next(TAG.SEQUENCE));
  const validity = tbs.enter(TAG.SEQUENCE);
  const notBefore = timeOf(validity.next());
  const notAfter = timeOf(validity.next());
  validity.end();
  // A subject is decoded afresh: a leaf's is its own, and the cache is for the names leaves share.
  const subject = decodeName(tbs.next(TAG.SEQUENCE));
  const spkiElement = tbs.next(TAG.SEQUENCE);
  const spki = new DerReader(spkiElement.content);
  const keyAlgorithm = readAlgorithm(spki.next(TAG.SEQUENCE));
  const publicKey = bitString(spki.next(TAG.BIT_STRING));
  spki.end();
  for (const uniqueId of [0x81, 0x82]) {
    // issuerUniqueID and subjectUniqueID, [1] and [2] IMPLICIT BIT STRING.
    const element = tbs.optional(uniqueId);
    if (element) bitString(element);
  }
  const extensions = tbs.optional(0xa3);
  tbs.end();
  return {
    signatureAlgorithm,
    serialNumber: serial,
    issuer,
    subject,
    notBefore,
    notAfter,
    keyAlgorithm,
    extensions: extensions ? readExtensionList(extensions) : [],
    signed: {
      tbs: tbsElement.whole,
      innerAlgorithm: innerAlgorithm.whole,
      outerAlgorithm: outerAlgorithm.whole,
      signature,
      spki: spkiElement.whole,
      publicKey,
    },
  };
}

function readVersion(element: Element): void {
  const inner = new DerReader(element.content);
  const value = inner.next(TAG.INTEGER).content;
  inner.end();
  if (value.length !== 1 || value[0]! > 2) throw new NotCanonical("version");
}

/**
 * AlgorithmIdentifier with the parameters device certificates use: none, NULL (RSA; the schema
 * gives it as none) or a named curve's OID (EC). Structured parameters (RSASSA-PSS, an explicit
 * curve) go to the schema, which decodes them as BER.
 */
function readAlgorithm(element: Element): Algorithm {
  const reader = new DerReader(element.content);
  const algorithm = oidText(reader.next(TAG.OID).content);
  const parameters = reader.done ? undefined : reader.next();
  reader.end();
  if (parameters === undefined) return { algorithm, parameters: undefined };
  if (parameters.tag === TAG.NULL && parameters.content.length === 0) return { algorithm, parameters: undefined };
  if (parameters.tag !== TAG.OID) throw new NotCanonical("structured parameters");
  oidText(parameters.content);
  return { algorithm, parameters: parameters.whole };
}

/** X.690 §8.6.2: the first octet counts the unused bits (0 to 7; 0 when there are no bits). */
function bitString(element: Element): Uint8Array {
  const unused = element.content[0];
  if (unused === undefined || unused > 7 || (element.content.length === 1 && unused !== 0)) {
    throw new NotCanonical("bit string");
  }
  return element.content;
}

/**
 * Names already read, by their DER: the leaves of one CA share their issuer's name, so its Name
 * object, and what names.ts derives from it (memoised per object), is made once. Bounded, as the
 * input is not ours; a Name is never modified after it is read.
 */
const NAMES = new Map<string, Name>();
const MAX_NAMES = 1024;
/** Names longer than this are read afresh: a hostile file's 200 KB name is not kept. */
const MAX_CACHED_NAME_BYTES = 1024;

function readName(element: Element): Name {
  const whole = element.whole;
  if (whole.length > MAX_CACHED_NAME_BYTES) return decodeName(element);
  const key = bufferView(whole).toString("latin1");
  let name = NAMES.get(key);
  if (!name) {
    name = decodeName(element);
    if (NAMES.size >= MAX_NAMES) NAMES.clear();
    NAMES.set(key, name);
  }
  return name;
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue), §4.1.2.4. */
function decodeName(element: Element): Name {
  const rdns = new DerReader(element.content);
  const name: RelativeDistinguishedName[] = [];
  while (!rdns.done) {
    const set = rdns.enter(TAG.SET);
    const rdn: AttributeTypeAndValue[] = [];
    while (!set.done) {
      const atv = set.enter(TAG.SEQUENCE);
      const type = oidText(atv.next(TAG.OID).content);
      const value = atv.next();
      atv.end();
      rdn.push(new AttributeTypeAndValue({ type, value: attributeValue(value) }));
    }
    if (rdn.length === 0) throw new NotCanonical("empty RDN");
    name.push(new RelativeDistinguishedName(rdn));
  }
  return new Name(name);
}

function attributeValue(element: Element): AttributeValue {
  const text = stringOf(element);
  if (element.tag === TAG.UTF8_STRING) return new AttributeValue({ utf8String: text });
  if (element.tag === TAG.PRINTABLE_STRING) return new AttributeValue({ printableString: text });
  return new AttributeValue({ ia5String: text });
}

/** extensions [3] EXPLICIT SEQUENCE OF Extension { extnID, critical DEFAULT FALSE, extnValue }. */
function readExtensionList(element: Element): RawExtension[] {
  const wrapper = new DerReader(element.content);
  const list = wrapper.enter(TAG.SEQUENCE);
  wrapper.end();
  const extensions: RawExtension[] = [];
  while (!list.done) {
    const extension = list.enter(TAG.SEQUENCE);
    const extnID = oidText(extension.next(TAG.OID).content);
    const critical = extension.optional(TAG.BOOLEAN);
    const value = extension.next(TAG.OCTET_STRING).content;
    extension.end();
    extensions.push({ extnID, critical: critical ? booleanOf(critical.content) : false, value });
  }
  return extensions;
}
