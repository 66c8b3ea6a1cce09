import "reflect-metadata";
import { execFileSync } from "node:child_process";
import {
  createPrivateKey,
  generateKeyPairSync,
  KeyObject,
  sign as nodeSign,
  webcrypto,
  X509Certificate as NodeX509,
} from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AsnIntegerArrayBufferConverter } from "@peculiar/asn1-schema";
import { Curve, ECParameters, ECPoint, FieldID, SpecifiedECDomain } from "@peculiar/asn1-ecc";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  Certificate,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  KeyIdentifier,
  Name as AsnName,
  NameConstraints,
  TBSCertificate,
  id_ce_authorityKeyIdentifier,
  id_ce_nameConstraints,
} from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { TrustStore, trustAnchorFromPem } from "../../src/certificates/index.js";
import type { SigningAlgorithm } from "../../src/tokens/index.js";

/**
 * The test PKI: certificates and keys made at test time (nothing is committed). Roots,
 * intermediates and leaves with any key algorithm, hash, validity window, constraints and
 * usages the certificate checks judge, plus the broken ones (corrupted signatures, MD5) and
 * private keys in every format a customer might commit by mistake, and the issuer signing keys
 * of the token tests.
 */
x509.cryptoProvider.set(webcrypto);

type KeyPair = webcrypto.CryptoKeyPair;

/** Key usage bits for `CertOptions.keyUsage` (re-exported so tests need not import x509 first). */
export const KeyUsageFlags = x509.KeyUsageFlags;

export const DAY = 24 * 60 * 60 * 1000;

/** The validation time of the synthetic tests; default validity windows are built around it. */
export const AT = new Date("2026-06-01T00:00:00Z");

/** The subject of the real "DigiCert Global Root G2", as the library displays names. */
export const DIGICERT_G2_NAME = "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2";

export type KeyAlg = "rsa-1024" | "rsa-2048" | "rsa-3072" | "p-256" | "p-384" | "p-521" | "ed25519";
export type SignatureHash = "SHA-256" | "SHA-384" | "SHA-1" | "MD5";
export type Eku = "clientAuth" | "serverAuth" | "codeSigning" | "any";

export interface Issued {
  cert: x509.X509Certificate;
  pem: string;
  der: Uint8Array;
  keys: KeyPair;
  keyAlg: KeyAlg;
  /** The private key as Node sees it (to decrypt with, or to serve TLS). Never print it. */
  privateKey: KeyObject;
  /** PKCS#8 PEM of the private key, for tests that write a key file. Never print it. */
  keyPem: string;
}

export type NameInput = string | Uint8Array | x509.JsonName;

export interface CertOptions {
  /** Common name; the subject is "CN=<cn>" unless `name` is given. */
  cn?: string;
  /**
   * Full subject: a string in DER order ("C=US, O=..., CN=..."), raw DER of a Name, or a JSON
   * name (`[{ CN: ["value"] }]`, the way to put control characters or commas into a value).
   */
  name?: NameInput;
  /** Override the issuer name written into the certificate (to make it lie). */
  issuerName?: NameInput;
  keyAlg?: KeyAlg;
  /** Reuse this key pair instead of generating one (e.g. from `cachedKeys`). */
  keys?: KeyPair;
  hash?: SignatureHash;
  notBefore?: Date;
  notAfter?: Date;
  /** `null` leaves the extension out; default: CA:TRUE for CAs, CA:FALSE for leaves. */
  basicConstraints?: { ca: boolean; pathLength?: number } | null;
  /** x509.KeyUsageFlags bits; `null` leaves the extension out. */
  keyUsage?: number | null;
  /** `null` or [] leaves the extension out; default for leaves: clientAuth. */
  eku?: Eku[] | null;
  /** Subject alternative names (e.g. `[{ type: "ip", value: "127.0.0.1" }]`); none by default. */
  san?: x509.JsonGeneralNames;
  serial?: string;
  /** Further extensions, written after the usual ones (duplicates, unknown critical ones, …). */
  extensions?: x509.Extension[];
  /**
   * The authorityKeyIdentifier to write instead of the issuer key's identifier: `keyId` (hex;
   * `null` leaves it out), and `serial` (hex) and `issuerName` to add authorityCertSerialNumber
   * and authorityCertIssuer. Default: the issuer key's identifier alone.
   */
  authorityKeyId?: { keyId?: string | null; serial?: string; issuerName?: string };
  /** `false` leaves the subjectKeyIdentifier out; hex writes that one (default: the key's SHA-1). */
  subjectKeyId?: false | string;
}

