import { AsnConvert, type IAsnParseOptions } from "@peculiar/asn1-schema";

/**
 * asn1js, under @peculiar/asn1-schema, by default also tries to decode the body of every OCTET
 * STRING and BIT STRING as nested ASN.1 (the signature, the public key, each extension value),
 * keeps the result if it happens to decode, and otherwise throws it away. The schemas read those
 * bodies as bytes, and each extension value is decoded by its own schema when it is read, so
 * that guess is wasted work: two thirds of a certificate's parse time. The limits asn1js applies
 * to untrusted input (depth, nodes, content length) stay at their defaults.
 */
const OPTIONS: IAsnParseOptions = { berOptions: { parseEmbedded: false } };

/** Decodes DER into the given @peculiar/asn1-* schema; throws on bytes that do not match it. */
export function parseDer<T>(der: Uint8Array | ArrayBuffer, type: new () => T): T {
  return AsnConvert.parse(der, type, OPTIONS);
}
