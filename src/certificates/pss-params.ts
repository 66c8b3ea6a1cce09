import { AsnProp, AsnPropTypes } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { parseDer } from "./der.js";

/** RFC 4055 §3: id-RSASSA-PSS. */
export const ID_RSASSA_PSS = "1.2.840.113549.1.1.10";
/** RFC 4055 §3.1: the hash when the parameters leave it out (sha1Identifier). */
const SHA1 = "1.3.14.3.2.26";

/**
 * RSASSA-PSS-params (RFC 4055 §3.1), declared with the @peculiar/asn1-schema decorators on the
 * asn1-x509 AlgorithmIdentifier, field for field as @peculiar/asn1-rsa declares RsaSaPssParams.
 * Importing that package ran its algorithm tables at every start of the CLI (6 ms of a 143 ms
 * one-certificate run, issue 22) to read one field of a signature algorithm few certificates use.
 * A field left out takes its DEFAULT (RFC 4055), as there.
 */
class RsaSaPssParams {
  hashAlgorithm?: AlgorithmIdentifier;
  maskGenAlgorithm?: AlgorithmIdentifier;
  saltLength?: number;
  trailerField?: number;
}
AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true })(RsaSaPssParams.prototype, "hashAlgorithm");
AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })(RsaSaPssParams.prototype, "maskGenAlgorithm");
AsnProp({ type: AsnPropTypes.Integer, context: 2, optional: true })(RsaSaPssParams.prototype, "saltLength");
AsnProp({ type: AsnPropTypes.Integer, context: 3, optional: true })(RsaSaPssParams.prototype, "trailerField");

/** The hash algorithm OID of RSASSA-PSS parameters (absent parameters: SHA-1). Throws on bytes that do not decode. */
export function pssHashOf(parameters: Uint8Array | undefined): string {
  if (!parameters) return SHA1;
  return parseDer(parameters, RsaSaPssParams).hashAlgorithm?.algorithm ?? SHA1;
}