const KEY_PARAMS: Record<KeyAlg, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | webcrypto.Algorithm> = {
  "rsa-1024": rsaParams(1024),
  "rsa-2048": rsaParams(2048),
  "rsa-3072": rsaParams(3072),
  "p-256": { name: "ECDSA", namedCurve: "P-256" },
  "p-384": { name: "ECDSA", namedCurve: "P-384" },
  "p-521": { name: "ECDSA", namedCurve: "P-521" },
  ed25519: { name: "Ed25519" },
};

function rsaParams(modulusLength: number): webcrypto.RsaHashedKeyGenParams {
  return { name: "RSASSA-PKCS1-v1_5", modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
}

export async function generateKeys(keyAlg: KeyAlg): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_PARAMS[keyAlg], true, ["sign", "verify"])) as KeyPair;
}

// RSA generation dominates test time: a test file that asks for the same (alg, id) twice gets
// one key. Modules are isolated per test file, so this cache never crosses files.
const keyCache = new Map<string, Promise<KeyPair>>();

export function cachedKeys(keyAlg: KeyAlg, id = "default"): Promise<KeyPair> {
  const key = `${keyAlg}/${id}`;
  let keys = keyCache.get(key);
  if (!keys) {
    keys = generateKeys(keyAlg);
    keyCache.set(key, keys);
  }
  return keys;
}

const EKU_OIDS: Record<Eku, string> = {
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  codeSigning: x509.ExtendedKeyUsage.codeSigning,
  any: "2.5.29.37.0",
};

const CA_KEY_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
const LEAF_KEY_USAGE = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;

let serial = 0x1000;
const nextSerial = () => (serial++).toString(16).padStart(6, "0");

type Role = "root" | "intermediate" | "leaf";

/** A self-signed CA root. */
export function makeRoot(options: CertOptions = {}): Promise<Issued> {
  return issue(null, "root", { cn: "Test Root CA", ...options });
}

/** A CA certificate issued by `issuer`. */
export function makeIntermediate(issuer: Issued, options: CertOptions = {}): Promise<Issued> {
  return issue(issuer, "intermediate", { cn: "Test Intermediate CA", ...options });
}

/** An end-entity (device) certificate issued by `issuer`; clientAuth EKU by default. */
export function makeLeaf(issuer: Issued, options: CertOptions = {}): Promise<Issued> {
  return issue(issuer, "leaf", { cn: "device-1", ...options });
}

/** A leaf that signs itself (subject = issuer, CA:FALSE, clientAuth). */
export function makeSelfSignedLeaf(options: CertOptions = {}): Promise<Issued> {
  return issue(null, "leaf", { cn: "self-signed-device", ...options });
}

async function issue(issuer: Issued | null, role: Role, o: CertOptions): Promise<Issued> {
  const keyAlg = o.keyAlg ?? "p-256";
  const keys = o.keys ?? (await generateKeys(keyAlg));
  const subject = toName(o.name ?? `CN=${o.cn}`);
  const issuerName =
    o.issuerName !== undefined
      ? toName(o.issuerName)
      : issuer
        ? new x509.Name(issuer.cert.subjectName.toArrayBuffer())
        : subject;
  const signer = issuer ?? { keys, keyAlg };
  const hash = o.hash ?? "SHA-256";

  const extensions: x509.Extension[] = [];
  const bc = o.basicConstraints === undefined ? { ca: role !== "leaf" } : o.basicConstraints;
  if (bc) extensions.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLength, true));
  const ku = o.keyUsage === undefined ? (role === "leaf" ? LEAF_KEY_USAGE : CA_KEY_USAGE) : o.keyUsage;
  if (ku !== null) extensions.push(new x509.KeyUsagesExtension(ku, true));
  const eku = o.eku === undefined ? (role === "leaf" ? (["clientAuth"] as Eku[]) : null) : o.eku;
  if (eku && eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku.map((e) => EKU_OIDS[e])));
  if (o.san && o.san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(o.san));
  if (typeof o.subjectKeyId === "string") extensions.push(new x509.SubjectKeyIdentifierExtension(o.subjectKeyId));
  else if (o.subjectKeyId !== false) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (issuer && o.authorityKeyId) extensions.push(await authorityKeyIdExtension(issuer, o.authorityKeyId));
  else if (issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  extensions.push(...(o.extensions ?? []));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial ?? nextSerial(),
    subject,
    issuer: issuerName,
    notBefore: o.notBefore ?? new Date(AT.getTime() - 30 * DAY),
    notAfter: o.notAfter ?? new Date(AT.getTime() + (role === "leaf" ? 365 : 3650) * DAY),
    publicKey: keys.publicKey,
    // MD5 is beyond WebCrypto: sign with SHA-256 here, then re-sign the TBS below.
    signingKey: await signingKeyFor(signer, hash === "MD5" ? "SHA-256" : hash),
    signingAlgorithm: signingAlgorithm(signer.keyAlg, hash === "MD5" ? "SHA-256" : hash),
    extensions,
  });
  const finished = hash === "MD5" ? await resignWithMd5(cert, signer) : cert;
  return wrap(finished, keys, keyAlg);
}

