import { createECDH, verify, type ECDH, type KeyObject } from "node:crypto";
import type { CertificateView, SignedParts } from "./certificate-view.js";
import { bufferView } from "./der-reader.js";

/**
 * Where a certificate's signature is checked and its EC key read without an OpenSSL certificate
 * object (issue 22). `new X509Certificate` costs ~115 µs a certificate on OpenSSL 3.0, nearly all
 * of it decoding the public key through the provider decoders, and a run judges every leaf once.
 * For the shapes device certificates take, the strict reader's bytes go to OpenSSL directly:
 *
 * - the signature: the same EVP verification `X509_verify` ends in, over the TBSCertificate's own
 *   bytes, after the two checks `X509_verify` makes first (the inner and outer
 *   AlgorithmIdentifier equal, RFC 5280 §4.1.1.2; no unused bits in the signature);
 * - the key: a named curve's uncompressed point, checked on the curve by `EC_POINT_oct2point`
 *   (RFC 5480 §2.2), as OpenSSL's key decoder checks it.
 *
 * Anything else returns `undefined`, and the caller asks OpenSSL's X509Certificate as before.
 * `test/certificates/signed-parts.test.ts` holds both equal to OpenSSL's answers on the corpus
 * and on every one-byte change of a leaf.
 */

/** The signature algorithms checked here (RFC 5758 §3.2, RFC 4055 §5), and the key each needs. */
const SIGNATURES = new Map<string, { hash: string; keyType: "ec" | "rsa" }>([
  // ecdsa-with-SHA256/384/512: the AlgorithmIdentifier has no parameters (RFC 5758 §3.2).
  ["300a06082a8648ce3d040302", { hash: "sha256", keyType: "ec" }],
  ["300a06082a8648ce3d040303", { hash: "sha384", keyType: "ec" }],
  ["300a06082a8648ce3d040304", { hash: "sha512", keyType: "ec" }],
  // sha256/384/512WithRSAEncryption with NULL parameters (RFC 4055 §5).
  ["300d06092a864886f70d01010b0500", { hash: "sha256", keyType: "rsa" }],
  ["300d06092a864886f70d01010c0500", { hash: "sha384", keyType: "rsa" }],
  ["300d06092a864886f70d01010d0500", { hash: "sha512", keyType: "rsa" }],
]);

/**
 * True or false when the signature is of a shape checked here, `undefined` when OpenSSL's
 * certificate object must decide. Never throws.
 */
export function verifySignedParts(signed: SignedParts, issuerKey: KeyObject): boolean | undefined {
  const outer = bufferView(signed.outerAlgorithm);
  const algorithm = SIGNATURES.get(outer.toString("hex"));
  if (!algorithm || issuerKey.asymmetricKeyType !== algorithm.keyType) return undefined;
  // X509_verify: a certificate whose two AlgorithmIdentifiers differ does not verify.
  if (!outer.equals(signed.innerAlgorithm)) return false;
  // ASN1_item_verify: a signature with unused bits does not verify.
  if (signed.signature[0] !== 0) return false;
  try {
    return verify(algorithm.hash, signed.tbs, { key: issuerKey, dsaEncoding: "der" }, signed.signature.subarray(1));
  } catch {
    return false;
  }
}

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
/**
 * Node's names for the curves a device key may use, by the DER of their namedCurve OID (RFC 5480
 * §2.1.1.1), and the size of a coordinate.
 */
const CURVES = new Map([
  ["06082a8648ce3d030107", { name: "prime256v1", bytes: 32 }],
  ["06052b81040022", { name: "secp384r1", bytes: 48 }],
  ["06052b81040023", { name: "secp521r1", bytes: 66 }],
]);

/**
 * The curve of an EC key on one of the named curves, when its point is uncompressed and on the
 * curve; `undefined` for every other key (RSA, Ed25519, compressed points, other curves), which
 * OpenSSL's certificate object decodes. Never throws.
 */
export function namedCurvePoint(view: Pick<CertificateView, "keyAlgorithm" | "signed">): string | undefined {
  const { algorithm, parameters } = view.keyAlgorithm;
  const point = view.signed?.publicKey;
  if (algorithm !== EC_PUBLIC_KEY || !point) return undefined;
  const curve = namedCurveOf(parameters);
  // The BIT STRING's content: no unused bits, then 0x04 and the two coordinates (SEC 1 §2.3.3).
  if (!curve || point.length !== 2 + 2 * curve.bytes || point[0] !== 0 || point[1] !== 0x04) return undefined;
  try {
    pointChecker(curve.name).setPublicKey(point.subarray(1));
    return curve.name;
  } catch {
    return undefined;
  }
}

/**
 * One ECDH object per curve, whose `setPublicKey` is the cheapest way Node has to run OpenSSL's
 * `EC_POINT_oct2point` on a point (~1 µs, against ~15 µs for `ECDH.convertKey`, which builds the
 * curve's group on every call). It throws for a point off the curve. The method is deprecated in
 * the documentation only (no runtime warning, never removed); were it gone, the catch above sends
 * every key to OpenSSL's certificate object, as before this path existed.
 */
type PointChecker = ECDH & { setPublicKey(point: Uint8Array): void }; // @types/node leaves it out
const CHECKERS = new Map<string, PointChecker>();
function pointChecker(curve: string): PointChecker {
  let checker = CHECKERS.get(curve);
  if (!checker) CHECKERS.set(curve, (checker = createECDH(curve) as PointChecker));
  return checker;
}

/** The named curve whose OID `parameters` (an AlgorithmIdentifier's parameters, whole) is, if one of the three. */
export function namedCurveOf(parameters: Uint8Array | undefined): { name: string; bytes: number } | undefined {
  return parameters && CURVES.get(bufferView(parameters).toString("hex"));
}
