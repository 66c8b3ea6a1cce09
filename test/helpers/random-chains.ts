import * as x509 from "@peculiar/x509";
import {
  AT,
  DAY,
  cachedKeys,
  generateKeys,
  makeIntermediate,
  makeLeaf,
  makeRoot,
  pemFile,
  rawExtension,
  type CertOptions,
  type Eku,
  type Issued,
  type KeyAlg,
  type SignatureHash,
} from "./pki.js";

/**
 * Random client chains for the differential and handshake tests: a seeded generator (the same
 * seed makes the same specs) over what the judge and a TLS stack decide on — key types and
 * sizes, hashes, validity windows, basicConstraints, keyUsage, EKU on the leaf and the CAs, name
 * chaining, authority key identifiers, duplicate and critical extensions, and the order of the file.
 */
export interface ChainSpec {
  id: number;
  rootKey: KeyAlg;
  intermediates: Array<{
    key: KeyAlg;
    hash: SignatureHash;
    eku: Eku[] | null;
    bc: "ca" | "not-ca" | "pathlen-0";
    ku: "ca" | "no-cert-sign";
    expired: boolean;
    critical: boolean;
    /** Its authority key identifier names another key than its issuer's subject key identifier. */
    akiMismatch: boolean;
  }>;
  leaf: {
    key: KeyAlg;
    hash: SignatureHash;
    eku: Eku[] | null;
    bc: "leaf" | "ca" | "none";
    ku: "default" | "no-digital-signature" | "key-agreement" | "none";
    validity: "ok" | "expired" | "not-yet-valid";
    issuerName: "exact" | "case-and-spaces" | "other";
    duplicateEku: boolean;
    critical: boolean;
    akiMismatch: boolean;
  };
  shuffle: boolean;
}

/** mulberry32: small, seeded, good enough to pick test cases. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mostly ordinary chains, with each kind of defect in a minority of them. */
export function randomSpec(id: number, next: () => number): ChainSpec {
  const pick = <T>(common: T, ...rare: T[]): T =>
    next() < 0.9 || rare.length === 0 ? common : rare[Math.floor(next() * rare.length)]!;
  const count = pick(1, 0, 2);
  return {
    id,
    rootKey: pick<KeyAlg>("p-256", "p-384", "rsa-2048", "rsa-1024"),
    intermediates: Array.from({ length: count }, () => ({
      key: pick<KeyAlg>("p-256", "p-384", "rsa-2048", "ed25519"),
      hash: pick<SignatureHash>("SHA-256", "SHA-384", "SHA-1"),
      eku: pick<Eku[] | null>(null, ["clientAuth"], ["serverAuth"], ["serverAuth", "clientAuth"], ["any"]),
      bc: pick<"ca" | "not-ca" | "pathlen-0">("ca", "not-ca", "pathlen-0"),
      ku: pick<"ca" | "no-cert-sign">("ca", "no-cert-sign"),
      expired: next() < 0.05,
      critical: next() < 0.05,
      akiMismatch: next() < 0.05,
    })),
    leaf: {
      key: pick<KeyAlg>("p-256", "p-384", "p-521", "rsa-2048", "rsa-1024", "ed25519"),
      hash: pick<SignatureHash>("SHA-256", "SHA-384", "SHA-1"),
      eku: pick<Eku[] | null>(["clientAuth"], null, ["serverAuth"], ["serverAuth", "clientAuth"], ["any"]),
      bc: pick<"leaf" | "ca" | "none">("leaf", "ca", "none"),
      ku: pick<"default" | "no-digital-signature" | "key-agreement" | "none">(
        "default",
        "no-digital-signature",
        "key-agreement",
        "none",
      ),
      validity: pick<"ok" | "expired" | "not-yet-valid">("ok", "expired", "not-yet-valid"),
      issuerName: pick<"exact" | "case-and-spaces" | "other">("exact", "case-and-spaces", "other"),
      duplicateEku: next() < 0.05,
      critical: next() < 0.05,
      akiMismatch: next() < 0.05,
    },
    shuffle: next() < 0.3,
  };
}

/** An ordinary chain (root, one intermediate, a client leaf), all of it valid. */
export function ordinarySpec(id: number): ChainSpec {
  return {
    id,
    rootKey: "p-256",
    intermediates: [
      {
        key: "p-256",
        hash: "SHA-256",
        eku: null,
        bc: "ca",
        ku: "ca",
        expired: false,
        critical: false,
        akiMismatch: false,
      },
    ],
    leaf: {
      key: "p-256",
      hash: "SHA-256",
      eku: ["clientAuth"],
      bc: "leaf",
      ku: "default",
      validity: "ok",
      issuerName: "exact",
      duplicateEku: false,
      critical: false,
      akiMismatch: false,
    },
    shuffle: false,
  };
}

/**
 * Chains a corpus must hold whatever the seed draws: the ones the judge once called valid and a
 * TLS server refused (issue 18) — an intermediate whose only EKU is anyExtendedKeyUsage, and an
 * authority key identifier that is not the issuer's subject key identifier, on the leaf → CA,
 * CA → CA and CA → root links.
 */