/** An authorityKeyIdentifier built from parts (see `CertOptions.authorityKeyId`). */
async function authorityKeyIdExtension(
  issuer: Issued,
  parts: NonNullable<CertOptions["authorityKeyId"]>,
): Promise<x509.Extension> {
  const issuerKeyId = (await x509.SubjectKeyIdentifierExtension.create(issuer.keys.publicKey)).keyId;
  const keyId = parts.keyId === undefined ? issuerKeyId : parts.keyId;
  const value = new AuthorityKeyIdentifier({
    ...(keyId !== null && { keyIdentifier: new KeyIdentifier(hex(keyId)) }),
    ...(parts.serial !== undefined && { authorityCertSerialNumber: hex(parts.serial) }),
    ...(parts.issuerName !== undefined && {
      authorityCertIssuer: [
        new GeneralName({ directoryName: AsnConvert.parse(new x509.Name(parts.issuerName).toArrayBuffer(), AsnName) }),
      ],
    }),
  });
  return new x509.Extension(id_ce_authorityKeyIdentifier, false, AsnConvert.serialize(value));
}

/** WebCrypto RSA keys are bound to one hash: re-import the private key for another one. */
async function signingKeyFor(
  signer: { keys: KeyPair; keyAlg: KeyAlg },
  hash: Exclude<SignatureHash, "MD5">,
): Promise<webcrypto.CryptoKey> {
  const key = signer.keys.privateKey;
  const bound = (key.algorithm as webcrypto.RsaHashedKeyAlgorithm).hash?.name;
  if (!signer.keyAlg.startsWith("rsa") || bound === hash) return key;
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", key);
  return webcrypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["sign"]);
}

function signingAlgorithm(
  keyAlg: KeyAlg,
  hash: Exclude<SignatureHash, "MD5">,
): webcrypto.Algorithm & { hash?: string } {
  if (keyAlg.startsWith("rsa")) return { name: "RSASSA-PKCS1-v1_5", hash };
  if (keyAlg === "ed25519") return { name: "Ed25519" };
  return { name: "ECDSA", hash };
}

/**
 * md5WithRSAEncryption: rewrite the algorithm identifiers of an RSA certificate and sign its TBS
 * with node:crypto, which still offers MD5 (OpenSSL 3 default provider) where WebCrypto does not.
 */
async function resignWithMd5(
  cert: x509.X509Certificate,
  signer: { keys: KeyPair; keyAlg: KeyAlg },
): Promise<x509.X509Certificate> {
  if (!signer.keyAlg.startsWith("rsa")) throw new Error("MD5 signatures need an RSA issuer key");
  const asn = AsnConvert.parse(cert.rawData, Certificate);
  const md5WithRsa = new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.4", parameters: null });
  asn.tbsCertificate.signature = md5WithRsa;
  asn.signatureAlgorithm = md5WithRsa;
  const tbs = Buffer.from(AsnConvert.serialize(asn.tbsCertificate));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", signer.keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  asn.signatureValue = new Uint8Array(nodeSign("md5", tbs, key)).buffer;
  // Keep the re-serialized TBS bytes exactly as signed.
  asn.tbsCertificate = AsnConvert.parse(tbs, TBSCertificate);
  return new x509.X509Certificate(AsnConvert.serialize(asn));
}

