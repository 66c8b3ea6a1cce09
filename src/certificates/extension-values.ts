import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  GeneralName,
  KeyUsage,
  type Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { parseDer } from "./der.js";
import { assertSmall, DerReader, NotCanonical, booleanOf, oidText, smallInteger, stringOf, TAG } from "./der-reader.js";

/**
 * The values of the extensions every device certificate carries (RFC 5280 §4.2.1), read by the
 * strict DER reader in their usual shapes and by the @peculiar/asn1-x509 schemas otherwise
 * (see der-reader.ts: giving up is never a verdict). Each function returns what the schema's
 * object would have given the checks, and throws when the schema cannot decode the value.
 */
export interface ValueDecoder<T> {
  /** The strict reader; throws NotCanonical for what it does not take. */
  fast: (value: Uint8Array) => T;
  /** The schema, the reference the differential test holds `fast` equal to. */
  reference: (value: Uint8Array) => T;
}

function decode<T>(decoder: ValueDecoder<T>, value: Uint8Array): T {
  try {
    assertSmall(value);
    return decoder.fast(value);
  } catch (error) {
    if (!(error instanceof NotCanonical)) throw error;
    return decoder.reference(value);
  }
}

/** The content of the one element `value` holds, with that tag and nothing after it. */
function only(value: Uint8Array, tag: number): Uint8Array {
  const outer = new DerReader(value);
  const element = outer.next(tag);
  outer.end();
  return element.content;
}

/** A reader over the elements of the one SEQUENCE `value` holds. */
function sequenceIn(value: Uint8Array): DerReader {
  return new DerReader(only(value, TAG.SEQUENCE));
}

/** §4.2.1.9 BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
type Basic = { cA: boolean; pathLenConstraint: number | undefined };

const basicConstraintsOfDecoder: ValueDecoder<Basic> = {
  fast: (value) => {
    const reader = sequenceIn(value);
    const ca = reader.optional(TAG.BOOLEAN);
    const path = reader.optional(TAG.INTEGER);
    reader.end();
    return { cA: ca ? booleanOf(ca.content) : false, pathLenConstraint: path ? smallInteger(path.content) : undefined };
  },
  reference: (value) => {
    const basic = parseDer(value, BasicConstraints);
    return { cA: basic.cA, pathLenConstraint: basic.pathLenConstraint };
  },
};

export function basicConstraintsOf(value: Uint8Array): Basic {
  return decode(basicConstraintsOfDecoder, value);
}

/**
 * §4.2.1.3 KeyUsage ::= BIT STRING, as a number whose bit i is named bit i (KeyUsageFlags), as
 * the schema's BitString.toNumber() gives it. One or two octets of bits.
 */
const keyUsageBitsOfDecoder: ValueDecoder<number> = {
  fast: (value) => {
    const bits = only(value, TAG.BIT_STRING);
    const unused = bits[0] ?? 0;
    if (bits.length < 2 || bits.length > 3 || unused > 7) throw new NotCanonical("key usage size");
    let number = 0;
    const count = 8 * (bits.length - 1) - unused;
    for (let i = 0; i < count; i++) if (bits[1 + (i >> 3)]! & (0x80 >> (i & 7))) number |= 1 << i;
    return number;
  },
  reference: (value) => parseDer(value, KeyUsage).toNumber(),
};

export function keyUsageBitsOf(value: Uint8Array): number {
  return decode(keyUsageBitsOfDecoder, value);
}

/** §4.2.1.12 ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId. */
const extendedKeyUsageOfDecoder: ValueDecoder<string[]> = {
  fast: (value) => {
    const reader = sequenceIn(value);
    const purposes: string[] = [];
    while (!reader.done) purposes.push(oidText(reader.next(TAG.OID).content));
    if (purposes.length === 0) throw new NotCanonical("empty EKU");
    return purposes;
  },
  reference: (value) => [...parseDer(value, ExtendedKeyUsage)],
};

export function extendedKeyUsageOf(value: Uint8Array): string[] {
  return decode(extendedKeyUsageOfDecoder, value);
}

/** §4.2.1.2 SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING): its octets. */
const subjectKeyIdOfDecoder: ValueDecoder<Uint8Array> = {
  fast: (value) => only(value, TAG.OCTET_STRING),
  reference: (value) => new Uint8Array(parseDer(value, SubjectKeyIdentifier).buffer),
};

export function subjectKeyIdOf(value: Uint8Array): Uint8Array {
  return decode(subjectKeyIdOfDecoder, value);
}

/** §4.2.1.1 AuthorityKeyIdentifier, as the checks read it: octets, and the first directoryName. */
export interface AuthorityKeyId {
  keyIdentifier: Uint8Array | undefined;
  serial: Uint8Array | undefined;
  issuer: Name | undefined;
}

/**
 * The usual shape, a keyIdentifier [0] alone, is read here; one that also names the issuer and
 * serial goes to the schema.
 */
const authorityKeyIdOfDecoder: ValueDecoder<AuthorityKeyId> = {
  fast: (value) => {
    const reader = sequenceIn(value);
    const keyIdentifier = reader.next(0x80).content;
    reader.end();
    return { keyIdentifier, serial: undefined, issuer: undefined };
  },
  reference: (value) => {
    const aki = parseDer(value, AuthorityKeyIdentifier);
    return {
      keyIdentifier: aki.keyIdentifier ? new Uint8Array(aki.keyIdentifier.buffer) : undefined,
      serial: aki.authorityCertSerialNumber ? new Uint8Array(aki.authorityCertSerialNumber) : undefined,
      issuer: aki.authorityCertIssuer?.find((name) => name.directoryName !== undefined)?.directoryName,
    };
  },
};

export function authorityKeyIdOf(value: Uint8Array): AuthorityKeyId {
  return decode(authorityKeyIdOfDecoder, value);
}

/** The GeneralName forms read here: the IA5String ones (§4.2.1.6). Others go to the schema. */
const IA5_FORMS: Record<number, "rfc822Name" | "dNSName" | "uniformResourceIdentifier"> = {
  0x81: "rfc822Name",
  0x82: "dNSName",
  0x86: "uniformResourceIdentifier",
};

/** §4.2.1.6 SubjectAltName ::= GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName). */
const altNamesOfDecoder: ValueDecoder<GeneralName[]> = {
  fast: (value) => {
    const reader = sequenceIn(value);
    const names: GeneralName[] = [];
    while (!reader.done) {
      const element = reader.next();
      const form = IA5_FORMS[element.tag];
      if (!form) throw new NotCanonical("general name form");
      names.push(new GeneralName({ [form]: stringOf({ ...element, tag: TAG.IA5_STRING }) }));
    }
    if (names.length === 0) throw new NotCanonical("empty general names");
    return names;
  },
  reference: (value) => [...parseDer(value, SubjectAlternativeName)],
};

export function altNamesOf(value: Uint8Array): GeneralName[] {
  return decode(altNamesOfDecoder, value);
}

/** Every pair, for the differential test (test/certificates/fast-reader.test.ts). */
export const VALUE_DECODERS = {
  basicConstraintsOf: basicConstraintsOfDecoder,
  keyUsageBitsOf: keyUsageBitsOfDecoder,
  extendedKeyUsageOf: extendedKeyUsageOfDecoder,
  subjectKeyIdOf: subjectKeyIdOfDecoder,
  authorityKeyIdOf: authorityKeyIdOfDecoder,
  altNamesOf: altNamesOfDecoder,
} as const;