export function coverageSpecs(firstId: number): ChainSpec[] {
  const anyEku = ordinarySpec(firstId);
  anyEku.intermediates[0]!.eku = ["any"];
  const leafAki = ordinarySpec(firstId + 1);
  leafAki.leaf.akiMismatch = true;
  const caToCa = ordinarySpec(firstId + 2);
  caToCa.intermediates.push({ ...caToCa.intermediates[0]!, akiMismatch: true });
  const caToRoot = ordinarySpec(firstId + 3);
  caToRoot.intermediates[0]!.akiMismatch = true;
  return [anyEku, leafAki, caToCa, caToRoot];
}

/** A key identifier no generated key has (SHA-1 identifiers of real keys look nothing like it). */
const OTHER_KEY_ID = "00112233445566778899aabbccddeeff00112233";

export interface BuiltChain {
  spec: ChainSpec;
  root: Issued;
  leaf: Issued;
  /** The intermediates in the file's order (leaf first in the file, then these). */
  intermediates: Issued[];
  file: Uint8Array;
}

const UNKNOWN_CRITICAL = "1.3.6.1.4.1.55555.9";
const KU = x509.KeyUsageFlags;

/** RSA keys are slow to make: a few cached ones serve every chain (per role, so no key repeats in a path). */
async function keysFor(alg: KeyAlg, role: string) {
  return alg.startsWith("rsa") ? cachedKeys(alg, role) : generateKeys(alg);
}

/** The chain of `spec`, its validity windows placed around `at` (the validation time). */
export async function buildChain(spec: ChainSpec, at: Date = AT): Promise<BuiltChain> {
  const window = { notBefore: new Date(at.getTime() - 30 * DAY), notAfter: new Date(at.getTime() + 365 * DAY) };
  const past = { notBefore: new Date(at.getTime() - 400 * DAY), notAfter: new Date(at.getTime() - DAY) };
  const future = { notBefore: new Date(at.getTime() + DAY), notAfter: new Date(at.getTime() + 400 * DAY) };
  const root = await makeRoot({
    cn: `Diff Root ${spec.id}`,
    keyAlg: spec.rootKey,
    keys: await keysFor(spec.rootKey, "root"),
    ...window,
  });
  let issuer = root;
  const cas: Issued[] = [];
  for (const [i, ca] of spec.intermediates.entries()) {
    const options: CertOptions = {
      cn: `Diff CA ${spec.id}.${i}`,
      keyAlg: ca.key,
      keys: await keysFor(ca.key, `ca${i}`),
      hash: issuer.keyAlg === "ed25519" ? "SHA-256" : ca.hash,
      eku: ca.eku,
      basicConstraints:
        ca.bc === "ca" ? { ca: true } : ca.bc === "not-ca" ? { ca: false } : { ca: true, pathLength: 0 },
      keyUsage: ca.ku === "ca" ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature,
      extensions: ca.critical ? [rawExtension(UNKNOWN_CRITICAL, true)] : [],
      ...(ca.akiMismatch && { authorityKeyId: { keyId: OTHER_KEY_ID } }),
      ...(ca.expired ? past : window),
    };
    issuer = await makeIntermediate(issuer, options);
    cas.push(issuer);
  }
  const validity = { ok: window, expired: past, "not-yet-valid": future }[spec.leaf.validity];
  const leaf = await makeLeaf(issuer, {
    ...leafOptions(spec, issuer),
    keys: await keysFor(spec.leaf.key, "leaf"),
    ...validity,
  });
  // The file lists the leaf's issuer first, or (shuffled) the CA nearest the root first.
  const nearestFirst = [...cas].reverse();
  const intermediates = spec.shuffle ? cas : nearestFirst;
  return { spec, root, leaf, intermediates, file: pemFile(leaf, ...intermediates) };
}

function leafOptions(spec: ChainSpec, issuer: Issued): CertOptions {
  const l = spec.leaf;
  const issuerCn = issuer.cert.subjectName.getField("CN")[0]!;
  const extensions: x509.Extension[] = [];
  if (l.duplicateEku) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]));
  if (l.critical) extensions.push(rawExtension(UNKNOWN_CRITICAL, true));
  return {
    cn: `device-${spec.id}`,
    keyAlg: l.key,
    hash: issuer.keyAlg === "ed25519" ? "SHA-256" : l.hash,
    eku: l.duplicateEku ? ["serverAuth"] : l.eku,
    basicConstraints: l.bc === "leaf" ? { ca: false } : l.bc === "ca" ? { ca: true } : null,
    keyUsage:
      l.ku === "default"
        ? KU.digitalSignature | KU.keyEncipherment
        : l.ku === "no-digital-signature"
          ? KU.keyEncipherment
          : l.ku === "key-agreement"
            ? KU.keyAgreement
            : null,
    issuerName:
      l.issuerName === "exact"
        ? undefined
        : l.issuerName === "case-and-spaces"
          ? `CN=  ${issuerCn.toUpperCase().replace(/ /g, "   ")} `
          : `CN=${issuerCn} (other)`,
    extensions,
    ...(l.akiMismatch && { authorityKeyId: { keyId: OTHER_KEY_ID } }),
  };
}