/** The same certificate with one byte of its signature value flipped (the last DER byte). */
export function corruptSignature(issued: Issued): Issued {
  const der = new Uint8Array(issued.der);
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  return wrap(new x509.X509Certificate(der), issued.keys, issued.keyAlg);
}

function wrap(cert: x509.X509Certificate, keys: KeyPair, keyAlg: KeyAlg): Issued {
  const privateKey = privateKeyOf({ keys });
  const keyPem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  return { cert, pem: cert.toString("pem"), der: new Uint8Array(cert.rawData), keys, keyAlg, privateKey, keyPem };
}

/** The private key of a test certificate as a Node KeyObject. */
export function privateKeyOf(issued: { keys: KeyPair }): KeyObject {
  return KeyObject.from(issued.keys.privateKey);
}

function toName(name: NameInput): x509.Name {
  // @peculiar/x509 keeps the order written, so "C=US, O=..., CN=..." lists C first in the DER,
  // as public CAs do. (Its string parser drops values holding line breaks: use a JSON name.)
  return new x509.Name(name);
}

/** The DER subject of a real public root from Node's store (for byte-exact look-alikes). */
export function realRootSubject(commonName: string): Uint8Array {
  for (const pem of rootCertificates) {
    const cert = new x509.X509Certificate(pem);
    if (cert.subjectName.getField("CN").includes(commonName)) return new Uint8Array(cert.subjectName.toArrayBuffer());
  }
  throw new Error(`no root named ${commonName} in Node's store`);
}

/**
 * A validity window from a day ago to `days` days from now, on the real clock: for code under
 * test that reads the clock itself (the Action's runs, TLS handshakes, token issuance).
 */
export function validFor(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY), notAfter: new Date(now + days * DAY) };
}

/** A store that trusts exactly these roots (brand "Test CA"). */
export function trustFor(...roots: Array<{ pem: string }>): TrustStore {
  return TrustStore.fromSources(roots.map((r) => trustAnchorFromPem(r.pem, "Test CA")));
}

/** Concatenates PEMs, leaf first, as a certificate file's bytes. */
export function pemFile(...certs: Array<{ pem: string } | string>): Uint8Array {
  return new TextEncoder().encode(certs.map((c) => (typeof c === "string" ? c : c.pem).trim() + "\n").join(""));
}

/** A convenient default chain: root → intermediate → client leaf. */
export async function makeChain(
  options: { keyAlg?: KeyAlg; leaf?: CertOptions; intermediate?: CertOptions; root?: CertOptions } = {},
) {
  const keyAlg = options.keyAlg ?? "p-256";
  const root = await makeRoot({ keyAlg, ...options.root });
  const intermediate = await makeIntermediate(root, { keyAlg, ...options.intermediate });
  const leaf = await makeLeaf(intermediate, { keyAlg, ...options.leaf });
  return { root, intermediate, leaf, file: pemFile(leaf, intermediate) };
}

// ---------------------------------------------------------------------------------------------
// Private keys in the formats customers commit by mistake.

export interface PrivateKeySample {
  label: string;
  bytes: Uint8Array;
  /** Base64 (or base64url) runs of the key material that must never appear in any output. */
  secrets: string[];
}

let samplesCache: readonly PrivateKeySample[] | undefined;

/**
 * Private keys in every common format; OpenSSH only where `ssh-keygen` exists. Made once per test
 * file (an RSA key each time cost up to seconds on a busy machine); callers only read them.
 */
export function privateKeySamples(): readonly PrivateKeySample[] {
  samplesCache ??= makePrivateKeySamples();
  return samplesCache;
}

