import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
} from "@peculiar/asn1-x509";
import { RsaSaPssParams, id_RSASSA_PSS } from "@peculiar/asn1-rsa";
import { describeSignatureAlgorithm } from "./algorithms.js";
import { renderName } from "./names.js";

/**
 * The facts the checks need about one certificate, decoded once. Node's X509Certificate (OpenSSL)
 * does signatures, keys and names fast; the few fields it does not expose (signature algorithm,
 * key usage bits, path length) come from @peculiar/asn1-x509, parsed from the same DER. The
 * richer @peculiar/x509 object model costs milliseconds per certificate, which the 1,000-file
 * benchmark cannot afford, so it is used only to make test certificates.
 */
export interface CertificateFacts {
  der: Uint8Array;
  node: X509Certificate;
  publicKey: KeyObject;
  fingerprintSha256: string;
  subject: string;
  issuer: string;
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
  key: { type: string; bits: number | undefined; curve: string | undefined };
}

export class CertificateDecodeError extends Error {}

export function fingerprintOf(der: Uint8Array): string {
  return formatFingerprint(createHash("sha256").update(der).digest("hex"));
}

export function formatFingerprint(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(":");
}

export function inspectCertificate(der: Uint8Array): CertificateFacts {
  let node: X509Certificate;
  let asn: Certificate;
  try {
    node = new X509Certificate(der);
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    throw new CertificateDecodeError("not a valid X.509 certificate");
  }
  // Extensions and algorithm parameters are parsed lazily by the ASN.1 layer, so a certificate
  // that OpenSSL accepts can still hold a body that does not decode; that is this file's fault,
  // not a reason to abort a run over many files.
  try {
    return factsOf(der, node, asn);
  } catch {
    throw new CertificateDecodeError("an extension or algorithm parameter does not decode");
  }
}

function factsOf(der: Uint8Array, node: X509Certificate, asn: Certificate): CertificateFacts {
  const tbs = asn.tbsCertificate;
  const extensions = new Map((tbs.extensions ?? []).map((e) => [e.extnID, e.extnValue.buffer]));

  const bc = extensions.get(id_ce_basicConstraints);
  const basic = bc ? AsnConvert.parse(bc, BasicConstraints) : undefined;
  const ku = extensions.get(id_ce_keyUsage);
  const kuBits = ku ? AsnConvert.parse(ku, KeyUsage).toNumber() : undefined;
  const eku = extensions.get(id_ce_extKeyUsage);

  const publicKey = node.publicKey;
  const details = publicKey.asymmetricKeyDetails ?? {};
  const subject = renderName(tbs.subject);
  const issuer = renderName(tbs.issuer);

  return {
    der,
    node,
    publicKey,
    fingerprintSha256: fingerprintOf(der),
    subject,
    issuer,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    selfSigned: subject === issuer && safeVerify(node, publicKey),
    signatureAlgorithm: signatureAlgorithmOf(asn),
    basicConstraints: { present: basic !== undefined, ca: basic?.cA ?? false, pathLength: basic?.pathLenConstraint },
    keyUsage:
      kuBits === undefined
        ? undefined
        : {
            digitalSignature: (kuBits & KeyUsageFlags.digitalSignature) !== 0,
            keyCertSign: (kuBits & KeyUsageFlags.keyCertSign) !== 0,
          },
    extendedKeyUsage: eku ? [...AsnConvert.parse(eku, ExtendedKeyUsage)] : undefined,
    key: { type: publicKey.asymmetricKeyType ?? "unknown", bits: details.modulusLength, curve: details.namedCurve },
  };
}

/** True when `child` carries a valid signature made with `issuerKey`. Never throws. */
export function safeVerify(child: X509Certificate, issuerKey: KeyObject): boolean {
  try {
    return child.verify(issuerKey);
  } catch {
    return false;
  }
}

function signatureAlgorithmOf(asn: Certificate): { name: string; weak: boolean } {
  const oid = asn.signatureAlgorithm.algorithm;
  if (oid === id_RSASSA_PSS) {
    // RSASSA-PSS defaults its hash to SHA-1 when the parameters leave it out.
    const params = asn.signatureAlgorithm.parameters;
    const pss = params ? AsnConvert.parse(params, RsaSaPssParams) : new RsaSaPssParams();
    const hash = describeSignatureAlgorithm(pss.hashAlgorithm.algorithm);
    return { name: `RSASSA-PSS with ${hash.name}`, weak: hash.weak };
  }
  return describeSignatureAlgorithm(oid);
}
