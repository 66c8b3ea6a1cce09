import { parseDer } from "./der.js";
import {
  NameConstraints,
  KeyUsageFlags,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  type GeneralName,
} from "@peculiar/asn1-x509";
import type { RawExtension } from "./certificate-view.js";
import { bufferView } from "./der-reader.js";
import {
  altNamesOf,
  authorityKeyIdOf,
  type AuthorityKeyId,
  basicConstraintsOf,
  extendedKeyUsageOf,
  keyUsageBitsOf,
  subjectKeyIdOf,
} from "./extension-values.js";
import { readNameConstraints, type ConstraintFacts } from "./name-constraints.js";
import { nameKey, renderName } from "./names.js";

/**
 * What a certificate says about its issuer's certificate in its authorityKeyIdentifier (RFC 5280
 * §4.2.1.1), and its own subjectKeyIdentifier (§4.2.1.2); identifiers and serials as lowercase
 * hex. TLS stacks use them to pick the issuer: OpenSSL takes a CA as the issuer only when each
 * part present matches it (X509_check_akid).
 */
export interface KeyIdentifierFacts {
  subjectKeyId: string | undefined;
  authority:
    | {
        keyId: string | undefined;
        /** authorityCertSerialNumber: the serial number of the issuer's certificate. */
        serial: string | undefined;
        /** The first directoryName of authorityCertIssuer: the name of the issuer's issuer. */
        issuer: { key: string; display: string } | undefined;
      }
    | undefined;
}

/**
 * The extensions of one certificate as the checks need them, read once. RFC 5280 §4.2 allows at
 * most one instance of each extension and obliges a verifier to refuse a certificate with a
 * critical extension it does not process: both are recorded here and refused by the checks (the
 * first copy of a duplicate is what the other facts describe, which no longer matters).
 */
export interface ExtensionFacts {
  /** OIDs present more than once. */
  duplicates: string[];
  /** Critical extensions the judge does not process. */
  unknownCritical: string[];
  basicConstraints: { present: boolean; ca: boolean; pathLength: number | undefined };
  keyUsage: { digitalSignature: boolean; keyCertSign: boolean } | undefined;
  extendedKeyUsage: string[] | undefined;
  altNames: GeneralName[];
  nameConstraints: ConstraintFacts | undefined;
  /** What RFC 5280's certificate profile requires to be present (see rfc-checks.ts checkProfile). */
  profile: { authorityKeyId: boolean; subjectKeyId: boolean; altNamesCritical: boolean };
  keyIdentifiers: KeyIdentifierFacts;
}

/**
 * What "processed" means for each critical extension the judge accepts:
 * - basicConstraints, keyUsage, extKeyUsage, nameConstraints: enforced by the checks;
 * - subjectAltName: read for name constraints (critical when the subject is empty, §4.2.1.6);
 * - certificatePolicies: the judge validates with the §6.1.1 inputs user-initial-policy-set =
 *   anyPolicy, initial-explicit-policy, -policy-mapping-inhibit and -any-policy-inhibit all
 *   false, under which policies alone never change the outcome. What could change it
 *   (policyConstraints, policyMappings, inhibitAnyPolicy) is not processed, so those are refused
 *   when critical (OpenSSL processes them: a documented difference).
 * Everything else critical, the key identifiers and CRL distribution points included (the judge
 * checks no revocation), is refused, as OpenSSL refuses what it does not process.
 */
const PROCESSED_CRITICAL = new Set([
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_extKeyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  id_ce_certificatePolicies,
]);

export function readExtensions(extensions: RawExtension[]): ExtensionFacts {
  const first = new Map<string, RawExtension>();
  const duplicates = new Set<string>();
  const unknownCritical: string[] = [];
  for (const extension of extensions) {
    if (first.has(extension.extnID)) duplicates.add(extension.extnID);
    else first.set(extension.extnID, extension);
    if (extension.critical && !PROCESSED_CRITICAL.has(extension.extnID)) unknownCritical.push(extension.extnID);
  }
  const value = (oid: string) => first.get(oid)?.value;

  const bc = value(id_ce_basicConstraints);
  const basic = bc ? basicConstraintsOf(bc) : undefined;
  const ku = value(id_ce_keyUsage);
  const kuBits = ku ? keyUsageBitsOf(ku) : undefined;
  const eku = value(id_ce_extKeyUsage);
  const san = value(id_ce_subjectAltName);
  const nc = first.get(id_ce_nameConstraints);
  const ski = value(id_ce_subjectKeyIdentifier);
  const aki = value(id_ce_authorityKeyIdentifier);

  return {
    duplicates: [...duplicates],
    unknownCritical: [...new Set(unknownCritical)],
    basicConstraints: { present: basic !== undefined, ca: basic?.cA ?? false, pathLength: basic?.pathLenConstraint },
    keyUsage:
      kuBits === undefined
        ? undefined
        : {
            digitalSignature: (kuBits & KeyUsageFlags.digitalSignature) !== 0,
            keyCertSign: (kuBits & KeyUsageFlags.keyCertSign) !== 0,
          },
    extendedKeyUsage: eku ? extendedKeyUsageOf(eku) : undefined,
    altNames: san ? altNamesOf(san) : [],
    nameConstraints: nc ? readNameConstraints(parseDer(nc.value, NameConstraints), nc.critical) : undefined,
    profile: {
      authorityKeyId: first.has(id_ce_authorityKeyIdentifier),
      subjectKeyId: first.has(id_ce_subjectKeyIdentifier),
      altNamesCritical: first.get(id_ce_subjectAltName)?.critical ?? false,
    },
    keyIdentifiers: {
      subjectKeyId: ski ? hexOf(subjectKeyIdOf(ski)) : undefined,
      authority: aki ? authorityOf(authorityKeyIdOf(aki)) : undefined,
    },
  };
}

function authorityOf(aki: AuthorityKeyId): KeyIdentifierFacts["authority"] {
  return {
    keyId: aki.keyIdentifier ? hexOf(aki.keyIdentifier) : undefined,
    serial: aki.serial ? hexOf(aki.serial) : undefined,
    issuer: aki.issuer ? { key: nameKey(aki.issuer), display: renderName(aki.issuer) } : undefined,
  };
}

export function hexOf(bytes: ArrayBuffer | Uint8Array): string {
  return (bytes instanceof Uint8Array ? bufferView(bytes) : Buffer.from(bytes)).toString("hex");
}

/** Names for the OIDs a message may quote. */
const EXTENSION_NAMES: Record<string, string> = {
  [id_ce_basicConstraints]: "basicConstraints",
  [id_ce_keyUsage]: "keyUsage",
  [id_ce_extKeyUsage]: "extKeyUsage",
  [id_ce_nameConstraints]: "nameConstraints",
  [id_ce_subjectAltName]: "subjectAltName",
  [id_ce_certificatePolicies]: "certificatePolicies",
  [id_ce_authorityKeyIdentifier]: "authorityKeyIdentifier",
  [id_ce_subjectKeyIdentifier]: "subjectKeyIdentifier",
  "2.5.29.31": "cRLDistributionPoints",
  "2.5.29.33": "policyMappings",
  "2.5.29.36": "policyConstraints",
  "2.5.29.54": "inhibitAnyPolicy",
  "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
};

export function extensionName(oid: string): string {
  return EXTENSION_NAMES[oid] ? `${EXTENSION_NAMES[oid]} (${oid})` : oid;
}