function makePrivateKeySamples(): PrivateKeySample[] {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const ed = generateKeyPairSync("ed25519").privateKey;
  const text = (label: string, pem: string): PrivateKeySample => ({
    label,
    bytes: Buffer.from(pem),
    secrets: pemSecrets(pem),
  });
  const der = (label: string, bytes: Buffer): PrivateKeySample => ({
    label,
    bytes: new Uint8Array(bytes),
    secrets: [bytes.toString("base64")],
  });

  const samples: PrivateKeySample[] = [
    text("PKCS#8 PEM (RSA)", rsa.export({ format: "pem", type: "pkcs8" }) as string),
    text("PKCS#8 PEM (EC)", ec.export({ format: "pem", type: "pkcs8" }) as string),
    text("PKCS#8 PEM (Ed25519)", ed.export({ format: "pem", type: "pkcs8" }) as string),
    text("PKCS#1 RSA PRIVATE KEY", rsa.export({ format: "pem", type: "pkcs1" }) as string),
    text("SEC1 EC PRIVATE KEY", ec.export({ format: "pem", type: "sec1" }) as string),
    text(
      "ENCRYPTED PRIVATE KEY",
      rsa.export({
        format: "pem",
        type: "pkcs8",
        cipher: "aes-256-cbc",
        passphrase: "correct horse battery staple",
      }) as string,
    ),
    der("DER PKCS#8 (RSA)", rsa.export({ format: "der", type: "pkcs8" })),
    der("DER PKCS#8 (EC)", ec.export({ format: "der", type: "pkcs8" })),
    der("DER PKCS#1 (RSA)", rsa.export({ format: "der", type: "pkcs1" })),
    der("DER SEC1 (EC)", ec.export({ format: "der", type: "sec1" })),
    der(
      "encrypted DER PKCS#8",
      rsa.export({ format: "der", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "pass phrase" }),
    ),
    jwkSample("JWK with d (EC)", ec),
    jwkSample("JWK with d (RSA)", rsa),
  ];
  const openssh = opensshKey();
  if (openssh) samples.push(text("OPENSSH PRIVATE KEY", openssh));
  return samples;
}

function jwkSample(label: string, key: ReturnType<typeof createPrivateKey>): PrivateKeySample {
  const jwk = key.export({ format: "jwk" });
  const json = JSON.stringify(jwk, null, 2);
  return { label, bytes: Buffer.from(json), secrets: [jwk.d!] };
}

/** The base64 lines of a PEM body: none of them may leak. */
function pemSecrets(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .filter((line) => line.length >= 16 && !line.startsWith("-----") && !line.includes(":"))
    .map((line) => line.trim());
}

let opensshCache: string | null | undefined;

/** An unencrypted OpenSSH Ed25519 key made by `ssh-keygen`; null when it is not installed. */
export function opensshKey(): string | null {
  if (opensshCache !== undefined) return opensshCache;
  const dir = mkdtempSync(join(tmpdir(), "pki-ssh-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", join(dir, "id")], {
      stdio: "ignore",
    });
    opensshCache = readFileSync(join(dir, "id"), "utf8");
  } catch {
    opensshCache = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return opensshCache;
}

/** Node's view of a certificate (OpenSSL), e.g. to double-check a signature in a test. */
export function nodeCert(issued: Issued): NodeX509 {
  return new NodeX509(issued.der);
}

// ---------------------------------------------------------------------------------------------
// Issuer signing keys of the token tests, as the secret text an environment would hold.

export interface SigningSecret {
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  pem: string;
  jwk: string;
}

export function signingSecret(alg: SigningAlgorithm): SigningSecret {
  const { privateKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "RS256"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ed25519");
  return {
    alg,
    privateKey,
    pem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    jwk: JSON.stringify(privateKey.export({ format: "jwk" })),
  };
}

/** A leaf issued by `issuer` carrying one extension with these raw DER bytes as its value. */
export async function leafWithRawExtension(issuer: Issued, oid: string, value: number[]): Promise<string> {
  const keys = await generateKeys("p-256");
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "0badbad0",
    subject: "CN=malformed-device",
    issuer: issuer.cert.subject,
    notBefore: new Date(AT.getTime() - DAY),
    notAfter: new Date(AT.getTime() + 90 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.Extension(oid, true, new Uint8Array(value)),
      // clientAuth unless the malformed one is the EKU itself: without it the leaf would be valid.
      ...(oid === "2.5.29.37" ? [] : [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]),
    ],
  });
  return cert.toString("pem");
}

// ---------------------------------------------------------------------------------------------
// RFC 5280 corner cases: raw extensions, name constraints, explicit curves, re-signed TBS.

