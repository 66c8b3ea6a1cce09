import "reflect-metadata";
import { createPrivateKey, webcrypto, type KeyObject } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * Certificates and keys for the token tests, made at test time (nothing is committed): a test
 * root, a loopback server certificate and device leaves with EC, RSA or Ed25519 keys.
 */
x509.cryptoProvider.set(webcrypto);

type KeyPair = webcrypto.CryptoKeyPair;
const DAY = 24 * 60 * 60 * 1000;
const SIGN_WITH = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export type DeviceKeyType = "ec-p256" | "ec-p384" | "ec-p521" | "rsa" | "ed25519";

export interface Issued {
  cert: x509.X509Certificate;
  pem: string;
  der: Uint8Array;
  keys: KeyPair;
  /** PKCS#8 PEM of the private key. */
  keyPem: string;
  privateKey: KeyObject;
}

let serial = 0x100;

const KEY_ALGORITHMS: Record<DeviceKeyType, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams | webcrypto.Algorithm> = {
  "ec-p256": { name: "ECDSA", namedCurve: "P-256" },
  "ec-p384": { name: "ECDSA", namedCurve: "P-384" },
  "ec-p521": { name: "ECDSA", namedCurve: "P-521" },
  rsa: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  ed25519: { name: "Ed25519" },
};

async function generate(type: DeviceKeyType): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHMS[type], true, ["sign", "verify"])) as KeyPair;
}

async function finish(cert: x509.X509Certificate, keys: KeyPair): Promise<Issued> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  return {
    cert,
    pem: cert.toString("pem"),
    der: new Uint8Array(cert.rawData),
    keys,
    keyPem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    privateKey,
  };
}

export async function makeRoot(name = "CN=Token Test Root"): Promise<Issued> {
  const keys = await generate("ec-p256");
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16),
    name,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: SIGN_WITH,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return finish(cert, keys);
}

export interface LeafOptions {
  subject?: string;
  keyType?: DeviceKeyType;
  notBefore?: Date;
  notAfter?: Date;
}

/** A device (client) certificate: clientAuth EKU, as the certificate checks demand. */
export async function makeDevice(root: Issued, options: LeafOptions = {}): Promise<Issued> {
  return leaf(root, options, [x509.ExtendedKeyUsage.clientAuth], []);
}

/** A loopback server certificate: serverAuth EKU and SAN IP 127.0.0.1. */
export async function makeServer(root: Issued): Promise<Issued> {
  return leaf(root, { subject: "CN=127.0.0.1" }, [x509.ExtendedKeyUsage.serverAuth], [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])]);
}

async function leaf(root: Issued, options: LeafOptions, eku: string[], extra: x509.Extension[]): Promise<Issued> {
  const keyType = options.keyType ?? "ec-p256";
  const keys = await generate(keyType);
  const usage = keyType === "rsa" ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16),
    subject: options.subject ?? "CN=device-1",
    issuer: root.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 730 * DAY),
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: SIGN_WITH,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension(eku),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
      ...extra,
    ],
  });
  return finish(cert, keys);
}
