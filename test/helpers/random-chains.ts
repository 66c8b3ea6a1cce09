import "reflect-metadata";
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

/**
 * What each part of a chain can be: the first value is the ordinary one, the others its defects
 * (or rarer choices). `randomSpec` draws from these, `oneDefectSpecs` walks them.
 */
export const CHOICES = {
  intermediates: [1, 0, 2],
  rootKey: ["p-256", "p-384", "rsa-2048", "rsa-1024"],
  ca: {
    key: ["p-256", "p-384", "rsa-2048", "ed25519"],
    hash: ["SHA-256", "SHA-384", "SHA-1"],
    eku: [null, ["clientAuth"], ["serverAuth"], ["serverAuth", "clientAuth"], ["any"]],
    bc: ["ca", "not-ca", "pathlen-0"],
    ku: ["ca", "no-cert-sign"],
  },
  leaf: {
    key: ["p-256", "p-384", "p-521", "rsa-2048", "rsa-1024", "ed25519"],
    hash: ["SHA-256", "SHA-384", "SHA-1"],
    eku: [["clientAuth"], null, ["serverAuth"], ["serverAuth", "clientAuth"], ["any"]],
    bc: ["leaf", "ca", "none"],
    ku: ["default", "no-digital-signature", "key-agreement", "none"],
    validity: ["ok", "expired", "not-yet-valid"],
    issuerName: ["exact", "case-and-spaces", "other"],
  },
} as const satisfies {
  intermediates: number[];
  rootKey: KeyAlg[];
  ca: { [K in "key" | "hash" | "eku" | "bc" | "ku"]: ReadonlyArray<ChainSpec["intermediates"][number][K]> };
  leaf: {
    [K in "key" | "hash" | "eku" | "bc" | "ku" | "validity" | "issuerName"]: ReadonlyArray<ChainSpec["leaf"][K]>;
  };
};

type Intermediate = ChainSpec["intermediates"][number];