/** An extension with raw DER bytes as its value (e.g. an OID the judge does not know). */
export function rawExtension(oid: string, critical: boolean, value: number[] = [0x05, 0x00]): x509.Extension {
  return new x509.Extension(oid, critical, new Uint8Array(value));
}

/** A subtree base, in the JSON of @peculiar/x509 (`{ type: "dns", value: "example.com" }`) or raw. */
export type SubtreeInput =
  | { type: "dns" | "email" | "url"; value: string }
  | { type: "ip"; value: string }
  | { type: "dn"; value: string }
  | { type: "raw"; value: GeneralName };

function generalNameOf(input: SubtreeInput): GeneralName {
  switch (input.type) {
    case "dns":
      return new GeneralName({ dNSName: input.value });
    case "email":
      return new GeneralName({ rfc822Name: input.value });
    case "url":
      return new GeneralName({ uniformResourceIdentifier: input.value });
    case "ip":
      return new GeneralName({ iPAddress: input.value }); // "10.0.0.0/8": address and mask
    case "dn":
      return new GeneralName({
        directoryName: AsnConvert.parse(new x509.Name(input.value).toArrayBuffer(), AsnName),
      });
    case "raw":
      return input.value;
  }
}

/** A nameConstraints extension (critical unless said otherwise). */
export function nameConstraintsExtension(
  constraints: { permitted?: SubtreeInput[]; excluded?: SubtreeInput[] },
  critical = true,
): x509.Extension {
  const subtrees = (inputs?: SubtreeInput[]) =>
    inputs && inputs.length > 0
      ? new GeneralSubtrees(inputs.map((i) => new GeneralSubtree({ base: generalNameOf(i) })))
      : undefined;
  const value = new NameConstraints({
    permittedSubtrees: subtrees(constraints.permitted),
    excludedSubtrees: subtrees(constraints.excluded),
  });
  return new x509.Extension(id_ce_nameConstraints, critical, AsnConvert.serialize(value));
}

const hex = (text: string) => new Uint8Array(Buffer.from(text, "hex")).buffer;

/** P-256 spelled out as specifiedCurve parameters (SEC 2 §2.4.2), which RFC 5480 forbids. */
function explicitP256Parameters(): ArrayBuffer {
  const p = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
  const domain = new SpecifiedECDomain({
    version: 1,
    fieldID: new FieldID({
      fieldType: "1.2.840.10045.1.1",
      parameters: AsnIntegerArrayBufferConverter.toASN(hex(`00${p}`)).toBER(),
    }),
    curve: new Curve({
      a: hex("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc"),
      b: hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
    }),
    base: new ECPoint(
      hex(
        "04" +
          "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296" +
          "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
      ),
    ),
    order: hex("00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
  });
  return AsnConvert.serialize(new ECParameters({ specifiedCurve: domain }));
}

/**
 * The same certificate with its TBS changed by `mutate` and signed again by `signer` (an EC or
 * RSA issuer of a SHA-256 certificate, or an Ed25519 one; the algorithm identifiers stay as they were).
 */
export async function resigned(issued: Issued, signer: Issued, mutate: (tbs: TBSCertificate) => void): Promise<Issued> {
  const asn = AsnConvert.parse(issued.der, Certificate);
  mutate(asn.tbsCertificate);
  const tbs = Buffer.from(AsnConvert.serialize(asn.tbsCertificate));
  const digest = signer.keyAlg === "ed25519" ? null : "sha256";
  asn.signatureValue = new Uint8Array(nodeSign(digest, tbs, signer.privateKey)).buffer;
  asn.tbsCertificate = AsnConvert.parse(tbs, TBSCertificate);
  return wrap(new x509.X509Certificate(AsnConvert.serialize(asn)), issued.keys, issued.keyAlg);
}

/** A P-256 certificate whose key carries explicit curve parameters, re-signed by its issuer. */
export function withExplicitCurve(issued: Issued, signer: Issued): Promise<Issued> {
  if (issued.keyAlg !== "p-256") throw new Error("explicit parameters are made for P-256 keys");
  return resigned(issued, signer, (tbs) => {
    tbs.subjectPublicKeyInfo.algorithm.parameters = explicitP256Parameters();
  });
}