/** Mostly ordinary chains, with each kind of defect in a minority of them. */
export function randomSpec(id: number, next: () => number): ChainSpec {
  const pick = <T>(values: readonly T[]): T => {
    const [common, ...rare] = values;
    return next() < 0.9 || rare.length === 0 ? common! : rare[Math.floor(next() * rare.length)]!;
  };
  const count = pick(CHOICES.intermediates);
  return {
    id,
    rootKey: pick(CHOICES.rootKey),
    intermediates: Array.from({ length: count }, () => ({
      key: pick(CHOICES.ca.key),
      hash: pick(CHOICES.ca.hash),
      eku: copy(pick(CHOICES.ca.eku)),
      bc: pick(CHOICES.ca.bc),
      ku: pick(CHOICES.ca.ku),
      expired: next() < 0.05,
      critical: next() < 0.05,
      akiMismatch: next() < 0.05,
    })),
    leaf: {
      key: pick(CHOICES.leaf.key),
      hash: pick(CHOICES.leaf.hash),
      eku: copy(pick(CHOICES.leaf.eku)),
      bc: pick(CHOICES.leaf.bc),
      ku: pick(CHOICES.leaf.ku),
      validity: pick(CHOICES.leaf.validity),
      issuerName: pick(CHOICES.leaf.issuerName),
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

const copy = <T>(value: readonly T[] | null): T[] | null => (value === null ? null : [...value]);

/**
 * The ordinary chain (root, one intermediate, leaf), then one chain per defect: each differs
 * from the ordinary one in exactly one respect, so every value `randomSpec` can draw is judged
 * on its own, in a few dozen chains rather than the hundreds a random corpus needs to reach the
 * rare ones.
 */
export function oneDefectSpecs(): ChainSpec[] {
  const ordinaryCa = (): Intermediate => ({
    key: CHOICES.ca.key[0],
    hash: CHOICES.ca.hash[0],
    eku: copy(CHOICES.ca.eku[0]),
    bc: CHOICES.ca.bc[0],
    ku: CHOICES.ca.ku[0],
    expired: false,
    critical: false,
    akiMismatch: false,
  });
  const ordinary = (): ChainSpec => ({
    id: 0,
    rootKey: CHOICES.rootKey[0],
    intermediates: [ordinaryCa()],
    leaf: {
      key: CHOICES.leaf.key[0],
      hash: CHOICES.leaf.hash[0],
      eku: copy(CHOICES.leaf.eku[0]),
      bc: CHOICES.leaf.bc[0],
      ku: CHOICES.leaf.ku[0],
      validity: CHOICES.leaf.validity[0],
      issuerName: CHOICES.leaf.issuerName[0],
      duplicateEku: false,
      critical: false,
      akiMismatch: false,
    },
    shuffle: false,
  });
  const specs: ChainSpec[] = [ordinary()];
  const vary = (change: (spec: ChainSpec) => void) => {
    const spec = ordinary();
    change(spec);
    specs.push({ ...spec, id: specs.length });
  };
  const rare = <T>(values: readonly T[]) => values.slice(1);
  for (const count of rare(CHOICES.intermediates))
    vary((s) => (s.intermediates = Array.from({ length: count }, ordinaryCa)));
  for (const key of rare(CHOICES.rootKey)) vary((s) => (s.rootKey = key));
  const fresh = (value: unknown) => (Array.isArray(value) ? [...(value as unknown[])] : value);
  for (const [field, values] of Object.entries(CHOICES.ca) as Array<[string, readonly unknown[]]>)
    for (const value of rare(values)) vary((s) => Object.assign(s.intermediates[0]!, { [field]: fresh(value) }));
  vary((s) => (s.intermediates[0]!.expired = true));
  vary((s) => (s.intermediates[0]!.critical = true));
  vary((s) => (s.intermediates[0]!.akiMismatch = true));
  for (const [field, values] of Object.entries(CHOICES.leaf) as Array<[string, readonly unknown[]]>)
    for (const value of rare(values)) vary((s) => Object.assign(s.leaf, { [field]: fresh(value) }));
  vary((s) => (s.leaf.duplicateEku = true));
  vary((s) => (s.leaf.critical = true));
  vary((s) => (s.leaf.akiMismatch = true));
  // Shuffling needs two intermediates to change the file's order.
  vary((s) => {
    s.intermediates = [ordinaryCa(), ordinaryCa()];
    s.shuffle = true;
  });
  return specs;
}

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

/**
 * RSA keys are slow to make (up to seconds each on a busy machine): a few cached ones serve every
 * chain. The n-th RSA certificate of a size in a path gets the n-th cached key of that size, so no
 * key repeats in a path, and a file makes only as many as its longest path holds.
 */
function keyMaker(): (alg: KeyAlg) => Promise<Awaited<ReturnType<typeof generateKeys>>> {
  const used = new Map<KeyAlg, number>();
  return async (alg) => {
    if (!alg.startsWith("rsa")) return generateKeys(alg);
    const n = used.get(alg) ?? 0;
    used.set(alg, n + 1);
    return cachedKeys(alg, `path-${n}`);
  };
}

/** The chain of `spec`, its validity windows placed around `at` (the validation time). */
export async function buildChain(spec: ChainSpec, at: Date = AT): Promise<BuiltChain> {
  const window = { notBefore: new Date(at.getTime() - 30 * DAY), notAfter: new Date(at.getTime() + 365 * DAY) };
  const past = { notBefore: new Date(at.getTime() - 400 * DAY), notAfter: new Date(at.getTime() - DAY) };
  const future = { notBefore: new Date(at.getTime() + DAY), notAfter: new Date(at.getTime() + 400 * DAY) };
  const keysFor = keyMaker();
  const root = await makeRoot({
    cn: `Diff Root ${spec.id}`,
    keyAlg: spec.rootKey,
    keys: await keysFor(spec.rootKey),
    ...window,
  });
  let issuer = root;
  const cas: Issued[] = [];
  for (const [i, ca] of spec.intermediates.entries()) {
    const options: CertOptions = {
      cn: `Diff CA ${spec.id}.${i}`,
      keyAlg: ca.key,
      keys: await keysFor(ca.key),
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
    keys: await keysFor(spec.leaf.key),
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
